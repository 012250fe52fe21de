// Reading the engine's decisions (the JSON of docs/cases.md, with traces) and gathering the
// decision-log row of one event from one or more engine runs. Private to runtime/worker.
#pragma once

#include "runtime/store/store.hpp"

#include <boost/json.hpp>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::worker {

namespace json = boost::json;

// The decisions of one engine run: `{"ruleset": ..., "decisions": [...]}`.
struct Run {
    json::object json;

    // The decision of `kind` (for per-file kinds, of file `file`), or null when none was asked.
    const json::object* find(std::string_view kind, std::optional<std::size_t> file = std::nullopt) const;
};

// The value of a decision that succeeded; null when it failed or is missing.
const json::value* value_of(const json::object* decision);
// The reason a decision failed (`instruction budget exceeded in rule ...`), or empty.
std::string error_of(const json::object* decision);
// A result's constructor: `{"thread": {...}}` -> "thread"; an enum member `"like"` -> "like".
std::string constructor_of(const json::value& value);
// The arguments of a constructor result: `{"thread": {...}}` -> the inner object.
const json::object* arguments_of(const json::value& value);
// A string argument, or `fallback` when it is missing or not a string.
std::string string_argument(const json::object* arguments, std::string_view name, std::string_view fallback = {});

// The decisions that were applied to one event, in the order of the schema's kinds.
class DecisionLog {
public:
    // Adds the run's decisions of one kind, or of every kind but some.
    void take(const Run& run, std::string_view kind);
    void take_all_but(const Run& run, std::initializer_list<std::string_view> except);
    bool empty() const { return decisions_.empty(); }

    // The row: the rules that fired (policy and rule locations, per kind and file), the traces,
    // and the decisions object without its traces.
    store::NewDecision row(std::string ruleset_version) const;

private:
    void add(const json::object& decision);
    std::string ruleset_name_;
    json::array decisions_;
};

}  // namespace switchyard::worker
