// Recorded cases (issue 15): what the engine was given each time the worker asked it, kept with
// the decision log so that a decision can be run again, by the same ruleset (to explain it) or
// by another (to replay it), with no store to ask.
//
// A recorded case holds only what the chosen policies could read: the facts of their
// footprints, and the fact queries they asked with their answers. It is a case file
// (docs/cases.md) with three keys beside it, so `switchyard eval` runs it as it is:
//   {"kinds": ["routing"],              the kinds asked
//    "decisions": 1,                    how many decisions of the log's row this ask made
//    "read": ["message", "channel"],    the facts whose values are exact (a fact listed and not
//                                       in the case was none)
//    "left_out": ["task.history"],      fields of those facts the caller fills only when read,
//                                       and did not fill (they hold their defaults)
//    "asked": {"member_of": [[7, -100]], "has_role": [[7, 90]], "last_message_with": [7]},
//    "same": ["message"],               facts given as an earlier ask of the same event gave them
//    "case": {...}}                     the other facts, and the answers under `facts`
// To keep it small, a record leaves out its fields at their defaults (none, false, 0, "", []),
// as a case file may: reading it back gives the same values.
#pragma once

#include "runtime/engine/engine.hpp"

#include <boost/json.hpp>

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::engine {

// One fact query a policy asked, with the answer it got.
struct Asked {
    enum class Query : std::uint8_t { member_of, has_role, last_message_with };
    Query query = Query::member_of;
    std::int64_t person = 0;
    std::int64_t about = 0;      // the chat (member_of) or the task (has_role)
    bool answer = false;         // member_of, has_role
    vm::Value message;           // last_message_with: a message record or none (in the case's arena)
};

// Fact queries that ask another and remember each question with its answer, until forget().
class RecordingQueries final : public vm::FactQueries {
public:
    void wrap(const vm::FactQueries* inner) { inner_ = inner; }
    bool member_of(const vm::Value& person, const vm::Value& chat) const override;
    bool has_role(const vm::Value& person, const vm::Value& task) const override;
    vm::Value last_message_with(const vm::Value& person) const override;

    std::span<const Asked> asked() const { return asked_; }
    void forget() { asked_.clear(); }

private:
    const vm::FactQueries* inner_ = nullptr;
    mutable std::vector<Asked> asked_;
};

// A field that its caller fills only when a policy reads it (a query of its own): when the
// policies asked do not read it, the recorded case says it was left out.
struct CostlyField {
    Fact fact;
    std::string_view field;
};

// The facts the earlier asks of one event recorded: a fact still the same value (not set again,
// the case not cleared since) is written as `same` rather than again.
class Written {
public:
    bool same(const Case& c, std::size_t fact) const;
    void wrote(const Case& c, std::size_t fact);

private:
    std::uint64_t generation_ = 0;
    std::array<vm::Value, fact_count> values_{};
    std::uint32_t written_ = 0;  // bit i: values_[i] holds what fact i was last written as
};

// The recorded form of the engine's last decide() on `c` for `kinds`, which made `decisions`
// decisions of the log, built in `sp`.
boost::json::object record_case(const Engine& engine, const Case& c, KindSet kinds, std::span<const Asked> asked,
                                std::span<const CostlyField> costly, std::size_t decisions, Written& written,
                                const boost::json::storage_ptr& sp = {});

// A recorded case read back for a ruleset (the one that decided it, or a candidate).
struct Recorded {
    KindSet kinds = 0;
    std::size_t decisions = 0;
    FactSet read = 0;
    std::vector<std::string> left_out;  // `task.history`
    struct Question {
        Asked::Query query;
        std::int64_t person = 0, about = 0;
        friend bool operator==(const Question&, const Question&) = default;
    };
    std::vector<Question> asked;
    Case kase;
};

// Throws CaseError when the recording does not fit the image's schema (another schema, a fact
// or kind renamed since). `earlier`: the asks of the same event before it, which its `same`
// facts are taken from.
Recorded read_recorded(const vm::Image& image, const boost::json::value& recorded,
                       std::span<const boost::json::value> earlier = {});

// What a ruleset would need that a recording does not hold: the facts and fields its chosen
// policies read that were not recorded, as `task.history` or `contact`. Empty: deciding the
// recorded case gives what the ruleset would have decided then.
std::vector<std::string> missing_reads(const Engine& engine, const Recorded& r);

// Fact queries answered from a recorded case: the questions it recorded get their recorded
// answers; any other is answered "no" or none and named by unrecorded().
class ReplayQueries final : public vm::FactQueries {
public:
    // Made before it is installed in the case (Case::set_queries): it answers from the case's
    // own facts, which the case stops asking once this is installed.
    explicit ReplayQueries(const Recorded& r) : recorded_(r), inner_(&r.kase.queries()) {}
    bool member_of(const vm::Value& person, const vm::Value& chat) const override;
    bool has_role(const vm::Value& person, const vm::Value& task) const override;
    vm::Value last_message_with(const vm::Value& person) const override;
    // The questions asked that were not recorded (`member_of(7, -100)`), once each.
    const std::vector<std::string>& unrecorded() const { return unrecorded_; }

private:
    bool recorded(Recorded::Question q) const;
    const Recorded& recorded_;
    const vm::FactQueries* inner_;
    mutable std::vector<std::string> unrecorded_;
};

}  // namespace switchyard::engine
