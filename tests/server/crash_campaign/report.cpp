#include "tests/server/crash_campaign/report.hpp"

#include <boost/json.hpp>

#include <iomanip>

namespace switchyard::campaign {

namespace json = boost::json;

void print_text(const Report& r, std::ostream& out) {
    out << std::fixed << std::setprecision(1);
    out << "crash campaign: " << r.kills << " kills (SIGKILL) of " << r.servers << " server(s) on " << r.storage << ", seed "
        << r.seed << ", " << r.webhook_rate << " webhooks/s, " << r.reply_rate << " replies/s\n";
    out << "  time:      " << r.traffic_seconds << " s of traffic, " << r.drain_seconds << " s to drain, " << r.wall_seconds
        << " s in all\n";
    const auto& w = r.webhooks;
    out << "  webhooks:  " << w.posted << " posted, " << w.acknowledged << " acknowledged (200), " << w.applied
        << " applied exactly once, " << w.lost << " lost, " << w.applied_twice << " applied twice; " << w.posts_without_answer
        << " posts cut by a kill and posted again; inbox failed " << w.inbox_failed << "; " << w.out_of_order
        << " out of order\n";
    const auto& p = r.replies;
    out << "  replies:   " << p.queued << " queued (201), " << p.delivered << " delivered, " << p.lost << " lost; " << p.unanswered
        << " unanswered at a kill (" << p.unanswered_stored << " of them stored and delivered), " << p.refused << " refused\n";
    const auto& o = r.outbound;
    out << "  outbox:    " << o.comments << " outbound comments: " << o.sent << " sent, " << o.failed_with_reason
        << " failed with a reason, " << o.failed_without_reason << " failed without one, " << o.left_pending << " left queued\n";
    const auto& t = r.telegram;
    out << "  telegram:  " << t.requests << " sendMessage calls, " << t.duplicates << " duplicates (bound: "
        << t.in_flight_at_kills << " in flight at kills + " << t.uncertain << " uncertain retries)\n";
    const auto& z = r.wazzup;
    out << "  wazzup:    " << z.requests << " calls seen, " << z.accepted << " accepted, " << z.repeats_refused
        << " repeats refused by crmMessageId, " << z.duplicates << " duplicates\n";
    out << "  lost:      " << (w.lost + p.lost) << "\n";
    if (r.ok()) {
        out << "OK\n";
        return;
    }
    out << "FAILED: " << r.problems.size() << " problem(s)\n";
    for (const auto& problem : r.problems) out << "  - " << problem << "\n";
}

void print_json(const Report& r, std::ostream& out) {
    const auto& w = r.webhooks;
    const auto& p = r.replies;
    const auto& o = r.outbound;
    const auto& t = r.telegram;
    const auto& z = r.wazzup;
    json::array problems;
    for (const auto& problem : r.problems) problems.emplace_back(problem);
    json::object report{
        {"ok", r.ok()},
        {"seed", r.seed},
        {"kills", r.kills},
        {"servers", r.servers},
        {"storage", r.storage},
        {"webhook_rate", r.webhook_rate},
        {"reply_rate", r.reply_rate},
        {"seconds", json::object{{"traffic", r.traffic_seconds}, {"drain", r.drain_seconds}, {"wall", r.wall_seconds}}},
        {"webhooks", json::object{{"posted", w.posted}, {"acknowledged", w.acknowledged}, {"applied", w.applied},
                                  {"lost", w.lost}, {"applied_twice", w.applied_twice},
                                  {"posts_without_answer", w.posts_without_answer}, {"inbox_failed", w.inbox_failed},
                                  {"out_of_order", w.out_of_order}}},
        {"replies", json::object{{"queued", p.queued}, {"delivered", p.delivered}, {"lost", p.lost}, {"unanswered", p.unanswered},
                                 {"unanswered_stored", p.unanswered_stored}, {"refused", p.refused}}},
        {"outbound", json::object{{"comments", o.comments}, {"sent", o.sent}, {"failed_with_reason", o.failed_with_reason},
                                  {"failed_without_reason", o.failed_without_reason}, {"left_pending", o.left_pending}}},
        {"telegram", json::object{{"requests", t.requests}, {"duplicates", t.duplicates},
                                  {"in_flight_at_kills", t.in_flight_at_kills}, {"uncertain", t.uncertain}}},
        {"wazzup", json::object{{"requests", z.requests}, {"accepted", z.accepted}, {"repeats_refused", z.repeats_refused},
                                {"duplicates", z.duplicates}}},
        {"lost", w.lost + p.lost},
        {"problems", problems},
    };
    out << json::serialize(report) << "\n";
}

}  // namespace switchyard::campaign
