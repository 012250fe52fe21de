// The shipped rules (rules/planfix.rules), compiled and loaded, for the benchmarks that run them.
#pragma once

#include "compiler/lower.hpp"
#include "runtime/vm/image.hpp"

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>

namespace switchyard::bench {

// Aborts with the reason when the rules do not compile or load: a benchmark cannot go on.
inline std::shared_ptr<const vm::Image> shipped_rules() {
    const char* dir = std::getenv("SWITCHYARD_SOURCE_DIR");
    std::filesystem::current_path(dir ? dir : SWITCHYARD_SOURCE_DIR);
    common::DiagnosticBag bag;
    std::vector<compiler::LoadError> errors;
    auto ws = compiler::load_workspace({"rules/planfix.rules"}, bag, errors);
    auto module = compiler::compile(ws, bag);
    if (!module) {
        std::cerr << "bench: rules/planfix.rules does not compile\n";
        std::abort();
    }
    auto loaded = vm::load_module(std::move(*module));
    if (auto* problem = std::get_if<std::string>(&loaded)) {
        std::cerr << "bench: " << *problem << '\n';
        std::abort();
    }
    return std::get<std::shared_ptr<const vm::Image>>(loaded);
}

}  // namespace switchyard::bench
