// A fake Wazzup API v3 for end-to-end tests, on FakeHttpServer: `POST /v3/message` answers 201
// with a new `messageId` (a crmMessageId seen before gets 400 `repeatedCrmMessageId`, as Wazzup
// does), every call is recorded, and the next calls can be told to misbehave; it can answer
// slowly, over TLS, or not at all (taken down: nothing listens on its port). It also serves
// files at `/files/{name}`, standing in for Wazzup's contentUri of customers' files.
#pragma once

#include "tests/support/fake_http.hpp"

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace switchyard::testing {

struct WazzupCall {
    std::string authorization;
    std::string channel_id, chat_type, chat_id;
    std::string text, content_uri, ref_message_id, crm_user_id, crm_message_id;
    bool has_text = false;
    bool has_content_uri = false;
    std::string answered_message_id;  // what the fake answered with; empty for a refusal
    std::chrono::steady_clock::time_point at;
};

class FakeWazzup {
public:
    // HTTPS when `tls` is given: the test CA's `server` identity, or `rogue` to be refused.
    explicit FakeWazzup(std::optional<TlsIdentity> tls = {});

    std::string base_url() const { return server_.base_url(); }
    std::vector<WazzupCall> calls() const;
    bool wait_for(std::size_t n, double seconds = 10) const;

    // The next calls get these replies instead of success, in order.
    void misbehave(std::vector<Reply> replies);
    // Every answer from now on waits this long (a slow API, for the crash campaign).
    void set_delay(std::chrono::milliseconds delay);
    // Nothing listens on the port (connection refused) until `come_up`; calls recorded are kept.
    void go_down() { server_.stop_serving(); }
    void come_up() { server_.resume_serving(); }
    // A file customers send, served at base_url() + "/files/" + name.
    void add_file(const std::string& name, std::string bytes);

    static Reply error(int status, const std::string& error, const std::string& description);

private:
    Reply answer(const Recorded& r);

    mutable std::mutex mutex_;
    std::deque<Reply> script_;
    std::vector<WazzupCall> calls_;
    std::set<std::string> crm_ids_;  // crmMessageIds answered with success
    std::map<std::string, std::string> files_;
    int next_id_ = 1;
    std::chrono::milliseconds delay_{0};
    FakeHttpServer server_;  // last: stopped first
};

}  // namespace switchyard::testing
