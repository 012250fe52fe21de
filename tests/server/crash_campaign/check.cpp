#include "tests/server/crash_campaign/check.hpp"

#include "tests/server/crash_campaign/config.hpp"
#include "tests/server/harness.hpp"

#include <boost/json.hpp>

#include <cstdlib>
#include <map>
#include <stdexcept>

namespace switchyard::campaign {

namespace json = boost::json;

namespace {

struct OutboundComment {
    std::int64_t id = 0;
    std::string text;
    std::string state;  // empty: not sent (internal)
    std::string error;
};

// The tracker as the API shows it.
struct Tracker {
    std::map<std::string, int> inbound_texts;  // text -> comments with it
    std::vector<std::vector<std::string>> inbound_by_task;  // each task's inbound texts, in the order of their comments
    std::map<std::int64_t, OutboundComment> outbound;
    std::map<std::string, std::int64_t> outbound_by_text;
};

json::value get(std::uint16_t port, const std::string& target) {
    auto r = testing::http_request(port, "GET", target, {}, {{"Authorization", api_token_header()}});
    if (r.status != 200) throw std::runtime_error("GET " + target + ": " + std::to_string(r.status) + " " + r.body);
    return json::parse(r.body);
}

std::string text_or_empty(const json::value* v) { return v && v->is_string() ? std::string(v->as_string()) : std::string(); }

void read_comment(const json::object& c, Tracker& tracker) {
    auto direction = text_or_empty(c.if_contains("direction"));
    auto text = text_or_empty(c.if_contains("text"));
    if (direction == "inbound") {
        ++tracker.inbound_texts[text];
        return;
    }
    if (direction != "outbound") return;
    OutboundComment o{c.at("id").as_int64(), text, {}, {}};
    if (const auto* d = c.if_contains("delivery"); d && d->is_object()) {
        o.state = text_or_empty(d->as_object().if_contains("state"));
        o.error = text_or_empty(d->as_object().if_contains("error"));
    }
    tracker.outbound_by_text[text] = o.id;
    tracker.outbound[o.id] = std::move(o);
}

Tracker read_tracker(std::uint16_t port) {
    Tracker tracker;
    std::int64_t after = 0;
    for (;;) {
        auto page = get(port, "/api/v1/tasks?limit=1000&after=" + std::to_string(after)).at("tasks").as_array();
        if (page.empty()) return tracker;
        for (const auto& t : page) {
            after = t.at("id").as_int64();
            auto task = get(port, "/api/v1/tasks/" + std::to_string(after));
            auto& in_order = tracker.inbound_by_task.emplace_back();
            for (const auto& c : task.at("comments").as_array()) {
                read_comment(c.as_object(), tracker);
                if (text_or_empty(c.as_object().if_contains("direction")) == "inbound")
                    in_order.push_back(text_or_empty(c.as_object().if_contains("text")));
            }
        }
    }
}

void check_webhooks(const Ledger& ledger, const Tracker& tracker, Report& report) {
    auto& w = report.webhooks;
    w.posted = static_cast<int>(ledger.webhooks().size());
    w.acknowledged = static_cast<int>(ledger.acknowledged().size());
    w.posts_without_answer = ledger.post_failures();
    for (const auto& webhook : ledger.webhooks()) {
        auto found = tracker.inbound_texts.find(webhook.text);
        int times = found == tracker.inbound_texts.end() ? 0 : found->second;
        bool acknowledged = ledger.acknowledged().contains(webhook.index);
        if (acknowledged && times == 1) ++w.applied;
        if (acknowledged && times == 0) {
            ++w.lost;
            report.problems.push_back("webhook " + std::to_string(webhook.index) + " (" + webhook.text + ") was acknowledged but never applied");
        }
    }
    for (const auto& [text, times] : tracker.inbound_texts)
        if (times > 1) {
            ++w.applied_twice;
            report.problems.push_back("`" + text + "` was applied " + std::to_string(times) + " times");
        }
}

// A customer's messages are posted one after another, each once the one before was answered
// 200, so their comments must come in the order of the webhooks' indexes (`tg message 17`):
// the comments of a task are in the order they were made.
int index_of(const std::string& text) {
    auto space = text.rfind(' ');
    return space == std::string::npos ? -1 : std::atoi(text.c_str() + space + 1);
}

void check_order(const Tracker& tracker, Report& report) {
    for (const auto& texts : tracker.inbound_by_task)
        for (std::size_t i = 1; i < texts.size(); ++i)
            if (index_of(texts[i]) < index_of(texts[i - 1])) {
                ++report.webhooks.out_of_order;
                report.problems.push_back("`" + texts[i] + "` was applied after `" + texts[i - 1] + "`, which came later");
            }
}

// How many times each text reached the fake APIs; for Wazzup, only the calls it accepted.
struct Received {
    std::map<std::string, int> telegram;
    std::map<std::string, int> wazzup_accepted;
    int times(const std::string& integration, const std::string& text) const {
        const auto& counts = integration == "wz" ? wazzup_accepted : telegram;
        auto found = counts.find(text);
        return found == counts.end() ? 0 : found->second;
    }
};

Received count_received(const testing::FakeTelegram& telegram, const testing::FakeWazzup& wazzup, Report& report) {
    Received received;
    for (const auto& call : telegram.calls("sendMessage")) ++received.telegram[call.text];
    report.telegram.requests = static_cast<int>(telegram.calls("sendMessage").size());
    for (const auto& [text, times] : received.telegram) report.telegram.duplicates += times - 1;

    for (const auto& call : wazzup.calls()) {
        ++report.wazzup.requests;
        if (call.answered_message_id.empty()) {
            ++report.wazzup.repeats_refused;
            continue;
        }
        ++report.wazzup.accepted;
        ++received.wazzup_accepted[call.text];
    }
    for (const auto& [text, times] : received.wazzup_accepted)
        if (times > 1) {
            report.wazzup.duplicates += times - 1;
            report.problems.push_back("Wazzup accepted `" + text + "` " + std::to_string(times) + " times");
        }
    return received;
}

void check_replies(const Ledger& ledger, const Tracker& tracker, const Received& received, Report& report) {
    auto& p = report.replies;
    p.queued = static_cast<int>(ledger.replies_acknowledged().size());
    for (const auto& reply : ledger.replies_acknowledged()) {
        if (received.times(reply.integration, reply.text) > 0) {
            ++p.delivered;
            continue;
        }
        ++p.lost;
        auto comment = tracker.outbound.find(reply.comment);
        auto state = comment == tracker.outbound.end() ? std::string("missing from the tracker")
                                                       : comment->second.state + " " + comment->second.error;
        report.problems.push_back("reply `" + reply.text + "` (comment " + std::to_string(reply.comment) +
                                  ") was queued but never reached the API: " + state);
    }
    p.unanswered = static_cast<int>(ledger.replies_unanswered().size());
    for (const auto& reply : ledger.replies_unanswered())
        if (tracker.outbound_by_text.contains(reply.text)) ++p.unanswered_stored;
    for (const auto& [answer, times] : ledger.replies_refused()) {
        p.refused += times;
        // A 4xx is the rules' or the input's refusal, a 5xx the server failing: only that is a problem.
        if (answer.starts_with("5")) report.problems.push_back(std::to_string(times) + " replies answered " + answer);
    }
}

void check_outbound_states(const Tracker& tracker, Report& report) {
    auto& o = report.outbound;
    for (const auto& [id, comment] : tracker.outbound) {
        if (comment.state.empty()) continue;  // internal: never meant to leave
        ++o.comments;
        if (comment.state == "sent" || comment.state == "delivered" || comment.state == "read") {
            ++o.sent;
        } else if (comment.state == "failed") {
            if (comment.error.empty()) {
                ++o.failed_without_reason;
                report.problems.push_back("comment " + std::to_string(id) + " failed without a reason");
            } else {
                ++o.failed_with_reason;
                report.problems.push_back("comment " + std::to_string(id) + " failed: " + comment.error);
            }
        } else {
            ++o.left_pending;
            report.problems.push_back("comment " + std::to_string(id) + " was left " + comment.state);
        }
    }
}

// Telegram cannot deduplicate: a message may arrive twice only when its request was in flight
// at a kill (resent at the restart) or when a retry followed a request the platform may have
// taken (uncertain). More duplicates than that is a problem.
void check_duplicate_bound(Report& report) {
    const auto& t = report.telegram;
    if (t.duplicates > t.in_flight_at_kills + t.uncertain)
        report.problems.push_back("Telegram got " + std::to_string(t.duplicates) + " duplicates, more than the " +
                                  std::to_string(t.in_flight_at_kills + t.uncertain) + " requests in flight at kills or uncertain");
}

}  // namespace

void check_campaign(std::uint16_t port, const Ledger& ledger, const testing::FakeTelegram& telegram, const testing::FakeWazzup& wazzup,
                    Report& report) {
    auto tracker = read_tracker(port);
    report.webhooks.inbox_failed = testing::metric(port, "switchyard_inbox_failed");
    if (report.webhooks.inbox_failed != 0)
        report.problems.push_back(std::to_string(report.webhooks.inbox_failed) + " inbox rows failed");
    check_webhooks(ledger, tracker, report);
    check_order(tracker, report);
    auto received = count_received(telegram, wazzup, report);
    check_replies(ledger, tracker, received, report);
    check_outbound_states(tracker, report);
    check_duplicate_bound(report);
}

}  // namespace switchyard::campaign
