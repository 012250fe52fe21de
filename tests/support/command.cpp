#include "tests/support/command.hpp"

#include <sys/wait.h>

#include <array>
#include <cstdio>

namespace switchyard::testing {

CommandRun run_command(const std::string& command) {
    CommandRun run;
    FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    if (!pipe) {
        run.output = "cannot start `" + command + "`";
        return run;
    }
    std::array<char, 4096> buffer{};
    while (auto n = std::fread(buffer.data(), 1, buffer.size(), pipe)) run.output.append(buffer.data(), n);
    int status = ::pclose(pipe);
    run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return run;
}

}  // namespace switchyard::testing
