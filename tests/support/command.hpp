// A command run through the shell for tests, and what it printed: for the programs a test starts
// as an admin would (`switchyard replay …`, `initdb`), where only the exit status and the output
// matter.
#pragma once

#include <string>

namespace switchyard::testing {

struct CommandRun {
    int status = -1;     // the exit status; -1 when it did not exit (a signal)
    std::string output;  // standard output and error together
};

CommandRun run_command(const std::string& command);

}  // namespace switchyard::testing
