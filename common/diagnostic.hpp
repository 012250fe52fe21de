// Diagnostics are data: a code, a severity, a span, a message and an optional help.
// Every phase reports into a DiagnosticBag and keeps going; one renderer prints them.
#pragma once

#include "common/source.hpp"

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::common {

enum class Severity { error, warning, note };

enum class Code {
#define X(code, severity, title) code,
#include "common/diagnostic_codes.def"
#undef X
};

struct CodeInfo {
    std::string_view name;   // "E0201"
    Severity severity;
    std::string_view title;  // "unknown field"
};

const CodeInfo& code_info(Code code);
const std::vector<CodeInfo>& all_codes();
std::string_view severity_name(Severity severity);
// The codes of the server's configuration (E08xx): reported when a TOML file is read, not by
// the compiler, so they have no golden rule file (tests/config covers them).
bool is_configuration_code(Code code);

// A secondary location that explains the primary one ("first declared here").
struct Note {
    FileId file = 0;
    Span span;
    std::string message;
};

struct Diagnostic {
    Code code{};
    Severity severity = Severity::error;
    FileId file = 0;
    Span span;
    std::string message;  // lowercase, no final period, user input in backticks
    std::string help;     // empty when there is nothing to suggest
    std::vector<Note> notes;
};

// Collects the diagnostics of a run; the same diagnostic reported twice is kept once.
class DiagnosticBag {
public:
    Diagnostic& report(Code code, FileId file, Span span, std::string message, std::string help = {});
    void append(std::vector<Diagnostic> more);
    // Sorted by file path, line, column and code, duplicates removed.
    std::vector<Diagnostic> sorted(const SourceMap& sources) const;
    bool has_errors() const;
    std::size_t size() const { return items_.size(); }
    const std::vector<Diagnostic>& items() const { return items_; }

private:
    std::vector<Diagnostic> items_;
};

struct RenderOptions {
    bool color = false;
};

// gcc/clang style: `file:line:col: error[E0201]: message`, the source line, a caret, `= help:`.
void render_text(const std::vector<Diagnostic>& diagnostics, const SourceMap& sources, std::ostream& out,
                 RenderOptions options = {});
// One JSON document: {"diagnostics": [...], "errors": N, "warnings": N}.
void render_json(const std::vector<Diagnostic>& diagnostics, const SourceMap& sources, std::ostream& out);
// SARIF 2.1.0, for code-scanning dashboards in CI.
void render_sarif(const std::vector<Diagnostic>& diagnostics, const SourceMap& sources, std::ostream& out,
                  std::string_view tool_version);
// render_text into a string, without the final line break: for an exception's what().
std::string render_text_string(const std::vector<Diagnostic>& diagnostics, const SourceMap& sources);
// A one-line summary such as "2 errors, 1 warning", or empty when there is nothing.
std::string summarize(const std::vector<Diagnostic>& diagnostics);

// The closest candidate by edit distance, case ignored, for "did you mean" help; empty when
// none is close.
std::string closest_match(std::string_view word, const std::vector<std::string_view>& candidates);

}  // namespace switchyard::common
