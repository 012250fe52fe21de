// The `switchyard` command line, as a function so that tests can run it in-process.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace switchyard::cli {

// Exit codes shared by every subcommand.
enum ExitCode : int {
    exit_ok = 0,
    exit_problems = 1,  // rule errors (or warnings with --werror), files that fmt --check would change
    exit_usage = 2,     // bad arguments, unreadable paths
};

// Runs `switchyard args...` (args excludes the program name) writing to `out` and `err`;
// `fmt -` reads `in` (standard input when not given).
int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int run(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err);

// The subcommands `run` knows, in the order `switchyard --help` lists them.
std::vector<std::string> subcommand_names();

}  // namespace switchyard::cli
