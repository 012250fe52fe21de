// The footprint of a function (Footprint, module.hpp): which inputs and fact queries its code
// can reach. Derived from the operand formats of opcodes.def, never from a list of opcodes, so
// a new opcode cannot be forgotten here.
#pragma once

#include "bytecode/module.hpp"
#include "bytecode/operands.hpp"
#include "stdlib/schema.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::bytecode {

// The footprint of the code as it is: the inputs some instruction reads (registers_read,
// operands.hpp) and the fact queries it calls; every instruction counts, reachable or not.
// Inputs past max_footprint_inputs are not represented (lowering and the verifier refuse such
// functions).
Footprint compute_footprint(const Function& f, const stdlib::Schema& schema);

// The names of a function's inputs: a policy's facts, in the order of its kind's bindings; for
// an expectation, the policy kinds (whose results are its inputs). An input the schema does
// not name is `input N`.
std::vector<std::string> input_names(const Function& f, bool expectation, const stdlib::Schema& schema);

// `reads: message, task; queries: member_of`, naming inputs by `names` (`nothing`, `none`
// when empty).
std::string describe(const Footprint& footprint, const std::vector<std::string>& names, const stdlib::Schema& schema);

// The first difference between the footprint `f` declares and what its code reads, in words
// (`reads input `task` but its footprint does not list it`); nothing when they agree. Also
// refuses a function with more inputs than a footprint can name.
std::optional<std::string> footprint_mismatch(const Function& f, const std::vector<std::string>& names,
                                              const stdlib::Schema& schema);

}  // namespace switchyard::bytecode
