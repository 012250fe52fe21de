// Helpers of the configuration tests: rulesets compiled (the shipped rules once), and a file's
// diagnostics in a compact form.
#pragma once

#include "runtime/config/config.hpp"
#include "tests/support.hpp"

#include "compiler/lower.hpp"
#include "compiler/workspace.hpp"
#include "runtime/engine/ruleset.hpp"
#include "runtime/vm/image.hpp"

#include <catch2/catch.hpp>

#include <memory>
#include <string>

namespace switchyard::testing {

// rules/ compiled as the server compiles it at start; once per test run.
inline std::shared_ptr<const vm::Image> shipped_image() {
    static const std::shared_ptr<const vm::Image> image = [] {
        source_dir();
        common::DiagnosticBag bag;
        std::vector<compiler::LoadError> errors;
        auto ws = compiler::load_workspace({"rules"}, bag, errors);
        auto module = compiler::compile(ws, bag);
        if (!errors.empty() || !module) FAIL("the shipped rules do not compile");
        auto loaded = vm::load_module(std::move(*module));
        if (auto* problem = std::get_if<std::string>(&loaded)) FAIL("the shipped rules are refused: " << *problem);
        return std::get<std::shared_ptr<const vm::Image>>(loaded);
    }();
    return image;
}

inline const vm::Image& shipped_rules() { return *shipped_image(); }

// A ruleset compiled from `rules`, held in memory.
inline std::shared_ptr<const vm::Image> image_of(const std::string& rules) {
    common::DiagnosticBag bag;
    auto ws = compiler::workspace_from_text("test.rules", rules, bag);
    auto module = compiler::compile(ws, bag);
    if (!module) FAIL("the rules do not compile:\n" << rules);
    auto loaded = vm::load_module(std::move(*module));
    if (auto* problem = std::get_if<std::string>(&loaded)) FAIL("the rules are refused: " << *problem);
    return std::get<std::shared_ptr<const vm::Image>>(loaded);
}

// One diagnostic as the tests compare it: `LINE:COLUMN CODE message`, then ` = note: … at
// LINE:COLUMN` for each note and ` = help: …`, as render_text orders them.
inline std::string compact(const common::Diagnostic& d, const common::SourceMap& sources) {
    auto at = [&](common::FileId file, common::Span span) {
        auto lc = sources.file(file).locate(span.begin);
        return std::to_string(lc.line) + ":" + std::to_string(lc.column);
    };
    std::string out = at(d.file, d.span) + " " + std::string(common::code_info(d.code).name) + " " + d.message;
    for (const auto& n : d.notes) out += " = note: " + n.message + " at " + at(n.file, n.span);
    if (!d.help.empty()) out += " = help: " + d.help;
    return out;
}

inline std::string compact(const std::vector<common::Diagnostic>& diagnostics, const common::SourceMap& sources) {
    std::string out;
    for (const auto& d : diagnostics) out += (out.empty() ? "" : "\n") + compact(d, sources);
    return out;
}

// What parse() (and, with `settings`, engine::check_settings against the shipped rules) says
// about `text` read as `test.toml`, a diagnostic a line; "(no error)" when it is accepted.
inline std::string config_error(const std::string& text, bool settings = false) {
    try {
        auto c = config::parse(text, "test.toml");
        if (settings) {
            auto misfits = engine::check_settings(c, shipped_rules());
            if (!misfits.empty()) return compact(misfits, *c.sources);
        }
    } catch (const config::ConfigError& e) {
        return compact(e.diagnostics(), *e.sources());
    }
    return "(no error)";
}

}  // namespace switchyard::testing
