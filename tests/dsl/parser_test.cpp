// The parser on hostile and malformed input, and PEGTL's own analysis of the grammar.
#include "dsl/grammar.hpp"

#include <tao/pegtl/contrib/analyze.hpp>
#include "dsl/parser.hpp"

#include <catch2/catch.hpp>

#include <random>

using namespace switchyard;

namespace {
struct Parsed {
    dsl::ParseResult result;
    std::vector<common::Diagnostic> diagnostics;
};

Parsed parse_text(std::string text) {
    common::SourceMap sources;
    auto id = sources.add("t.rules", std::move(text));
    common::DiagnosticBag bag;
    auto result = dsl::parse(sources, id, bag);
    return {std::move(result), bag.items()};
}

bool has_code(const Parsed& p, common::Code code) {
    return std::any_of(p.diagnostics.begin(), p.diagnostics.end(), [&](const auto& d) { return d.code == code; });
}
}  // namespace

TEST_CASE("PEGTL analyze finds no problem in the grammar", "[grammar]") {
    CHECK(tao::pegtl::analyze<dsl::grammar::file>() == 0);
}

TEST_CASE("no keyword is a name, a name that starts or ends with one is", "[grammar]") {
    for (auto keyword : dsl::grammar::keywords) {
        std::string k(keyword);
        INFO(k);
        CHECK(has_code(parse_text("let " + k + " = 1\n"), common::Code::E0100));
        for (const auto& name : {k + "x", "x" + k, k + "_", k + "1", "_" + k}) {
            INFO(name);
            CHECK(parse_text("let " + name + " = 1\n").diagnostics.empty());
        }
    }
}

TEST_CASE("100 000 nested parentheses end in a nesting diagnostic", "[hostile]") {
    auto p = parse_text("let x = " + std::string(100000, '(') + "1" + std::string(100000, ')'));
    CHECK(has_code(p, common::Code::E0102));
}

TEST_CASE("long operator chains, `not` chains and nested types are refused, not recursed into", "[hostile]") {
    std::string chain = "let x = 1";
    for (int i = 0; i < 1000000; ++i) chain += " + 1";
    CHECK(has_code(parse_text(chain), common::Code::E0102));
    std::string nots = "let x = ";
    for (int i = 0; i < 100000; ++i) nots += "not ";
    CHECK(has_code(parse_text(nots + "true"), common::Code::E0102));
    std::string type = "setting x: ";
    for (int i = 0; i < 100000; ++i) type += "list<";
    CHECK(has_code(parse_text(type + "int = 1"), common::Code::E0102));
}

TEST_CASE("a 10 MB line parses to a diagnostic or a tree, not a crash", "[hostile]") {
    auto p = parse_text("let s = \"" + std::string(10 * 1000 * 1000, 'a') + "\"\nlet t = " + std::string(10 * 1000 * 1000, 'b'));
    CHECK(p.result.module.decls.size() == 2);
    auto q = parse_text(std::string(10 * 1000 * 1000, '@'));
    CHECK(has_code(q, common::Code::E0100));
}

TEST_CASE("invalid UTF-8 is reported at its byte", "[hostile]") {
    auto p = parse_text("let a = 1\nlet b = \"\xC3\x28\"\n");
    REQUIRE(p.diagnostics.size() == 1);
    CHECK(p.diagnostics[0].code == common::Code::E0101);
    CHECK(p.diagnostics[0].span.begin == 19);
}

TEST_CASE("a file over the size limit is refused", "[hostile]") {
    auto p = parse_text(std::string(common::max_source_bytes + 1, ' '));
    CHECK(has_code(p, common::Code::E0106));
}

TEST_CASE("random bytes and random token soup never crash the parser", "[hostile]") {
    std::mt19937 rng(20261121);
    const std::vector<std::string> tokens = {"policy", "when", "otherwise", "->", "(", ")", "{", "}", "[", "]", ",", ":",
                                             "let", "x", "=", "==", "not", "and", "or", "\"s\"", "5", "MB", "where",
                                             "if", "then", "else", "given", "test", "setting", ".", "?", "??", "\n", "#c\n"};
    for (int round = 0; round < 2000; ++round) {
        std::string text;
        int n = static_cast<int>(rng() % 60);
        for (int i = 0; i < n; ++i) text += tokens[rng() % tokens.size()] + " ";
        parse_text(text);
        std::string bytes;
        for (int i = 0; i < n; ++i) bytes += static_cast<char>(rng() % 256);
        parse_text(bytes);
    }
    SUCCEED("no crash");
}

TEST_CASE("syntax errors are all reported, recovering at the next declaration", "[recovery]") {
    auto p = parse_text("let a = (1\nlet b = 2\nlet c = ]\npolicy reopen {\n    otherwise -> reopen\n}\n");
    CHECK(p.diagnostics.size() == 2);
    CHECK(p.result.module.decls.size() == 2);  // `let b` and the policy
    CHECK_FALSE(p.result.ok);
}

TEST_CASE("a syntax error in a rule resumes at the policy's next rule", "[recovery]") {
    auto p = parse_text("policy reopen {\n"
                        "    when message.edited -> append\n"
                        "    when limit > 2 new_task # a comment with a word\n"
                        "        and more \"quoted\"\n"
                        "    otherwise -> reopen\n"
                        "}\n"
                        "let b = 2\n");
    REQUIRE(p.diagnostics.size() == 1);
    REQUIRE(p.result.module.decls.size() == 2);
    const auto& policy = std::get<dsl::PolicyDecl>(p.result.module.decls[0].node);
    CHECK(policy.rules.size() == 2);  // the first and `otherwise`
    CHECK(policy.rules[1].is_otherwise());
    CHECK(policy.incomplete);
    // The words of the broken rule, from its start (`limit`, parsed before the error, included),
    // without comments and strings.
    CHECK(policy.unparsed_names == std::vector<std::string>{"and", "limit", "more", "new_task", "when"});
    CHECK(p.result.module.unparsed_names == policy.unparsed_names);
}

TEST_CASE("a policy without its `}` ends at the next declaration, keeping its rules", "[recovery]") {
    auto p = parse_text("policy reopen {\n    when message.edited -> append\n\npolicy command {\n    otherwise -> pass\n}\n");
    CHECK(p.diagnostics.size() == 1);
    REQUIRE(p.result.module.decls.size() == 2);
    const auto& first = std::get<dsl::PolicyDecl>(p.result.module.decls[0].node);
    CHECK(first.rules.size() == 1);
    CHECK(first.incomplete);
    CHECK_FALSE(std::get<dsl::PolicyDecl>(p.result.module.decls[1].node).incomplete);
}

TEST_CASE("an error in a policy's last rule resumes at its `}`", "[recovery]") {
    auto p = parse_text("policy reopen {\n    when message.edited ->\n}\nlet b = 2\n");
    CHECK(p.diagnostics.size() == 1);
    REQUIRE(p.result.module.decls.size() == 2);
    CHECK(std::get<dsl::PolicyDecl>(p.result.module.decls[0].node).rules.empty());
}

TEST_CASE("after 20 syntax errors in a file the rest is not read", "[recovery]") {
    std::string text;
    for (int i = 0; i < 25; ++i) text += "let a" + std::to_string(i) + " = )\n";
    text += "let last = 1\n";
    auto p = parse_text(text);
    REQUIRE(p.diagnostics.size() == 20);
    REQUIRE(p.diagnostics.back().notes.size() == 1);
    CHECK(p.diagnostics.back().notes[0].message.find("stopped after 20 syntax errors") != std::string::npos);
    CHECK(p.result.module.decls.empty());  // not even `let last`
    CHECK(std::binary_search(p.result.module.unparsed_names.begin(), p.result.module.unparsed_names.end(), "last"));
}

TEST_CASE("spans point at the source text of each node", "[spans]") {
    auto p = parse_text("let limit = 5 MB + file.size\n");
    REQUIRE(p.result.module.decls.size() == 1);
    const auto& let = std::get<dsl::LetDecl>(p.result.module.decls[0].node);
    CHECK(let.name.span.begin == 4);
    CHECK(let.value->span.begin == 12);
    CHECK(let.value->span.end == 28);
    const auto& sum = std::get<dsl::Binary>(let.value->node);
    CHECK(sum.rhs->span.begin == 19);
    CHECK(std::get<dsl::Field>(sum.rhs->node).name == "size");
}

TEST_CASE("units: KB, MB and GB are decimal, KiB, MiB and GiB binary", "[literals]") {
    CHECK(dsl::unit_factor(dsl::SizeUnit::MB) == 1000 * 1000);
    CHECK(dsl::unit_factor(dsl::SizeUnit::MiB) == 1024 * 1024);
    CHECK(dsl::unit_factor(dsl::DurationUnit::h) == 3600 * 1000);
    auto p = parse_text("let a = 5MB\nlet b = 30 min\nlet c = 9223372036854775807 GB\n");
    CHECK(has_code(p, common::Code::E0105));
    CHECK(p.result.module.decls.size() == 2);
}
