// The desk's state, reading requests, and the calls that change a task without sending a
// message: complete, reopen, delete, link and unlink a chat, quick replies.
#include "runtime/actions/desk_impl.hpp"

#include "common/clock.hpp"
#include "common/text.hpp"
#include "runtime/outbox/dispatcher.hpp"
#include "runtime/worker/outbound.hpp"

namespace switchyard::actions {

void refuse(int status, std::string message, std::string field) { throw Refusal{status, std::move(message), std::move(field)}; }

Answer answer(const Refusal& r) {
    json::object o;
    o["error"] = r.message;
    if (!r.field.empty()) o["field"] = r.field;
    if (!r.rule.empty()) o["rule"] = r.rule;
    return {r.status, std::move(o)};
}

// ---- Input ----

Input::Input(const json::value& v) : object_(v.if_object()) {
    if (!object_) refuse(400, "the body must be a JSON object");
}

std::optional<std::int64_t> Input::optional_id(std::string_view key) const {
    const auto* v = object_->if_contains(key);
    if (!v || v->is_null()) return std::nullopt;
    if (!v->is_int64() || v->as_int64() < 1) refuse(400, field(key) + ": expected an id (an integer from 1)", field(key));
    return v->as_int64();
}

std::int64_t Input::id(std::string_view key) const {
    auto id = optional_id(key);
    if (!id) refuse(400, field(key) + ": missing", field(key));
    return *id;
}

std::optional<std::string> Input::text(std::string_view key) const {
    const auto* v = object_->if_contains(key);
    if (!v || v->is_null()) return std::nullopt;
    if (!v->is_string()) refuse(400, field(key) + ": expected a string", field(key));
    return std::string(v->as_string());
}

std::string Input::required_text(std::string_view key) const {
    auto t = text(key);
    if (!t || t->empty()) refuse(400, field(key) + ": missing", field(key));
    return *t;
}

bool Input::flag(std::string_view key, bool fallback) const {
    const auto* v = object_->if_contains(key);
    if (!v || v->is_null()) return fallback;
    if (!v->is_bool()) refuse(400, field(key) + ": expected true or false", field(key));
    return v->as_bool();
}

std::optional<Input> Input::object(std::string_view key) const {
    const auto* v = object_->if_contains(key);
    if (!v || v->is_null()) return std::nullopt;
    if (!v->is_object()) refuse(400, field(key) + ": expected an object", field(key));
    return Input(v->as_object(), field(key));
}

std::vector<std::int64_t> Input::ids(std::string_view key) const {
    std::vector<std::int64_t> out;
    const auto* v = object_->if_contains(key);
    if (!v || v->is_null()) return out;
    if (!v->is_array()) refuse(400, field(key) + ": expected a list of ids", field(key));
    for (std::size_t i = 0; i < v->as_array().size(); ++i) {
        const auto& x = v->as_array()[i];
        auto name = field(key) + "[" + std::to_string(i) + "]";
        if (!x.is_int64() || x.as_int64() < 1) refuse(400, name + ": expected an id (an integer from 1)", name);
        out.push_back(x.as_int64());
    }
    return out;
}

std::vector<Input> Input::objects(std::string_view key) const {
    std::vector<Input> out;
    const auto* v = object_->if_contains(key);
    if (!v || v->is_null()) return out;
    if (!v->is_array()) refuse(400, field(key) + ": expected a list", field(key));
    for (std::size_t i = 0; i < v->as_array().size(); ++i) {
        auto name = field(key) + "[" + std::to_string(i) + "]";
        const auto* o = v->as_array()[i].if_object();
        if (!o) refuse(400, name + ": expected an object", name);
        out.push_back(Input(*o, name));
    }
    return out;
}

// ---- the desk ----

namespace {

// Download links are signed with a key derived from the API token: as secret as it is, kept
// nowhere else, and the same after a restart (a new token ends the links made with the old).
std::string link_key(const config::Config& config) { return files::sha256_hex("switchyard download links\n" + config.api_token); }

}  // namespace

Desk::Impl::Impl(const config::Config& c, store::Store& s, files::FileStore& f, engine::RulesetHolder& r,
                 worker::ChannelBook& ch, std::function<void()> w)
    : config(c), store(s), files(f), rulesets(r), channels(ch), wake_outbox(std::move(w)), employees(c), links(link_key(c)),
      fetcher(outbox::client_options(c, static_cast<std::size_t>(c.files.max_file))) {}

const config::Employee& Desk::Impl::actor(const Input& in) const {
    auto id = in.id("by");
    const auto* e = config.employee(id);
    if (!e) refuse(422, "by: no employee has id " + std::to_string(id), "by");
    return *e;
}

store::TaskRecord Desk::Impl::task(store::Work& work, std::int64_t id, bool deleted_ok) const {
    auto t = work.task(id);
    if (!t) refuse(404, "no task " + std::to_string(id));
    if (t->deleted_at && !deleted_ok) refuse(409, "task " + std::to_string(id) + " is deleted");
    return *t;
}

std::string Desk::Impl::quick_reply_text(std::string_view name, const config::Employee& employee) {
    {
        std::lock_guard lock(deciding_mutex);
        for (auto& [n, text] : worker::rules_quick_replies(deciding(), employees, employee, common::wall_clock_ms()))
            if (n == name) return text;
    }
    for (const auto& q : store.quick_replies())
        if (q.name == name) return q.text;
    refuse(422, "quick_reply: no quick reply `" + std::string(name) + "` (GET /api/v1/quick-replies lists them)", "quick_reply");
}

worker::Deciding& Desk::Impl::deciding() {
    auto current = rulesets.current();
    if (!current) refuse(503, "no ruleset is loaded");
    if (!deciding_ || deciding_->shared() != current) deciding_ = std::make_unique<worker::Deciding>(current);
    return *deciding_;
}

Desk::Desk(const config::Config& config, store::Store& store, files::FileStore& files, engine::RulesetHolder& rulesets,
           worker::ChannelBook& channels, std::function<void()> wake_outbox)
    : impl_(std::make_unique<Impl>(config, store, files, rulesets, channels, std::move(wake_outbox))) {}

Desk::~Desk() = default;

Answer Desk::change_task(std::int64_t id, TaskChange change, const json::value& body) {
    return guarded([&] {
        Input in(body);
        const auto& by = impl_->actor(in);
        auto now = common::wall_clock_ms();
        auto work = impl_->store.begin_work();
        auto task = impl_->task(work, id);
        std::string_view status = change == TaskChange::complete ? "completed" : "active";
        if (task.status == status)
            refuse(409, "task " + std::to_string(id) + " is " + (change == TaskChange::complete ? "completed" : "active") + " already");
        work.set_task_status(id, status, now);
        work.record_history(id, impl_->history_actor(by), change == TaskChange::complete ? "complete" : "reopen",
                            {{"from", task.status}, {"to", status}}, now);
        work.commit();
        return Answer{200, json::object{{"task", id}, {"status", status}}};
    });
}

Answer Desk::delete_task(std::int64_t id, const json::value& body) {
    return guarded([&] {
        Input in(body);
        const auto& by = impl_->actor(in);
        auto now = common::wall_clock_ms();
        auto work = impl_->store.begin_work();
        impl_->task(work, id);
        work.delete_task(id, now);
        work.record_history(id, impl_->history_actor(by), "delete", {}, now);
        work.commit();
        return Answer{200, json::object{{"task", id}, {"deleted", true}}};
    });
}

Answer Desk::link_chat(std::int64_t id, const json::value& body) {
    return guarded([&] {
        Input in(body);
        const auto& by = impl_->actor(in);
        auto integration_id = in.required_text("integration");
        auto chat = in.required_text("chat");
        if (chat.starts_with("@")) chat = common::ascii_lower(chat);  // Telegram's usernames ignore case
        const auto* integration = impl_->config.integration(integration_id);
        if (!integration) refuse(422, "integration: no integration `" + integration_id + "`", "integration");
        if (integration->service != config::Service::telegram)
            refuse(422, "integration: only Telegram bots have groups and channels to link (T3)", "integration");
        if (chat.empty() || (chat.front() != '-' && chat.front() != '@'))
            refuse(422, "chat: a group's or channel's id is negative (`-1001234567890`)", "chat");
        auto now = common::wall_clock_ms();
        auto work = impl_->store.begin_work();
        impl_->task(work, id);
        work.link_chat(integration_id, chat, id, now);
        work.record_history(id, impl_->history_actor(by), "link_chat", {{"integration", integration_id}, {"chat", chat}}, now);
        work.commit();
        return Answer{201, json::object{{"task", id}, {"integration", integration_id}, {"chat", chat}}};
    });
}

Answer Desk::unlink_chat(std::int64_t id, std::string_view integration, std::string_view given_chat, const json::value& body) {
    return guarded([&] {
        // As link_chat keeps it: a channel's @username in lower case.
        std::string chat = given_chat.starts_with("@") ? common::ascii_lower(given_chat) : std::string(given_chat);
        Input in(body);
        const auto& by = impl_->actor(in);
        auto now = common::wall_clock_ms();
        auto work = impl_->store.begin_work();
        impl_->task(work, id, true);
        if (work.linked_task(integration, chat) != id)
            refuse(404, "chat " + chat + " of " + std::string(integration) + " is not linked to task " + std::to_string(id));
        work.unlink_chat(integration, chat);
        work.record_history(id, impl_->history_actor(by), "unlink_chat", {{"integration", integration}, {"chat", chat}}, now);
        work.commit();
        return Answer{200, json::object{{"task", id}, {"integration", integration}, {"chat", chat}, {"linked", false}}};
    });
}

Answer Desk::quick_replies(std::optional<std::int64_t> employee_id) {
    return guarded([&] {
        const auto* employee = employee_id ? impl_->config.employee(*employee_id) : impl_->config.owner();
        if (employee_id && !employee) refuse(422, "employee: no employee has id " + std::to_string(*employee_id), "employee");
        json::array out;
        if (employee) {
            std::lock_guard lock(impl_->deciding_mutex);
            for (auto& [name, text] : worker::rules_quick_replies(impl_->deciding(), impl_->employees, *employee,
                                                                  common::wall_clock_ms()))
                out.push_back(json::object{{"name", name}, {"text", text}, {"source", "rules"}});
        }
        for (const auto& q : impl_->store.quick_replies())
            out.push_back(json::object{{"id", q.id}, {"name", q.name}, {"text", q.text}, {"source", "api"},
                                       {"created_by", json::object{{"id", q.created_by ? json::value(*q.created_by) : json::value(nullptr)},
                                                                   {"name", q.created_by_name}}}});
        return Answer{200, json::object{{"quick_replies", std::move(out)}}};
    });
}

Answer Desk::add_quick_reply(const json::value& body) {
    return guarded([&] {
        Input in(body);
        const auto& by = impl_->actor(in);
        auto name = in.required_text("name");
        auto text = in.required_text("text");
        {
            std::lock_guard lock(impl_->deciding_mutex);
            for (auto& [rules_name, _] : worker::rules_quick_replies(impl_->deciding(), impl_->employees, by, common::wall_clock_ms()))
                if (rules_name == name) refuse(409, "name: the rules offer a quick reply `" + name + "` already", "name");
        }
        auto work = impl_->store.begin_work();
        auto id = work.add_quick_reply(name, text, by.id, by.name, common::wall_clock_ms());
        if (!id) refuse(409, "name: a quick reply `" + name + "` exists already", "name");
        work.commit();
        return Answer{201, json::object{{"id", *id}, {"name", name}, {"text", text}}};
    });
}

Answer Desk::delete_quick_reply(std::int64_t id, const json::value& body) {
    return guarded([&] {
        Input in(body);
        impl_->actor(in);
        auto work = impl_->store.begin_work();
        if (!work.delete_quick_reply(id)) refuse(404, "no quick reply " + std::to_string(id));
        work.commit();
        return Answer{200, json::object{{"id", id}, {"deleted", true}}};
    });
}

}  // namespace switchyard::actions
