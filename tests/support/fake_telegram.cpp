#include "tests/support/fake_telegram.hpp"

#include "tests/support/multipart_parse.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <thread>

namespace switchyard::testing {

namespace json = boost::json;

namespace {

std::string text_of(const json::value* v) {
    if (!v) return {};
    if (v->is_string()) return std::string(v->as_string());
    if (v->is_int64()) return std::to_string(v->as_int64());
    return json::serialize(*v);
}

// `/bot<token>/<method>` or `/file/bot<token>/<path>`.
void read_target(const std::string& target, TelegramCall& c) {
    std::string_view t = target;
    if (t.starts_with("/file/bot")) {
        c.method = "file";
        t.remove_prefix(9);
        c.token = std::string(t.substr(0, t.find('/')));
        c.text = std::string(t.substr(t.find('/') + 1));
        return;
    }
    if (auto bot = t.find("/bot"); bot != std::string_view::npos) t.remove_prefix(bot + 4);
    auto slash = t.find('/');
    c.token = std::string(t.substr(0, slash));
    if (slash != std::string_view::npos) c.method = std::string(t.substr(slash + 1));
}

void read_json(const std::string& body, TelegramCall& c) {
    boost::system::error_code ec;
    auto v = json::parse(body, ec);
    if (ec || !v.is_object()) return;
    const auto& o = v.as_object();
    c.chat_id = text_of(o.if_contains("chat_id"));
    c.text = text_of(o.if_contains("text"));
    if (o.contains("business_connection_id")) c.business_connection_id = text_of(o.if_contains("business_connection_id"));
    if (const auto* r = o.if_contains("reply_parameters"); r && r->is_object())
        if (const auto* id = r->as_object().if_contains("message_id"); id && id->is_int64()) c.reply_to = id->as_int64();
    if (const auto* id = o.if_contains("message_id"); id && id->is_int64()) c.message_id = id->as_int64();
    if (const auto* r = o.if_contains("reaction"); r && r->is_array())
        for (const auto& e : r->as_array())
            if (e.is_object()) c.reaction.push_back(text_of(e.as_object().if_contains("emoji")));
    if (const auto* f = o.if_contains("file_id")) c.text = text_of(f);
}

void read_multipart(const Recorded& r, TelegramCall& c) {
    c.multipart = true;
    auto parsed = multipart_parse(r.content_type, r.body);
    const auto* parts = std::get_if<std::vector<ParsedPart>>(&parsed);
    if (!parts) return;
    for (const auto& p : *parts) {
        if (p.name == "chat_id") c.chat_id = p.data;
        else if (p.name == "caption") c.text = p.data;
        else if (p.name == "business_connection_id") c.business_connection_id = p.data;
        else if (p.name == "reply_parameters") {
            auto v = json::parse(p.data);
            c.reply_to = v.as_object().at("message_id").as_int64();
        } else if (p.filename) {
            c.file_field = p.name;
            c.file_name = *p.filename;
            c.file_bytes = p.data;
        }
    }
}

}  // namespace

FakeTelegram::FakeTelegram(std::optional<TlsIdentity> tls) : server_([this](const Recorded& r) { return answer(r); }, std::move(tls)) {}

Reply FakeTelegram::error(int status, const std::string& description, std::optional<int> retry_after) {
    json::object o{{"ok", false}, {"error_code", status}, {"description", description}};
    if (retry_after) o["parameters"] = json::object{{"retry_after", *retry_after}};
    return Reply{status, json::serialize(o)};
}

void FakeTelegram::set_delay(std::chrono::milliseconds delay) {
    std::lock_guard lock(mutex_);
    delay_ = delay;
}

Reply FakeTelegram::answer(const Recorded& r) {
    auto reply = reply_to(r);
    std::lock_guard lock(mutex_);
    if (reply.delay == std::chrono::milliseconds(0)) reply.delay = delay_;
    return reply;
}

Reply FakeTelegram::reply_to(const Recorded& r) {
    TelegramCall c;
    c.at = std::chrono::steady_clock::now();
    c.content_type = r.content_type;
    read_target(r.target, c);
    if (r.content_type.starts_with("multipart/form-data")) read_multipart(r, c);
    else read_json(r.body, c);
    std::lock_guard lock(mutex_);
    calls_.push_back(c);
    if (c.method == "getFile") {
        auto f = files_.find(c.text);
        if (f == files_.end()) return error(400, "Bad Request: invalid file_id");
        if (f->second.second > 20000000) return error(400, "Bad Request: file is too big");
        json::object result{{"file_id", c.text}, {"file_size", f->second.second}, {"file_path", "documents/" + c.text}};
        return Reply{200, json::serialize(json::object{{"ok", true}, {"result", result}})};
    }
    if (c.method == "file") {
        auto id = c.text.substr(c.text.find('/') + 1);
        auto f = files_.find(id);
        if (f == files_.end()) return Reply{404, "Not Found", "text/plain"};
        return Reply{200, f->second.first, "application/octet-stream"};
    }
    if (!script_.empty()) {
        auto reply = std::move(script_.front());
        script_.pop_front();
        return reply;
    }
    if (c.method == "setMessageReaction") return Reply{200, R"({"ok":true,"result":true})"};
    json::object message{{"message_id", next_message_id_++}, {"date", 1764930000}, {"chat", json::object{{"id", c.chat_id}}}};
    return Reply{200, json::serialize(json::object{{"ok", true}, {"result", message}})};
}

std::vector<TelegramCall> FakeTelegram::calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
}

std::vector<TelegramCall> FakeTelegram::calls(std::string_view method) const {
    std::vector<TelegramCall> out;
    for (auto& c : calls())
        if (c.method == method) out.push_back(std::move(c));
    return out;
}

bool FakeTelegram::wait_for(std::size_t n, std::string_view method, double seconds) const {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    for (;;) {
        auto got = method.empty() ? calls().size() : calls(method).size();
        if (got >= n) return true;
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

void FakeTelegram::misbehave(std::vector<Reply> replies) {
    std::lock_guard lock(mutex_);
    for (auto& r : replies) script_.push_back(std::move(r));
}

void FakeTelegram::add_file(const std::string& file_id, std::string bytes, std::int64_t reported_size) {
    std::lock_guard lock(mutex_);
    auto size = reported_size >= 0 ? reported_size : static_cast<std::int64_t>(bytes.size());
    files_[file_id] = {std::move(bytes), size};
}

}  // namespace switchyard::testing
