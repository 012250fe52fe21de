// Source files as the diagnostics see them, and "did you mean".
#include "common/diagnostic.hpp"
#include "common/source.hpp"

#include <catch2/catch.hpp>

using namespace switchyard;

TEST_CASE("a UTF-8 byte order mark is no part of a source file", "[source]") {
    common::SourceMap sources;
    auto id = sources.add("bom.rules", "\xEF\xBB\xBFpolicy routing {}\n");
    CHECK(sources.file(id).text() == "policy routing {}\n");
    auto plain = sources.add("plain.rules", "x\xEF\xBB\xBF");  // only a leading one
    CHECK(sources.file(plain).text() == "x\xEF\xBB\xBF");
}

TEST_CASE("suggestions ignore case, however long the word", "[diagnostic]") {
    std::vector<std::string_view> actions = {"attach", "inline", "link", "reject"};
    CHECK(common::closest_match("Link", actions) == "link");
    CHECK(common::closest_match("ATTACH", actions) == "attach");
    CHECK(common::closest_match("rejct", actions) == "reject");
    CHECK(common::closest_match("upload", actions).empty());
}
