// Helpers shared by the test suites: where the repository is, reading files, checking text.
#pragma once

#include "common/diagnostic.hpp"
#include "compiler/checker.hpp"
#include "compiler/workspace.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace switchyard::testing {

// Tests run from the repository root so that paths in diagnostics are short and stable.
inline std::filesystem::path source_dir() {
    const char* dir = std::getenv("SWITCHYARD_SOURCE_DIR");
    std::filesystem::path root = dir ? dir : SWITCHYARD_SOURCE_DIR;
    std::filesystem::current_path(root);
    return root;
}

inline std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

struct CheckOutput {
    std::string text;  // the rendered diagnostics
    std::vector<common::Diagnostic> diagnostics;
};

// Checks a loaded workspace and renders its diagnostics as plain text.
inline CheckOutput check_workspace(compiler::Workspace& ws, common::DiagnosticBag& bag) {
    compiler::check(ws, bag);
    CheckOutput out;
    out.diagnostics = bag.sorted(ws.sources);
    std::ostringstream text;
    common::render_text(out.diagnostics, ws.sources, text);
    out.text = text.str();
    return out;
}

// Checks rule files as `switchyard check` does.
inline CheckOutput check_paths(const std::vector<std::string>& paths) {
    common::DiagnosticBag bag;
    std::vector<compiler::LoadError> errors;
    auto ws = compiler::load_workspace(paths, bag, errors);
    return check_workspace(ws, bag);
}

// Checks rule text held in memory.
inline CheckOutput check_text(const std::string& text, const std::string& path = "test.rules") {
    common::DiagnosticBag bag;
    auto ws = compiler::workspace_from_text(path, text, bag);
    return check_workspace(ws, bag);
}

}  // namespace switchyard::testing
