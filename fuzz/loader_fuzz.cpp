// libFuzzer target for the loader and verifier: any bytes must be refused with a message or
// loaded; and whatever loads must run every policy on a default case without crashing,
// hanging or tripping a sanitizer, and must disassemble. The checksum is resealed first, so
// that mutations reach the verifier instead of stopping at the checksum.
#include "bytecode/disasm.hpp"
#include "bytecode/serialize.hpp"
#include "runtime/engine/engine.hpp"
#include "runtime/vm/image.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace sy = switchyard;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string bytes(reinterpret_cast<const char*>(data), size);
    sy::bytecode::reseal(bytes);
    auto loaded = sy::vm::load(bytes, sy::stdlib::builtin_schema(), true);
    if (auto* problem = std::get_if<std::string>(&loaded)) {
        if (problem->empty()) std::abort();  // a refusal always says why
        return 0;
    }
    const auto& image = *std::get<std::shared_ptr<const sy::vm::Image>>(loaded);
    (void)sy::bytecode::disassemble(image.module(), image.schema());
    auto kase = sy::engine::Case::from_json(image, boost::json::object{});
    std::vector<sy::vm::Value> inputs;
    sy::vm::Machine machine(image);
    for (const auto& f : image.module().policies) {
        const auto& kind = image.schema().kinds()[f.kind];
        inputs.clear();
        for (const auto& b : kind.bindings) inputs.push_back(kase.fact(sy::engine::fact_index(image.schema(), b.name)));
        sy::vm::Inputs in{inputs.data(), kase.settings().data(), &kase.queries()};
        std::vector<sy::vm::TraceStep> trace;
        (void)machine.run(f, in, 10000, &trace);
        machine.reset();
    }
    return 0;
}
