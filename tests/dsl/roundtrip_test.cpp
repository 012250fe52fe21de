// The formatter round trip over every rule file in the repository: format, re-parse (same
// tree), format again (same text). Files with syntax errors are what `fmt` refuses; they are skipped.
#include "dsl/formatter.hpp"
#include "dsl/parser.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;
using namespace switchyard;

namespace {
std::vector<fs::path> repository_rule_files() {
    const char* dir = std::getenv("SWITCHYARD_SOURCE_DIR");
    fs::path root = dir ? dir : SWITCHYARD_SOURCE_DIR;
    std::vector<fs::path> files;
    for (const char* folder : {"rules", "tests", "docs", "bench"}) {
        if (!fs::exists(root / folder)) continue;
        for (const auto& entry : fs::recursive_directory_iterator(root / folder))
            if (entry.path().extension() == ".rules") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}
}  // namespace

TEST_CASE("formatting every rule file is a fixed point that keeps the tree", "[fmt][roundtrip]") {
    auto files = repository_rule_files();
    REQUIRE(files.size() >= 30);
    std::size_t formatted = 0;
    for (const auto& path : files) {
        INFO("file " << path.string());
        common::SourceMap sources;
        common::DiagnosticBag bag;
        auto original = dsl::parse(sources, sources.add(path.string(), read(path)), bag);
        if (!original.ok) continue;
        std::string once = dsl::format_module(original.module, sources.file(original.module.file).text());
        auto reparsed = dsl::parse(sources, sources.add(path.string(), once), bag);
        REQUIRE(reparsed.ok);
        CHECK(dsl::same_structure(original.module, reparsed.module));
        CHECK(reparsed.module.comments.size() == original.module.comments.size());
        std::string twice = dsl::format_module(reparsed.module, sources.file(reparsed.module.file).text());
        CHECK(twice == once);
        ++formatted;
    }
    CHECK(formatted >= 25);
}
