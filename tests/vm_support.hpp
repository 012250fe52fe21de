// Compiling rule text and running it on the VM, for tests.
#pragma once

#include "bytecode/module.hpp"
#include "runtime/engine/engine.hpp"
#include "runtime/engine/records.hpp"
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

// An engine over `image` and a case to fill from typed records, its message set: what asking
// the engine which facts and fields the chosen policies read takes.
struct RecordCase {
    explicit RecordCase(const std::shared_ptr<const vm::Image>& image, const engine::records::Message& message = {})
        : engine(image), writer(image->schema()), kase(*image) {
        set_message(message);
    }
    void set_message(const engine::records::Message& message) {
        kase.set(engine::Fact::message, writer.message(kase.arena(), message));
    }
    engine::Engine engine;
    engine::records::RecordWriter writer;
    engine::Case kase;
};

}  // namespace switchyard::testing

namespace switchyard {
using testing::vm_decide;
}
