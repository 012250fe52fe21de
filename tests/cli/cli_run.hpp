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

// The same with `input` as standard input (for `fmt -`).
inline CliRun run_cli_with_input(std::vector<std::string> args, const std::string& input) {
    source_dir();
    std::istringstream in(input);
    std::ostringstream out, err;
    int code = cli::run(args, in, out, err);
    return {code, out.str(), err.str()};
}

// Writes `text` to `name` in a folder of the temporary directory, and returns its path.
inline std::string scratch_file(const std::string& folder, const std::string& name, const std::string& text) {
    auto dir = std::filesystem::temp_directory_path() / folder;
    std::filesystem::create_directories(dir);
    auto path = dir / name;
    std::ofstream(path, std::ios::binary) << text;
    return path.string();
}

// Whether `actual` equals the golden file at `path` (relative to the repository root). With
// SWITCHYARD_UPDATE_GOLDEN=1 the file is rewritten instead, after a deliberate change.
inline bool matches_golden(const std::string& actual, const std::string& path) {
    auto full = source_dir() / path;
    if (std::getenv("SWITCHYARD_UPDATE_GOLDEN")) {
        std::ofstream(full, std::ios::binary) << actual;
        return true;
    }
    return std::filesystem::exists(full) && read_text(full) == actual;
}

}  // namespace switchyard::testing
