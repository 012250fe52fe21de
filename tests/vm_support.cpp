#include "tests/vm_support.hpp"

#include "common/diagnostic.hpp"
#include "compiler/lower.hpp"
#include "runtime/engine/engine.hpp"

#include <catch2/catch.hpp>

#include <sstream>

namespace switchyard::testing {

bytecode::Module compile_text(std::string_view rules_text, std::string_view file_name, bool include_tests) {
    common::DiagnosticBag bag;
    auto ws = compiler::workspace_from_text(std::string(file_name), std::string(rules_text), bag);
    auto module = compiler::compile(ws, bag, {include_tests});
    if (!module || bag.has_errors()) {
        std::ostringstream out;
        common::render_text(bag.sorted(ws.sources), ws.sources, out);
        FAIL("the rules do not compile:\n" << out.str() << "\n" << rules_text);
    }
    return std::move(*module);
}

std::shared_ptr<const vm::Image> load_text(std::string_view rules_text, std::string_view file_name) {
    auto loaded = vm::load_module(compile_text(rules_text, file_name));
    if (auto* problem = std::get_if<std::string>(&loaded)) FAIL("the compiled rules are refused: " << *problem);
    return std::get<std::shared_ptr<const vm::Image>>(loaded);
}

boost::json::object vm_decide(std::string_view rules_text, const boost::json::value& case_json, std::string_view file_name) {
    auto image = load_text(rules_text, file_name);
    auto kase = engine::Case::from_json(*image, case_json);
    engine::Engine engine(image);
    return engine.to_json(engine.decide(kase));
}

}  // namespace switchyard::testing
