// Compiling rule text and running it on the VM, for tests.
#pragma once

#include "bytecode/module.hpp"
#include "runtime/vm/image.hpp"

#include <boost/json.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace switchyard::testing {

// Compiles `rules_text` (one file named `file_name`; imports are resolved on disk). Fails the
// running test (with the diagnostics) when the text does not compile.
bytecode::Module compile_text(std::string_view rules_text, std::string_view file_name = "test.rules",
                              bool include_tests = false);
std::shared_ptr<const vm::Image> load_text(std::string_view rules_text, std::string_view file_name = "test.rules");

// Compiles `rules_text` (one file named `file_name`) and evaluates `case_json` with the VM:
// the decisions object of docs/cases.md, without traces.
boost::json::object vm_decide(std::string_view rules_text, const boost::json::value& case_json,
                              std::string_view file_name = "generated.rules");

}  // namespace switchyard::testing

namespace switchyard {
using testing::vm_decide;
}
