// `fmt -` (standard input to standard output) and `fmt --diff` (what would change, as a
// unified diff), against the files of tests/cli/data/fmt/.
#include "tests/cli/cli_run.hpp"

#include <catch2/catch.hpp>

using namespace switchyard;
using namespace switchyard::testing;

namespace {
const std::string messy = "tests/cli/data/fmt/messy.rules";

std::string scratch(const std::string& name, const std::string& text) { return scratch_file("switchyard-fmt-test", name, text); }

// The text that `fmt` would write for `path`, as it writes it.
std::string formatted_copy(const std::string& path) {
    auto copy = scratch("copy.rules", read_text(source_dir() / path));
    REQUIRE(run_cli({"fmt", copy}).code == 0);
    return read_text(copy);
}
}  // namespace

TEST_CASE("fmt - formats standard input to standard output", "[cli][fmt]") {
    auto r = run_cli_with_input({"fmt", "-"}, read_text(source_dir() / messy));
    INFO(r.err);
    CHECK(r.code == 0);
    CHECK(r.err.empty());
    CHECK(r.out == formatted_copy(messy));
    // A filter prints text already in layout unchanged.
    auto again = run_cli_with_input({"fmt", "-"}, r.out);
    CHECK(again.code == 0);
    CHECK(again.out == r.out);
}

TEST_CASE("fmt - with a syntax error names <stdin> on stderr and prints nothing", "[cli][fmt]") {
    auto r = run_cli_with_input({"fmt", "-"}, "policy reopen for inbound {\n    when message.edited new_task\n}\n");
    CHECK(r.code == 1);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, Catch::StartsWith("<stdin>:2:25: error[E0100]: expected `->`, found `new_task`"));
    CHECK_THAT(r.err, Catch::Contains("1 file was left as it is"));
}

TEST_CASE("fmt - goes alone, and only once", "[cli][fmt]") {
    auto with_file = run_cli_with_input({"fmt", "-", messy}, "");
    CHECK(with_file.code == 2);
    CHECK(with_file.out.empty());
    CHECK_THAT(with_file.err, Catch::Contains("cannot be formatted with other paths"));
    CHECK(run_cli_with_input({"fmt", "--check", "-", "-"}, "").code == 2);
    // Looking changes nothing, so stdin may be looked at with files.
    auto check = run_cli_with_input({"fmt", "--check", "-", messy}, "let x = 1\n");
    CHECK(check.code == 1);
    CHECK(check.out == "would reformat " + messy + "\n1 of 2 files would be reformatted\n");
}

TEST_CASE("fmt --diff prints a unified diff, writes nothing, exits 1 when a file would change", "[cli][fmt]") {
    auto before = read_text(source_dir() / messy);
    auto r = run_cli({"fmt", "--diff", messy});
    INFO(r.out << r.err);
    CHECK(r.code == 1);
    CHECK(r.err.empty());
    CHECK(matches_golden(r.out, "tests/cli/data/fmt/messy.diff"));
    CHECK(read_text(source_dir() / messy) == before);

    auto canonical = scratch("canonical.rules", formatted_copy(messy));
    auto clean = run_cli({"fmt", "--diff", canonical});
    CHECK(clean.code == 0);
    CHECK(clean.out.empty());
}

TEST_CASE("fmt --diff marks a last line without a line break", "[cli][fmt]") {
    auto path = scratch("no_newline.rules", "let x =   1");
    auto r = run_cli({"fmt", "--diff", path});
    CHECK(r.code == 1);
    CHECK(r.out == "--- " + path + "\n+++ " + path + "\n@@ -1 +1 @@\n-let x =   1\n\\ No newline at end of file\n+let x = 1\n");
}

TEST_CASE("fmt --diff of standard input names it <stdin>, and its syntax errors go to stderr", "[cli][fmt]") {
    auto r = run_cli_with_input({"fmt", "--diff", "-"}, "let x =   1\n");
    CHECK(r.code == 1);
    CHECK(r.out == "--- <stdin>\n+++ <stdin>\n@@ -1 +1 @@\n-let x =   1\n+let x = 1\n");
    auto broken = run_cli_with_input({"fmt", "--diff", "-"}, "let x = (\n");
    CHECK(broken.code == 1);
    CHECK(broken.out.empty());
    CHECK_THAT(broken.err, Catch::StartsWith("<stdin>:"));
}

TEST_CASE("fmt --check and --diff exclude each other, and --help explains both and -", "[cli][fmt]") {
    auto both = run_cli({"fmt", "--check", "--diff", messy});
    CHECK(both.code == 2);
    CHECK_THAT(both.err, Catch::Contains("excludes"));
    auto help = run_cli({"fmt", "--help"});
    CHECK_THAT(help.out, Catch::Contains("--diff") && Catch::Contains("--check") && Catch::Contains("standard input"));
}
