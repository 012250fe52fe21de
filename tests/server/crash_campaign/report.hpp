// The crash campaign's report: what was sent, what the server acknowledged, what it applied and
// delivered, the duplicates and their bound, and every problem found (a loss, a double
// application, a message left undelivered). Printed as text or as JSON.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace switchyard::campaign {

struct Report {
    std::uint64_t seed = 0;
    int kills = 0;
    int servers = 1;        // on one database (PostgreSQL when more than one)
    std::string storage;    // sqlite or postgresql
    double webhook_rate = 0, reply_rate = 0;
    double traffic_seconds = 0;  // from the first webhook to the end of the traffic
    double drain_seconds = 0;    // then until the inbox and the outbox were empty
    double wall_seconds = 0;

    struct Webhooks {
        int posted = 0;
        int acknowledged = 0;           // answered 200
        int applied = 0;                // acknowledged ones found exactly once as a comment
        int lost = 0;                   // acknowledged ones found nowhere
        int applied_twice = 0;          // any text found more than once
        int posts_without_answer = 0;   // posts the server did not answer 200 (killed): posted again
        std::int64_t inbox_failed = 0;  // rows the worker could not apply
        int out_of_order = 0;           // a customer's message applied before an earlier one of theirs
    } webhooks;

    struct Replies {
        int queued = 0;             // answered 201: in the outbox
        int delivered = 0;          // of those, reached the fake API at least once
        int lost = 0;               // of those, never reached it
        int unanswered = 0;         // the kill cut the API's answer: stored or not
        int unanswered_stored = 0;  // of those, written nonetheless (then delivered like the rest)
        int refused = 0;            // answered another status (listed as problems only if 5xx)
    } replies;

    struct Outbound {
        int comments = 0;               // outbound comments in the tracker
        int sent = 0;                   // sent (or delivered, read)
        int failed_with_reason = 0;     // failed, the reason shown
        int failed_without_reason = 0;  // failed with no reason: a problem
        int left_pending = 0;           // queued or sending after the drain: a problem
    } outbound;

    struct Telegram {
        int requests = 0;                   // sendMessage calls the fake read
        int duplicates = 0;                 // calls beyond the first for one text
        std::int64_t in_flight_at_kills = 0;  // rows found `sending` at the restarts (resent)
        std::int64_t uncertain = 0;         // retries of requests the platform may have taken
    } telegram;

    struct Wazzup {
        int requests = 0;         // POST /v3/message calls the fake read
        int accepted = 0;         // answered 201: what the customers received
        int repeats_refused = 0;  // answered repeatedCrmMessageId: a resend that Wazzup's dedup absorbed
        int duplicates = 0;       // a text accepted more than once: a customer got it twice
    } wazzup;

    std::vector<std::string> problems;
    bool ok() const { return problems.empty(); }
};

void print_text(const Report& report, std::ostream& out);
void print_json(const Report& report, std::ostream& out);

}  // namespace switchyard::campaign
