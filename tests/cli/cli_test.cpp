// The CLI as a user meets it: exit codes, output formats, fmt, help, unknown subcommands.
#include "cli/cli.hpp"
#include "tests/cli/cli_run.hpp"
#include "tests/support.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <algorithm>

using namespace switchyard;

namespace {
using Run = testing::CliRun;
Run run(std::vector<std::string> args) { return testing::run_cli(std::move(args)); }

std::filesystem::path scratch(const std::string& name, const std::string& text) {
    auto dir = std::filesystem::temp_directory_path() / "switchyard-cli-test";
    std::filesystem::create_directories(dir);
    auto path = dir / name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
}
}  // namespace

TEST_CASE("check exits 0 on the shipped rules, 1 on errors, 2 on unreadable paths", "[cli]") {
    CHECK(run({"check", "rules"}).code == 0);
    auto bad = run({"check", "tests/golden/diagnostics/e0201_unknown_field.rules"});
    CHECK(bad.code == 1);
    CHECK(bad.out.find("e0201_unknown_field.rules:2:37: error[E0201]: unknown field `sise` on `file`") != std::string::npos);
    CHECK(bad.out.find("did you mean `size`?") != std::string::npos);
    auto missing = run({"check", "no/such/path.rules"});
    CHECK(missing.code == 2);
    CHECK(missing.err.find("no such file or folder") != std::string::npos);
    CHECK(run({"check"}).code == 2);
    CHECK(run({"frobnicate"}).code == 2);
}

TEST_CASE("warnings fail the check only with --werror", "[cli]") {
    auto path = scratch("unused.rules", "let unused = 1\n").string();
    CHECK(run({"check", path}).code == 0);
    CHECK(run({"check", "--werror", path}).code == 1);
}

TEST_CASE("check --format json and sarif print valid JSON", "[cli]") {
    auto json = run({"check", "--format", "json", "tests/golden/diagnostics/e0300_type_mismatch.rules"});
    CHECK(json.code == 1);
    auto doc = boost::json::parse(json.out).as_object();
    CHECK(doc.at("errors").as_int64() == 1);
    CHECK(doc.at("diagnostics").as_array().at(0).as_object().at("code").as_string() == "E0300");
    auto sarif = run({"check", "--format", "sarif", "tests/golden/diagnostics/e0300_type_mismatch.rules"});
    auto s = boost::json::parse(sarif.out).as_object();
    CHECK(s.at("version").as_string() == "2.1.0");
    auto& result = s.at("runs").as_array().at(0).as_object().at("results").as_array().at(0).as_object();
    CHECK(result.at("ruleId").as_string() == "E0300");
}

TEST_CASE("diagnostics are sorted by file and line across files", "[cli]") {
    auto r = run({"check", "tests/golden/diagnostics/e0400_duplicate.rules", "tests/golden/diagnostics/e0300_type_mismatch.rules"});
    auto first = r.out.find("e0300_type_mismatch.rules");
    auto second = r.out.find("e0400_duplicate.rules");
    CHECK(first < second);
}

TEST_CASE("fmt rewrites a file into the canonical layout and --check reports it", "[cli]") {
    auto path = scratch("messy.rules", "policy reopen for inbound {\n  when setting.x -> new_task\n      otherwise ->   reopen\n}\nsetting x: bool = true\n").string();
    auto check = run({"fmt", "--check", path});
    CHECK(check.code == 1);
    CHECK(check.out.find("would reformat") != std::string::npos);
    CHECK(run({"fmt", path}).code == 0);
    CHECK(testing::read_text(path) ==
          "policy reopen for inbound {\n    when setting.x -> new_task\n    otherwise      -> reopen\n}\n\nsetting x: bool = true\n");
    CHECK(run({"fmt", "--check", path}).code == 0);
}

TEST_CASE("fmt leaves files with syntax errors alone and exits 1", "[cli]") {
    auto path = scratch("broken.rules", "let x = (\n").string();
    auto r = run({"fmt", path});
    CHECK(r.code == 1);
    CHECK(testing::read_text(path) == "let x = (\n");
}

TEST_CASE("every subcommand answers --help", "[cli]") {
    // The list comes from the registration in cli.cpp, so a new subcommand is asked too.
    auto subcommands = cli::subcommand_names();
    for (std::string known : {"check", "fmt", "schema", "compile", "disasm", "eval", "test", "serve"})
        CHECK(std::find(subcommands.begin(), subcommands.end(), known) != subcommands.end());
    auto main_help = run({"--help"});
    CHECK(main_help.code == 0);
    for (const auto& sub : subcommands) {
        INFO(sub);
        auto r = run({sub, "--help"});
        CHECK(r.code == 0);
        CHECK(r.err.empty());
        // Its own help, not the main one.
        CHECK(r.out.find("Usage: switchyard " + sub + " ") != std::string::npos);
        CHECK(r.out != main_help.out);
        CHECK(main_help.out.find("\n  " + sub + " ") != std::string::npos);  // listed by the main help
    }
}

TEST_CASE("an unknown subcommand is an error that names it", "[cli]") {
    for (std::vector<std::string> args : {std::vector<std::string>{"nosuch"}, {"nosuch", "--help"}, {"--help", "nosuch"},
                                          {"nosuch", "--version"}, {"nosuch", "check", "rules"}}) {
        INFO(args.front() + " " + args.back());
        auto r = run(args);
        CHECK(r.code == 2);
        CHECK(r.out.empty());
        CHECK(r.err == "switchyard: unknown subcommand `nosuch`; see `switchyard --help`\n");
    }
    auto none = run({});  // no subcommand at all is still CLI11's usage error
    CHECK(none.code == 2);
    CHECK(none.err.find("A subcommand is required") != std::string::npos);
}

TEST_CASE("the shipped rules are in canonical format", "[cli][fmt]") {
    auto r = run({"fmt", "--check", "rules"});
    INFO(r.out);
    CHECK(r.code == 0);
}
