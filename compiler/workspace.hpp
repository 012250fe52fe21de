// The set of rule files one run works on: the files named on the command line, the files in
// named folders, and everything they import, each parsed once.
#pragma once

#include "common/diagnostic.hpp"
#include "dsl/ast.hpp"

#include <optional>
#include <string>
#include <vector>

namespace switchyard::compiler {

struct RuleFile {
    common::FileId id = 0;
    std::string path;              // as shown in diagnostics (relative when given relative)
    std::string canonical;         // absolute, normalised: identifies the file
    dsl::Module module;
    bool parsed_cleanly = true;
    bool requested = true;         // named on the command line (or found in a named folder)
    std::vector<std::size_t> imports;  // indexes into Workspace::files, in declaration order
};

struct Workspace {
    common::SourceMap sources;
    std::vector<RuleFile> files;
    // Files in dependency order: each file after everything it imports (cycles broken).
    std::vector<std::size_t> order;

    // The file and everything it imports, directly or not, itself first.
    std::vector<std::size_t> closure(std::size_t file) const;
};

// A path from the command line that could not be read: a usage or I/O problem, not a diagnostic.
struct LoadError {
    std::string path;
    std::string reason;
};

// Loads `paths` (files, or folders searched recursively for `*.rules`), parses them and their
// imports. Missing and circular imports become diagnostics (E0600, E0601).
Workspace load_workspace(const std::vector<std::string>& paths, common::DiagnosticBag& diagnostics,
                                        std::vector<LoadError>& errors);
// The same for text held in memory (tests, benchmarks, `eval --rules`); imports are resolved on disk.
Workspace workspace_from_text(std::string path, std::string text, common::DiagnosticBag& diagnostics);

// The `.rules` files below a folder, sorted.
std::vector<std::string> rule_files_in(const std::string& folder);

}  // namespace switchyard::compiler
