// The admin console (issue 17; docs/console.md): a browser client of the API that
// `switchyard serve` shows at /console. This module holds its routes: the login that opens a
// session (runtime/server/sessions.hpp), its pages and scripts (web/, built into the binary),
// Debian's CodeMirror from the disk, and the rule workbench: rule text posted from the editor
// checked, formatted, tested, evaluated and compiled by the command line's own code paths.
#pragma once

#include "runtime/server/server.hpp"

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

namespace switchyard::console {

// `switchyard ARGS...` run in process (cli::run): the workbench's check, fmt, test, eval and compile.
using RunCli = std::function<int(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err)>;

// What `serve` says of the console at start.
struct Notice {
    bool enabled = false;  // [console] enabled
    std::string problem;   // why it cannot work in full (no CodeMirror); empty when it can
};

// Serves the console from `context` ([console] of its configuration): sets its route and its
// sessions' lifetime. Nothing when [console] enabled = false.
Notice attach(server::Context& context, RunCli run_cli);

// The routes below /console, given the path after it (exposed for the tests).
server::Response route(const server::Request& request, std::string_view path, server::Context& context, const RunCli& run_cli);

}  // namespace switchyard::console
