// The verifier's checks of a ruleset's data: its constants, constant sets, settings and contact
// fields, which the code's checks (verifier.cpp) then rely on. Seen by verifier.cpp only.
#pragma once

#include "bytecode/module.hpp"
#include "stdlib/schema.hpp"

#include <optional>
#include <string>

namespace switchyard::vm::verifier_data {

// Why the module's data is refused (the first problem found), or nothing when it is sound.
std::optional<std::string> verify_data(const bytecode::Module& module, const stdlib::Schema& schema);

}  // namespace switchyard::vm::verifier_data
