#include "tests/support/fake_wazzup.hpp"

#include <boost/json.hpp>

#include <thread>

namespace switchyard::testing {

namespace json = boost::json;

namespace {

std::string field(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace

FakeWazzup::FakeWazzup(std::optional<TlsIdentity> tls) : server_([this](const Recorded& r) { return answer(r); }, std::move(tls)) {}

void FakeWazzup::set_delay(std::chrono::milliseconds delay) {
    std::lock_guard lock(mutex_);
    delay_ = delay;
}

Reply FakeWazzup::error(int status, const std::string& error, const std::string& description) {
    return Reply{status, json::serialize(json::object{{"error", error}, {"description", description}})};
}

Reply FakeWazzup::answer(const Recorded& r) {
    std::lock_guard lock(mutex_);
    if (r.method == "GET" && r.target.starts_with("/files/")) {
        auto f = files_.find(r.target.substr(7));
        if (f == files_.end()) return Reply{404, "not found", "text/plain"};
        return Reply{200, f->second, "application/octet-stream"};
    }
    WazzupCall c;
    c.at = std::chrono::steady_clock::now();
    if (auto a = r.headers.find("authorization"); a != r.headers.end()) c.authorization = a->second;
    boost::system::error_code ec;
    auto v = json::parse(r.body, ec);
    if (!ec && v.is_object()) {
        const auto& o = v.as_object();
        c.channel_id = field(o, "channelId");
        c.chat_type = field(o, "chatType");
        c.chat_id = field(o, "chatId");
        c.text = field(o, "text");
        c.content_uri = field(o, "contentUri");
        c.ref_message_id = field(o, "refMessageId");
        c.crm_user_id = field(o, "crmUserId");
        c.crm_message_id = field(o, "crmMessageId");
        c.has_text = o.contains("text");
        c.has_content_uri = o.contains("contentUri");
    }
    Reply reply;
    if (!script_.empty()) {
        reply = std::move(script_.front());
        script_.pop_front();
    } else if (crm_ids_.contains(c.crm_message_id)) {
        reply = error(400, "repeatedCrmMessageId", "a message with this crmMessageId was sent already");
    } else {
        c.answered_message_id = "wz-msg-" + std::to_string(next_id_++);
        crm_ids_.insert(c.crm_message_id);
        reply = Reply{201, json::serialize(json::object{{"messageId", c.answered_message_id}, {"chatId", c.chat_id}})};
    }
    // A reply that reaches the client may still be cut (close_mid_body): Wazzup took the message.
    if (reply.status == 201 && reply.action != Reply::Action::respond) crm_ids_.insert(c.crm_message_id);
    calls_.push_back(std::move(c));
    if (reply.delay == std::chrono::milliseconds(0)) reply.delay = delay_;
    return reply;
}

std::vector<WazzupCall> FakeWazzup::calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
}

bool FakeWazzup::wait_for(std::size_t n, double seconds) const {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (calls().size() < n) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
}

void FakeWazzup::misbehave(std::vector<Reply> replies) {
    std::lock_guard lock(mutex_);
    for (auto& r : replies) script_.push_back(std::move(r));
}

void FakeWazzup::add_file(const std::string& name, std::string bytes) {
    std::lock_guard lock(mutex_);
    files_[name] = std::move(bytes);
}

}  // namespace switchyard::testing
