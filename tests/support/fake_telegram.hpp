// A fake Telegram Bot API for end-to-end tests, on FakeHttpServer: it answers the methods the
// outbox calls as Telegram does (`{"ok":true,"result":{"message_id":N,…}}`), serves getFile and
// file downloads for the files a test gives it, records every call read into a TelegramCall
// (method, chat, text, file or not, business connection), and can be told to misbehave for the
// next calls (an error, a 429, a timeout, a close mid-answer), or be taken down (nothing listens
// on its port) and brought back.
#pragma once

#include "tests/support/fake_http.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace switchyard::testing {

struct TelegramCall {
    std::string method;  // sendMessage, sendDocument, setMessageReaction, getFile, file (a download)
    std::string token;   // the bot token of the path
    std::string chat_id;
    std::string text;    // text, or caption
    std::optional<std::string> business_connection_id;
    std::optional<std::int64_t> reply_to;   // reply_parameters.message_id
    std::optional<std::int64_t> message_id;  // setMessageReaction
    std::vector<std::string> reaction;       // setMessageReaction: the emoji set (empty: removed)
    std::string file_field;                  // the multipart part that held the upload (`document`, …)
    std::string file_name;
    std::string file_bytes;
    bool multipart = false;
    std::string content_type;
    std::chrono::steady_clock::time_point at;  // when it was read
};

class FakeTelegram {
public:
    // HTTPS when `tls` is given: the test CA's `server` identity, or `rogue` to be refused.
    explicit FakeTelegram(std::optional<TlsIdentity> tls = {});

    std::string base_url() const { return server_.base_url(); }
    std::vector<TelegramCall> calls() const;
    std::vector<TelegramCall> calls(std::string_view method) const;
    // Waits until at least `n` calls of `method` (every method when empty) are recorded.
    bool wait_for(std::size_t n, std::string_view method = {}, double seconds = 10) const;
    std::size_t connections() const { return server_.connections(); }

    // The next calls (of the send methods) get these replies instead of success, in order.
    void misbehave(std::vector<Reply> replies);
    // Every answer from now on waits this long (a slow API, for the kill test and the benchmark).
    void set_delay(std::chrono::milliseconds delay);
    // Nothing listens on the port (connection refused) until `come_up`; calls recorded are kept.
    void go_down() { server_.stop_serving(); }
    void come_up() { server_.resume_serving(); }
    // getFile and the download of `file_id`.
    void add_file(const std::string& file_id, std::string bytes, std::int64_t reported_size = -1);

    static Reply error(int status, const std::string& description, std::optional<int> retry_after = {});

private:
    Reply answer(const Recorded& r);
    Reply reply_to(const Recorded& r);

    mutable std::mutex mutex_;
    std::deque<Reply> script_;
    std::vector<TelegramCall> calls_;
    std::map<std::string, std::pair<std::string, std::int64_t>> files_;  // file_id -> bytes, size reported
    std::int64_t next_message_id_ = 1000;
    std::chrono::milliseconds delay_{0};
    FakeHttpServer server_;  // last: stopped first, while the rest is still there
};

}  // namespace switchyard::testing
