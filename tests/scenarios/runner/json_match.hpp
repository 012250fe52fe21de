// What a scenario expects of a JSON answer: the fields it names, not all of them.
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>

namespace switchyard::scenarios {

// Where `actual` differs from `expected`, as `tasks[0].title: expected "A", found "B"`, or
// nothing when it matches. An object matches when each key `expected` names matches (other
// keys are not looked at); an array when it has as many items, each matching in order. Three
// strings are patterns: "<any>" (present, whatever its value), "<absent>" (missing or null)
// and "<contains>TEXT" (a string holding TEXT).
std::optional<std::string> mismatch(const boost::json::value& expected, const boost::json::value& actual, const std::string& path = {});

}  // namespace switchyard::scenarios
