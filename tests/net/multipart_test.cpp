// multipart(): bodies that the independent reader of tests/support/ reads back part for part,
// whatever bytes the parts hold.
#include "runtime/net/multipart.hpp"
#include "tests/support/multipart_parse.hpp"

#include <catch2/catch.hpp>

using namespace switchyard::net;
using switchyard::testing::multipart_parse;
using switchyard::testing::ParsedPart;

namespace {

std::vector<ParsedPart> round_trip(const std::vector<Part>& parts) {
    auto made = multipart(parts);
    auto read = multipart_parse(made.content_type, made.body);
    if (auto* error = std::get_if<std::string>(&read)) FAIL("multipart_parse: " << *error << "\nbody:\n" << made.body);
    return std::get<std::vector<ParsedPart>>(read);
}

// Every byte value, and the sequences a multipart reader splits on.
std::string awkward_bytes() {
    std::string data;
    for (int i = 0; i < 256; ++i) data += static_cast<char>(i);
    data += "\r\n--\r\n\r\n--switchyard-\r\n--";
    return data;
}

}  // namespace

TEST_CASE("multipart: fields and a file come back as they went in", "[net][multipart]") {
    std::vector<Part> parts{
        {"chat_id", std::nullopt, "", "12345"},
        {"caption", std::nullopt, "text/plain; charset=utf-8", "Привет"},
        {"document", "report.pdf", "application/pdf", "%PDF-1.7 ..."},
    };
    auto read = round_trip(parts);
    REQUIRE(read.size() == 3);
    CHECK(read[0].name == "chat_id");
    CHECK_FALSE(read[0].filename);
    CHECK(read[0].content_type.empty());
    CHECK(read[0].data == "12345");
    CHECK(read[1].content_type == "text/plain; charset=utf-8");
    CHECK(read[1].data == "Привет");
    CHECK(read[2].name == "document");
    CHECK(read[2].filename == "report.pdf");
    CHECK(read[2].content_type == "application/pdf");
    CHECK(read[2].data == "%PDF-1.7 ...");
}

TEST_CASE("multipart: binary data with CRLF and -- survives, and the boundary is not in it", "[net][multipart]") {
    std::vector<Part> parts{{"photo", "a.bin", "application/octet-stream", awkward_bytes()},
                            {"empty", "empty.txt", "text/plain", ""},
                            {"tail", std::nullopt, "", "\r\n"}};
    auto made = multipart(parts);
    auto boundary = made.content_type.substr(made.content_type.find("boundary=") + 9);
    CHECK(awkward_bytes().find(boundary) == std::string::npos);
    auto read = round_trip(parts);
    REQUIRE(read.size() == 3);
    CHECK(read[0].data == awkward_bytes());
    CHECK(read[1].data.empty());
    CHECK(read[2].data == "\r\n");
}

TEST_CASE("multipart: a file without a content type is sent as application/octet-stream", "[net][multipart]") {
    auto read = round_trip({{"document", "x.bin", "", "abc"}});
    REQUIRE(read.size() == 1);
    CHECK(read[0].content_type == "application/octet-stream");
}

TEST_CASE("multipart: quotes and line breaks in names are percent-encoded, not breaking the header", "[net][multipart]") {
    auto made = multipart({{"we\"ird\r\nname", "file \"1\".txt", "text/plain", "x"}});
    CHECK(made.body.find("name=\"we%22ird%0D%0Aname\"") != std::string::npos);
    auto read = round_trip({{"we\"ird\r\nname", "file \"1\".txt", "text/plain", "x"}});
    REQUIRE(read.size() == 1);
    CHECK(read[0].name == "we\"ird\r\nname");
    CHECK(read[0].filename == "file \"1\".txt");
}

TEST_CASE("multipart: a line break in a part's content type cannot add a header", "[net][multipart]") {
    auto made = multipart({{"f", "f.txt", "text/plain\r\nX-Injected: yes", "x"}});
    CHECK(made.body.find("X-Injected") == std::string::npos);
}

TEST_CASE("multipart: no parts is a body with only the closing boundary", "[net][multipart]") {
    auto read = round_trip({});
    CHECK(read.empty());
}

TEST_CASE("multipart: every body gets a boundary of its own", "[net][multipart]") {
    CHECK(multipart({}).content_type != multipart({}).content_type);
}

TEST_CASE("multipart_parse says where a broken body breaks", "[net][multipart]") {
    auto error = [](std::string_view type, std::string_view body) {
        auto read = multipart_parse(type, body);
        REQUIRE(std::holds_alternative<std::string>(read));
        return std::get<std::string>(read);
    };
    CHECK_THAT(error("application/json", "{}"), Catch::Contains("is not multipart/form-data"));
    CHECK_THAT(error("multipart/form-data; boundary=b", "nothing"), Catch::Contains("no opening boundary"));
    CHECK_THAT(error("multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\ndata"),
               Catch::Contains("not closed by a boundary"));
}
