// The subcommands that compile and run rules: compile, disasm, eval, test.
#pragma once

#include "bytecode/module.hpp"
#include "compiler/workspace.hpp"

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace switchyard::cli {

struct CompileOptions {
    std::vector<std::string> paths;
    std::string output;
};

struct DisasmOptions {
    std::string file;
};

struct EvalOptions {
    std::string ruleset;             // a compiled ruleset file, or
    std::vector<std::string> rules;  // rule files compiled on the fly
    std::string case_file;
    bool explain = false;
    std::int64_t budget = 0;  // 0: the default
};

struct TestOptions {
    std::vector<std::string> paths;
    bool coverage = false;
    bool verbose = false;
};

struct ServeOptions {
    std::string config;
    std::size_t threads = 2;
};

// A subcommand that cannot go on, with its exit code; what went wrong is already printed.
struct Failed {
    int code;
};

// Rule files compiled in memory: the module, and the workspace it came from (for source lines).
struct Compiled {
    compiler::Workspace ws;
    bytecode::Module module;
};

// Loads, checks and lowers `paths` (one ruleset: several root files are refused). Diagnostics
// go to `out`, other problems to `err`; throws Failed when there is no module.
Compiled compile_paths(const std::vector<std::string>& paths, bool include_tests, std::ostream& out, std::ostream& err);

int run_compile(const CompileOptions& options, std::ostream& out, std::ostream& err);
int run_disasm(const DisasmOptions& options, std::ostream& out, std::ostream& err);
int run_eval(const EvalOptions& options, std::ostream& out, std::ostream& err);
int run_test(const TestOptions& options, std::ostream& out, std::ostream& err);
int run_serve(const ServeOptions& options, std::ostream& out, std::ostream& err);

}  // namespace switchyard::cli
