// The two messengers as the fault matrix (outbound_faults_test.cpp) sees them alike: a server
// whose integration calls a fake of the platform, one customer who has written, replies to
// that customer, and each fault as that platform says it.
#pragma once

#include "tests/server/wazzup_support.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace switchyard::testing {

// `[outbound] max_attempts` set to `attempts` in a configuration the tests write with 3.
inline std::string with_max_attempts(const std::string& toml, std::uint32_t attempts) {
    return replace_all(toml, "max_attempts = 3", "max_attempts = " + std::to_string(attempts));
}

inline std::string ca_file_key() { return "ca_file = \"" + test_ca_file().string() + "\""; }

// A message's delivery as the API shows it: its state, and the reason of a failure ("" when
// there is none).
inline std::string state_of(const boost::json::object& delivery) {
    return delivery.contains("state") ? std::string(delivery.at("state").as_string()) : std::string();
}
inline std::string error_of(const boost::json::object& delivery) {
    const auto* e = delivery.if_contains("error");
    return e && e->is_string() ? std::string(e->as_string()) : std::string();
}

// What both sides share once their server runs and the customer has written.
template <class Fake>
struct SideBase {
    std::int64_t reply(const std::string& text) {
        return posted(call(server, "POST", "/api/v1/tasks/" + std::to_string(task) + "/comments", reply_to_contact(text)));
    }
    boost::json::object delivery(std::int64_t comment) {
        auto d = comment_of(server, task, comment).at("delivery");
        return d.is_object() ? d.as_object() : boost::json::object{};
    }
    boost::json::object settled(std::int64_t comment, double seconds = 10) { return settled_delivery(server, task, comment, seconds); }
    std::int64_t counter(const std::string& name) const { return labeled_metric(server.port(), name, integration); }
    // Waits until the outbox counted `n` retries (or `seconds` passed): the fault was met.
    bool wait_for_retries(std::int64_t n, double seconds = 10) const {
        auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
        while (counter("switchyard_outbox_retried_total") < n) {
            if (std::chrono::steady_clock::now() > deadline) return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
        }
        return true;
    }

    std::string integration;
    Fake fake;  // before the server, whose configuration names its URL
    ServerProcess server;
    std::int64_t task = 0;

protected:
    // `toml` makes the server's configuration for the fake; `[outbound] ca_file` is added when
    // the fake speaks TLS.
    template <class Toml>
    SideBase(std::string integration_id, std::uint32_t max_attempts, std::optional<TlsIdentity> tls, Toml toml)
        : integration(std::move(integration_id)), fake(tls),
          server(with_max_attempts(toml(fake, tls ? ca_file_key() : std::string()), max_attempts), "faults-" + integration) {
        server.start();
    }
};

// Telegram: the bot `tg`, Anna (chat 555) has written.
struct TelegramSide : SideBase<FakeTelegram> {
    explicit TelegramSide(std::uint32_t max_attempts = 3, std::optional<TlsIdentity> tls = {})
        : SideBase("tg", max_attempts, std::move(tls), [](const FakeTelegram& f, const std::string& keys) { return outbound_toml(f, keys); }) {
        post_webhook(server, "tg", private_text(1, 555, "Hello, I need an invoice", 41));
        task = first_task(server);
    }
    // Requests for messages that reached the platform (refused ones included).
    std::size_t sends() const { return fake.calls("sendMessage").size(); }

    static Reply server_error() { return FakeTelegram::error(502, "Bad Gateway"); }
    static std::string server_error_words() { return "Bad Gateway"; }
    // Telegram took the message (it answers `ok`), and then the answer does not come back whole.
    static Reply taken_then(Reply::Action action) {
        Reply r{200, R"({"ok":true,"result":{"message_id":77,"date":0,"chat":{"id":555}}})"};
        r.action = action;
        return r;
    }
};

// Wazzup: the account `wz`, a WhatsApp customer has written on `wa-channel`.
struct WazzupSide : SideBase<FakeWazzup> {
    explicit WazzupSide(std::uint32_t max_attempts = 3, std::optional<TlsIdentity> tls = {})
        : SideBase("wz", max_attempts, std::move(tls),
                   [](const FakeWazzup& f, const std::string& keys) { return wazzup_toml(f, "https://switchyard.example.com", keys); }) {
        post_wazzup(server, boost::json::object{{"messages", boost::json::array{wazzup_message(
                                                                 "in-1", "wa-channel", "whatsapp", "79991234567", "Hello, where is my order?")}}});
        task = first_task(server);
    }
    std::size_t sends() const { return fake.calls().size(); }

    static Reply server_error() { return FakeWazzup::error(503, "serviceUnavailable", "Wazzup is down for maintenance"); }
    static std::string server_error_words() { return "Wazzup is down for maintenance"; }
    // Wazzup took the message (it answers 201), and then the answer does not come back whole:
    // the fake remembers the crmMessageId as taken, as Wazzup would.
    static Reply taken_then(Reply::Action action) {
        Reply r{201, R"({"messageId":"wz-msg-taken","chatId":"79991234567"})"};
        r.action = action;
        return r;
    }
};

}  // namespace switchyard::testing
