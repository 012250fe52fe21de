// libFuzzer target for the parser: any bytes, as one rule file, must parse without crashing,
// hanging or tripping a sanitizer, and every diagnostic must render.
#include "common/diagnostic.hpp"
#include "common/source.hpp"
#include "dsl/parser.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

namespace sy = switchyard;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    sy::common::SourceMap sources;
    auto file = sources.add("fuzz.rules", std::string(reinterpret_cast<const char*>(data), size));
    sy::common::DiagnosticBag diagnostics;
    auto result = sy::dsl::parse(sources, file, diagnostics);
    // The parser's contract: `ok` is false exactly when it reported something.
    if (result.ok != (diagnostics.size() == 0)) std::abort();
    std::ostringstream out;
    sy::common::render_text(diagnostics.sorted(sources), sources, out);
    return 0;
}
