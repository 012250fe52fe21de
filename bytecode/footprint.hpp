// The footprint of a function (Footprint, module.hpp): which inputs and fact queries its code
// can reach. Derived from the operand formats of opcodes.def, never from a list of opcodes, so
// a new opcode cannot be forgotten here.
#pragma once

#include "bytecode/module.hpp"
#include "stdlib/schema.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::bytecode {

// The registers an instruction reads: one for R and U operands, R[a+1] for P, the window of an
// L operand (as many as its N operand counts) and of an A operand (one per parameter of the
// schema function in b; none when b names no function of `schema`). Registers only written (W,
// and the item of P) are not read. Indexes are not checked against any frame.
std::vector<std::size_t> registers_read(const Instr& instr, const stdlib::Schema& schema);

// The footprint of the code as it is: every instruction counts, reachable or not. Inputs past
// max_footprint_inputs are not represented (lowering and the verifier refuse such functions).
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
