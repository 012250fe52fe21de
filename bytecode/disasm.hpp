// A readable listing of a compiled ruleset: header, pools, and each function's code with the
// source lines it came from (`switchyard disasm`).
#pragma once

#include "bytecode/module.hpp"
#include "stdlib/schema.hpp"

#include <functional>
#include <optional>
#include <string>

namespace switchyard::bytecode {

// `read_source` gives the text of a source file by path, when it is at hand and unchanged;
// without it the listing shows line numbers only.
using SourceReader = std::function<std::optional<std::string>(const SourceFile&)>;

std::string disassemble(const Module& module, const stdlib::Schema& schema, const SourceReader& read_source = {});

}  // namespace switchyard::bytecode
