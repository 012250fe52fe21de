// Random well-typed rule files and cases for the differential tests. The same seed always gives
// the same rules and cases, so a failure is reproduced from its seed alone.
#pragma once

#include <boost/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace switchyard::reference {

struct GeneratorOptions {
    std::size_t cases = 20;  // cases per rule file
    int max_depth = 5;       // deepest expression, in operators, calls and other composite forms
};

struct Generated {
    std::string rules;                     // one rule file without imports; checks without errors
    std::vector<boost::json::value> cases;  // in the case format of docs/cases.md
};

Generated generate(std::uint64_t seed, const GeneratorOptions& options = {});

}  // namespace switchyard::reference
