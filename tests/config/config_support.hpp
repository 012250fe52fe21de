// Helpers of the configuration tests: the shipped rules compiled once, and a file's error text.
#pragma once

#include "runtime/config/config.hpp"
#include "tests/support.hpp"

#include "compiler/lower.hpp"
#include "runtime/vm/image.hpp"

#include <catch2/catch.hpp>

#include <memory>
#include <string>

namespace switchyard::testing {

// rules/ compiled as the server compiles it at start; once per test run.
inline const vm::Image& shipped_rules() {
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
    return *image;
}

// What parse() (and, with `settings`, check_settings against the shipped rules) says about
// `text` read as `test.toml`; "(no error)" when it is accepted.
inline std::string config_error(const std::string& text, bool settings = false) {
    try {
        auto c = config::parse(text, "test.toml");
        if (settings) config::check_settings(c, shipped_rules());
    } catch (const config::ConfigError& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace switchyard::testing
