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

// The fields of input record `input` that the code reads, following its copies (`move`): bit c
// for a `get_field` or `get_field_opt` of its field c; bit 0 (the id) when it is passed to a
// fact query, which reads no more of a fact (vm::FactQueries); every bit when some other
// instruction reads it whole (a comparison, another call), or reads a field past bit 63.
// Derived from the code, like the
// footprint, but not kept in the file: the worker asks it to leave out the parts of a fact
// that cost a query of their own (a task's history, a contact's tags) when no policy reads them.
std::uint64_t fields_read(const Function& f, std::size_t input, const stdlib::Schema& schema);

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
