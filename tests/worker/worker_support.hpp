// What the worker's tests share: a temporary database per test, the shipped rules compiled
// once, a configuration built in code, and events built by hand (the adapters have tests of
// their own; here a body is only a name for the events a test gives it).
#pragma once

#include "common/diagnostic.hpp"
#include "compiler/lower.hpp"
#include "compiler/workspace.hpp"
#include "runtime/adapters/adapters.hpp"
#include "runtime/engine/ruleset.hpp"
#include "runtime/store/store.hpp"
#include "runtime/vm/image.hpp"
#include "runtime/worker/worker.hpp"
#include "tests/support.hpp"
#include "tests/support/postgres.hpp"
#include "tests/support/temp_storage.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace switchyard::testing {

namespace json = boost::json;

// A database file that is removed, with its inbox file and the WAL and shared-memory files of
// both, at the end of the test (kept, for a look with `sqlite3`, when SWITCHYARD_KEEP_DB is set).
class TempDb {
public:
    TempDb() {
        // SWITCHYARD_TEST_POSTGRES: a database of the tests' own PostgreSQL instead (issue 16).
        if (std::getenv("SWITCHYARD_TEST_POSTGRES")) {
            auto* server = TestPostgres::shared();
            if (!server) FAIL("SWITCHYARD_TEST_POSTGRES is set, but: " << TestPostgres::why());
            path_ = server->new_database_uri();
            return;
        }
        static std::atomic<int> counter{0};
        path_ = (std::filesystem::temp_directory_path() /
                 ("switchyard-worker-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".db"))
                    .string();
        remove();
    }
    ~TempDb() {
        if (std::getenv("SWITCHYARD_KEEP_DB")) std::fprintf(stderr, "kept %s and its inbox file\n", path_.c_str());
        else remove();
    }
    const std::string& path() const { return path_; }

private:
    void remove() const {
        if (path_.starts_with("postgresql:")) return;  // the test server goes with the test program
        remove_sqlite_storage(path_);
    }
    std::string path_;
};

inline std::shared_ptr<const engine::Ruleset> ruleset_from(bytecode::Module module) {
    auto loaded = vm::load_module(std::move(module));
    if (auto* problem = std::get_if<std::string>(&loaded)) FAIL("the compiled rules are refused: " << *problem);
    auto image = std::get<std::shared_ptr<const vm::Image>>(loaded);
    auto version = engine::version_of(*image);
    return std::make_shared<const engine::Ruleset>(engine::Ruleset{std::move(image), std::move(version)});
}

// The shipped rules (rules/planfix.rules and its imports), compiled once.
inline std::shared_ptr<const engine::Ruleset> shipped_rules() {
    static std::shared_ptr<const engine::Ruleset> rules = [] {
        source_dir();
        common::DiagnosticBag bag;
        std::vector<compiler::LoadError> errors;
        auto ws = compiler::load_workspace({"rules/planfix.rules"}, bag, errors);
        auto module = compiler::compile(ws, bag);
        REQUIRE(errors.empty());
        REQUIRE(module);
        return ruleset_from(std::move(*module));
    }();
    return rules;
}

// Rules given as text (imports resolved from the source root: `import "rules/common.rules"`).
inline std::shared_ptr<const engine::Ruleset> rules_from_text(const std::string& text) {
    source_dir();
    common::DiagnosticBag bag;
    auto ws = compiler::workspace_from_text("test.rules", text, bag);
    auto module = compiler::compile(ws, bag);
    if (!module || bag.has_errors()) {
        std::ostringstream out;
        common::render_text(bag.sorted(ws.sources), ws.sources, out);
        FAIL("the rules do not compile:\n" << out.str());
    }
    return ruleset_from(std::move(*module));
}

// Ivan (1, owner, Telegram @ivan_support), Olga (2, @olga), Petr (3, no Telegram); a Telegram
// bot `tg` (@acme_bot, assignee Olga), a Telegram Business account `tgb`, and a Wazzup account
// `wz` with a WhatsApp number and an Instagram account.
inline config::Config test_config() {
    config::Config c;
    c.account_name = "Acme";
    c.plan = "paid";
    c.employees = {{1, "Ivan", true, "ivan_support"}, {2, "Olga", false, "@olga"}, {3, "Petr", false, std::nullopt}};
    config::Integration tg;
    tg.id = "tg";
    tg.name = "Support bot";
    tg.service = config::Service::telegram;
    tg.bot_username = "acme_bot";
    tg.assignees = {2};
    c.integrations.push_back(tg);
    config::Integration tgb;
    tgb.id = "tgb";
    tgb.name = "Acme Business";
    tgb.service = config::Service::telegram_business;
    tgb.bot_username = "acme_business_bot";
    tgb.project = "Sales";
    tgb.extra_assignees = {3};
    c.integrations.push_back(tgb);
    config::Integration wz;
    wz.id = "wz";
    wz.name = "Wazzup";
    wz.service = config::Service::wazzup;
    wz.channels = {{"ch-wa-1", "79990001122", "whatsapp", "Sales WhatsApp", false},
                   {"ch-ig-1", "acme.shop", "instagram", "Instagram", false}};
    c.integrations.push_back(wz);
    return c;
}

inline config::Integration& integration_of(config::Config& c, const std::string& id) {
    for (auto& i : c.integrations)
        if (i.id == id) return i;
    FAIL("no integration " << id);
    throw std::logic_error("unreachable");
}

// ---- events ----

inline adapters::Person tg_user(std::int64_t id, std::string name, std::optional<std::string> username = std::nullopt) {
    adapters::Person p;
    p.external_id = std::to_string(id);
    p.name = std::move(name);
    p.username = std::move(username);
    return p;
}

inline std::int64_t t0() { return 1795255200000; }  // 2026-11-21T10:00:00Z

// The body of a Telegram bot's private message, as the Bot API posts it, for tests that parse
// with the real adapters: update and message `n`, from one of five customers (chats 700 to
// 704), saying "message n".
inline std::string telegram_private_update(std::int64_t n) {
    auto chat = std::to_string(700 + n % 5);
    auto id = std::to_string(n);
    return R"({"update_id": )" + id + R"(, "message": {"message_id": )" + id + R"(, "date": 1763719200, "chat": {"id": )" +
           chat + R"(, "type": "private", "first_name": "C"}, "from": {"id": )" + chat +
           R"(, "is_bot": false, "first_name": "C"}, "text": "message )" + id + R"("}})";
}

// Every comment of every task in `store`, task by task (tests that count what was applied).
inline std::vector<json::object> all_comments(store::Store& store) {
    std::vector<json::object> comments;
    for (const auto& listed : store.tasks(1000, 0)) {
        auto task = store.task(listed.at("id").as_int64());
        REQUIRE(task);
        for (const auto& comment : task->at("comments").as_array()) comments.push_back(comment.as_object());
    }
    return comments;
}

// Olga's (employee 2) comment on `task` to Anna's private Telegram chat 55 ("tg"), queued for
// delivery: what the outbox tests reply.
inline store::NewComment queued_reply(std::int64_t task, std::string text) {
    store::NewComment c;
    c.task = task;
    c.integration = "tg";
    c.chat = "55";
    c.chat_kind = "private";
    c.direction = "outbound";
    c.author = {"employee", 2, "Olga"};
    c.text = std::move(text);
    c.sent_at = c.created_at = t0();
    c.delivery_status = "queued";
    return c;
}

// Part `part` of that comment's delivery: a sendMessage call to chat 55 with `params`.
inline store::NewOutboxMessage reply_row(std::int64_t task, std::int64_t comment, int part, std::string params) {
    store::NewOutboxMessage m;
    m.comment = comment;
    m.task = task;
    m.integration = "tg";
    m.chat = "55";
    m.chat_kind = "private";
    m.method = "sendMessage";
    m.params = std::move(params);
    m.part = part;
    m.at = t0();
    return m;
}

// Customers on Telegram, and the employee Olga's own Telegram account.
inline const adapters::Person anna = tg_user(55, "Anna", "anna");
inline const adapters::Person boris = tg_user(66, "Boris", "boris");
inline const adapters::Person olga_tg = tg_user(202, "Olga", "olga");

// A Telegram message in a private chat with the bot (T1): update `update_id`.
inline adapters::Event tg_private(std::int64_t update_id, const adapters::Person& from, std::int64_t number, std::string text,
                                  std::string integration = "tg") {
    adapters::Event e;
    e.type = adapters::EventType::message;
    e.dedup_key = "tg:" + integration + ":update:" + std::to_string(update_id);
    auto& m = e.message;
    m.number = number;
    m.id = std::to_string(number);
    m.transport = stdlib::Transport::telegram;
    m.chat_kind = stdlib::ChatKind::private_chat;
    m.chat_id = std::stoll(from.external_id);
    m.chat_external_id = from.external_id;
    m.chat_title = from.name;
    m.sender = from;
    m.text = std::move(text);
    m.sent_at_ms = t0() + update_id * 1000;
    return e;
}

inline adapters::Event tg_group(std::int64_t update_id, std::int64_t chat, const adapters::Person& from, std::int64_t number,
                                std::string text) {
    auto e = tg_private(update_id, from, number, std::move(text));
    auto& m = e.message;
    m.chat_kind = stdlib::ChatKind::group;
    m.chat_id = chat;
    m.chat_external_id = std::to_string(chat);
    m.chat_title = "Project chat";
    return e;
}

inline adapters::File file(std::string name, std::string ext, std::int64_t size, std::string kind) {
    adapters::File f;
    f.name = std::move(name);
    f.ext = std::move(ext);
    f.mime = ext == "pdf" ? "application/pdf" : "";
    f.size = size;
    f.kind = *stdlib::parse_enum<stdlib::FileKind>(kind);
    f.source = "file-id-" + f.name;
    return f;
}

inline adapters::Event tg_reaction(std::int64_t update_id, std::int64_t chat, std::int64_t number,
                                   std::optional<adapters::Person> by, std::string emoji, bool added = true) {
    adapters::Event e;
    e.type = adapters::EventType::reaction;
    e.dedup_key = "tg:tg:update:" + std::to_string(update_id);
    auto& r = e.reaction;
    r.chat_external_id = std::to_string(chat);
    r.message_number = number;
    r.emoji = std::move(emoji);
    r.added = added;
    r.anonymous = !by;
    r.by = std::move(by);
    r.at_ms = t0() + update_id * 1000;
    return e;
}

// A Wazzup message item: WhatsApp from `phone`, or Instagram Direct or comment from `account`.
inline adapters::Event wz_message(std::string message_id, std::string transport, std::string chat, std::string name,
                                  std::string text, std::string channel) {
    adapters::Event e;
    e.type = adapters::EventType::message;
    e.dedup_key = "wz:message:" + message_id;
    auto& m = e.message;
    m.id = message_id;
    m.transport = *stdlib::parse_enum<stdlib::Transport>(transport);
    m.chat_kind = transport == "whatsapp" ? stdlib::ChatKind::private_chat : stdlib::ChatKind::direct;
    m.chat_external_id = chat;
    m.chat_title = name;
    m.sender.external_id = chat;
    m.sender.name = name;
    if (transport == "whatsapp") m.sender.phone = chat;
    else m.chat_username = m.sender.username = chat;
    m.channel = std::move(channel);
    m.text = std::move(text);
    m.sent_at_ms = t0();
    return e;
}

inline adapters::Parsed parsed_of(std::vector<adapters::Event> events) {
    adapters::Parsed p;
    p.events = std::move(events);
    return p;
}

// A store, the shipped rules and a worker whose parser reads the events a test posted: accept
// a body as the server does, then process it.
class Bench {
public:
    explicit Bench(config::Config config = test_config(), std::shared_ptr<const engine::Ruleset> rules = shipped_rules())
        : config_(std::move(config)), store_(db_.path()) {
        rulesets_.swap(std::move(rules));
        worker_ = std::make_unique<worker::Worker>(store_, config_, rulesets_,
                                                   [this](const config::Integration&, std::string_view body) {
                                                       auto it = bodies_.find(std::string(body));
                                                       if (it == bodies_.end()) throw adapters::ParseError("not JSON");
                                                       return it->second;
                                                   });
    }

    // Stores a body holding these events, as the server does for a webhook; the inbox id.
    std::int64_t post(std::string integration, std::vector<adapters::Event> events, std::string body = {}) {
        if (body.empty()) body = "body-" + std::to_string(++bodies_made_);
        bodies_[body] = parsed_of(std::move(events));
        return store_.accept(integration, body, t0());
    }
    std::int64_t post_parsed(std::string integration, adapters::Parsed parsed) {
        std::string body = "body-" + std::to_string(++bodies_made_);
        bodies_[body] = std::move(parsed);
        return store_.accept(integration, body, t0());
    }
    // What `body` holds from now on: a fix made after it failed to parse.
    void teach(const std::string& body, std::vector<adapters::Event> events) { bodies_[body] = parsed_of(std::move(events)); }
    // Redelivery: the same bytes again.
    std::int64_t post_again(std::string integration, std::string body) { return store_.accept(integration, body, t0()); }
    std::string last_body() const { return "body-" + std::to_string(bodies_made_); }

    std::size_t process() { return worker_->process_pending(); }
    std::int64_t deliver(std::string integration, std::vector<adapters::Event> events) {
        auto id = post(std::move(integration), std::move(events));
        REQUIRE(process() == 1);
        return id;
    }

    store::Store& store() { return store_; }
    worker::Worker& worker() { return *worker_; }
    engine::RulesetHolder& rulesets() { return rulesets_; }
    config::Config& config() { return config_; }
    const std::string& path() const { return db_.path(); }

    json::object task(std::int64_t id) {
        auto t = store_.task(id);
        REQUIRE(t);
        return *t;
    }
    json::array tasks() { return store_.tasks(1000, 0); }
    json::array comments(std::int64_t task) { return this->task(task).at("comments").as_array(); }

private:
    TempDb db_;
    config::Config config_;
    store::Store store_;
    engine::RulesetHolder rulesets_;
    std::map<std::string, adapters::Parsed> bodies_;
    int bodies_made_ = 0;
    std::unique_ptr<worker::Worker> worker_;
};

inline std::string str(const json::value& v) { return std::string(v.as_string()); }

// The id of the bench's only task.
inline std::int64_t only_task(Bench& b) {
    auto list = b.tasks();
    REQUIRE(list.size() == 1);
    return list[0].at("id").as_int64();
}

}  // namespace switchyard::testing
