// Lowering: a checked program to a compiled ruleset (bytecode::Module). First-match rule
// chains become straight jumps, field access becomes slot indexes, constant sets become bit
// masks or sorted tables, and constant expressions are folded.
#pragma once

#include "bytecode/module.hpp"
#include "common/diagnostic.hpp"
#include "compiler/checker.hpp"
#include "compiler/workspace.hpp"
#include "stdlib/schema.hpp"

#include <optional>

namespace switchyard::compiler {

struct LowerOptions {
    bool include_tests = false;  // compile `test` blocks too (`switchyard test`)
};

// Nothing when a limit is exceeded (E0700, reported); the program must have checked clean.
std::optional<bytecode::Module> lower(const Workspace& workspace, const Program& program,
                                      common::DiagnosticBag& diagnostics, const LowerOptions& options = {},
                                      const stdlib::Schema& schema = stdlib::builtin_schema());

// Check and lower in one step: the module of the first program, or nothing when there are
// errors (they are in `diagnostics`).
std::optional<bytecode::Module> compile(Workspace& workspace, common::DiagnosticBag& diagnostics,
                                        const LowerOptions& options = {},
                                        const stdlib::Schema& schema = stdlib::builtin_schema());

}  // namespace switchyard::compiler
