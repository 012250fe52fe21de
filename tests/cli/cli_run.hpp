// Running the CLI in-process, as the CLI tests do.
#pragma once

#include "cli/cli.hpp"
#include "tests/support.hpp"

#include <sstream>
#include <string>
#include <vector>

namespace switchyard::testing {

struct CliRun {
    int code;
    std::string out;
    std::string err;
};

// `switchyard args...` from the repository root.
inline CliRun run_cli(std::vector<std::string> args) {
    source_dir();
    std::ostringstream out, err;
    int code = cli::run(args, out, err);
    return {code, out.str(), err.str()};
}

}  // namespace switchyard::testing
