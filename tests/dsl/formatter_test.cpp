// The canonical formatter: exact layouts, comments in every position, minimal parentheses, and
// the two properties everything relies on: formatting is idempotent and keeps the structure.
#include "dsl/formatter.hpp"
#include "dsl/parser.hpp"

#include <catch2/catch.hpp>

#include <functional>
#include <memory>
#include <random>
#include <string>

using namespace switchyard;

namespace {

dsl::ParseResult parse_text(const std::string& text) {
    common::SourceMap sources;
    auto id = sources.add("t.rules", text);
    common::DiagnosticBag diagnostics;
    return dsl::parse(sources, id, diagnostics);
}

std::string format(const std::string& text) {
    auto parsed = parse_text(text);
    REQUIRE(parsed.ok);
    return dsl::format_module(parsed.module, text);
}

// Formats `text` and checks that the result is a fixed point with the same structure and the
// same number of comments as the input.
std::string format_checked(const std::string& text) {
    auto original = parse_text(text);
    REQUIRE(original.ok);
    std::string formatted = dsl::format_module(original.module, text);
    auto reparsed = parse_text(formatted);
    REQUIRE(reparsed.ok);
    CHECK(dsl::same_structure(original.module, reparsed.module));
    CHECK(reparsed.module.comments.size() == original.module.comments.size());
    CHECK(dsl::format_module(reparsed.module, formatted) == formatted);
    return formatted;
}

// The canonical print of the expression `source`.
std::string reprint(const std::string& source) {
    auto parsed = parse_text("let v = " + source + "\n");
    REQUIRE(parsed.ok);
    REQUIRE(parsed.module.decls.size() == 1);
    return dsl::print_expr(*parsed.module.decls[0].as<dsl::LetDecl>()->value);
}

}  // namespace

TEST_CASE("print_expr keeps only the parentheses that change the meaning", "[formatter]") {
    CHECK(reprint("(a or b) and c") == "(a or b) and c");
    CHECK(reprint("a or (b and c)") == "a or b and c");
    CHECK(reprint("a - (b - c)") == "a - (b - c)");
    CHECK(reprint("(a - b) - c") == "a - b - c");
    CHECK(reprint("(a == b) == c") == "(a == b) == c");
    CHECK(reprint("a == (b < c)") == "a == (b < c)");
    CHECK(reprint("not (a == b)") == "not a == b");
    CHECK(reprint("(not a) == b") == "(not a) == b");
    CHECK(reprint("((a ?? b)) ?? (c ?? d)") == "a ?? b ?? (c ?? d)");
    CHECK(reprint("-(a.b) + (-a).b") == "-a.b + (-a).b");
    CHECK(reprint("a - (-b)") == "a - -b");
    CHECK(reprint("(xs where it > 1) where (it < 5 or it == 9)") == "xs where it > 1 where it < 5 or it == 9");
    CHECK(reprint("xs where (ys where it)") == "xs where (ys where it)");
    CHECK(reprint("(xs where it) or b") == "(xs where it) or b");
    CHECK(reprint("(if a then b else c) ?? d") == "(if a then b else c) ?? d");
    CHECK(reprint("if (a or b) then (c where d) else (if e then f else g)") ==
          "if a or b then c where d else if e then f else g");
}

TEST_CASE("print_expr writes every form canonically", "[formatter]") {
    CHECK(reprint("f( a ,name:b, )") == "f(a, name: b)");
    CHECK(reprint("[ 1,2 , 3 ]") == "[1, 2, 3]");
    CHECK(reprint("{ \"pdf\",\"zip\" }") == "{\"pdf\", \"zip\"}");
    CHECK(reprint("{a:1,b:{}}") == "{ a: 1, b: {} }");
    CHECK(reprint("5MB + 24 h + 3\tKiB + 10 ms") == "5 MB + 24 h + 3 KiB + 10 ms");
    CHECK(reprint("\"tab\\there \\\"q\\\"\"") == "\"tab\\there \\\"q\\\"\"");
    CHECK(reprint("a  not  in  b and not   c") == "a not in b and not c");
    CHECK(reprint("none ?? true ?? false") == "none ?? true ?? false");
    CHECK(reprint("message . chat . kind") == "message.chat.kind");
}

TEST_CASE("print_expr output reads back as the same tree", "[formatter]") {
    // Random trees over every form, printed and parsed again: catches a missing parenthesis.
    std::mt19937 rng(20240601);
    auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
    auto make = [](dsl::Expr::Node node) { return std::make_unique<dsl::Expr>(dsl::Expr{{}, std::move(node), 1, {}}); };
    const char* names[] = {"a", "b", "it", "inbound", "notes"};
    std::function<dsl::ExprPtr(int)> random_expr = [&](int depth) -> dsl::ExprPtr {
        switch (depth <= 0 ? pick(4) : pick(12)) {
            case 0: return make(dsl::IntLit{pick(100)});
            case 1: return make(dsl::Name{names[pick(5)]});
            case 2: return make(dsl::SizeLit{pick(10), dsl::SizeUnit::MB});
            case 3: return make(dsl::StringLit{"x"});
            case 4: return make(dsl::Field{random_expr(depth - 1), "size", {}});
            case 5: {
                auto op = pick(2) ? dsl::UnaryOp::logical_not : dsl::UnaryOp::negate;
                return make(dsl::Unary{op, random_expr(depth - 1)});
            }
            case 6:
            case 7:
            case 8:
                return make(dsl::Binary{static_cast<dsl::BinaryOp>(pick(13)), random_expr(depth - 1),
                                        random_expr(depth - 1), {}});
            case 9: return make(dsl::Where{random_expr(depth - 1), random_expr(depth - 1)});
            case 10: return make(dsl::IfElse{random_expr(depth - 1), random_expr(depth - 1), random_expr(depth - 1)});
            default: {
                std::vector<dsl::ExprPtr> items;
                items.push_back(random_expr(depth - 1));
                return make(dsl::ListLit{std::move(items)});
            }
        }
    };
    for (int i = 0; i < 2000; ++i) {
        auto expr = random_expr(1 + pick(4));
        std::string printed = dsl::print_expr(*expr);
        auto parsed = parse_text("let v = " + printed + "\n");
        INFO(printed);
        REQUIRE(parsed.ok);
        REQUIRE(*parsed.module.decls[0].as<dsl::LetDecl>()->value == *expr);
    }
}

TEST_CASE("rules of a policy are aligned on their arrows", "[formatter]") {
    std::string input =
        "policy attachment for outbound via telegram {\n"
        "  when file.ext in {\"pdf\", \"zip\"} and file.size < 5 MB -> attach\n"
        "  when file.ext == \"mp4\" and file.size < 50MB -> attach\n"
        "  otherwise->link }\n";
    CHECK(format_checked(input) ==
          "policy attachment for outbound via telegram {\n"
          "    when file.ext in {\"pdf\", \"zip\"} and file.size < 5 MB -> attach\n"
          "    when file.ext == \"mp4\" and file.size < 50 MB         -> attach\n"
          "    otherwise                                            -> link\n"
          "}\n");
}

TEST_CASE("a rule that would pass 100 columns when aligned keeps a single space", "[formatter]") {
    std::string long_condition = "when message.text == \"" + std::string(50, 'x') + "\"";
    std::string input = "policy routing {\n"
                        "    " + long_condition + " -> drop\n"
                        "    when a -> one_very_long_result_name_that_does_not_fit_behind_the_column\n"
                        "    otherwise -> keep\n"
                        "}\n";
    std::string pad(long_condition.size() - std::string("otherwise").size(), ' ');
    CHECK(format_checked(input) ==
          "policy routing {\n"
          "    " + long_condition + " -> drop\n"
          "    when a -> one_very_long_result_name_that_does_not_fit_behind_the_column\n"
          "    otherwise" + pad + " -> keep\n"
          "}\n");
}

TEST_CASE("declarations are laid out canonically", "[formatter]") {
    std::string input =
        "ruleset   demo\n"
        "import \"base.rules\"\n"
        "import \"more.rules\"\n"
        "setting max_size : int = 5 MB \"Largest file\"\n"
        "setting tags: list< string >? = none\n"
        "\n"
        "setting other: map<string,int> = f()\n"
        "let a = 1\n"
        "let b = 2\n"
        "policy routing in group priority -2 for inbound,outbound {\n"
        "  let big = (file.size > 10 MB)\n"
        "  otherwise -> drop\n"
        "}\n"
        "test \"small\" { given file {ext: \"pdf\", size: 1 MB} given chat {} expect attach }\n"
        "policy empty {}\n";
    CHECK(format_checked(input) ==
          "ruleset demo\n"
          "\n"
          "import \"base.rules\"\n"
          "import \"more.rules\"\n"
          "\n"
          "setting max_size: int = 5 MB\n"
          "    \"Largest file\"\n"
          "setting tags: list<string>? = none\n"
          "\n"
          "setting other: map<string, int> = f()\n"
          "\n"
          "let a = 1\n"
          "let b = 2\n"
          "\n"
          "policy routing in group for inbound, outbound priority -2 {\n"
          "    let big = file.size > 10 MB\n"
          "    otherwise -> drop\n"
          "}\n"
          "\n"
          "test \"small\" {\n"
          "    given file { ext: \"pdf\", size: 1 MB }\n"
          "    given chat {}\n"
          "    expect attach\n"
          "}\n"
          "\n"
          "policy empty {\n"
          "}\n");
}

TEST_CASE("comments are kept in every position", "[formatter]") {
    std::string input =
        "# file header\n"
        "ruleset demo   # trails ruleset\n"
        "\n"
        "\n"
        "# about the lets\n"
        "let a = 1\n"
        "# between lets\n"
        "let b = [1,  # inside a list\n"
        "         2]\n"
        "setting s: string = \"x\"  # before the description\n"
        "    \"desc\"  # after the description\n"
        "policy routing  # inside the header\n"
        "    for inbound {  # after the brace\n"
        "  # before a let\n"
        "  let c = (a\n"
        "     or b)  # trails a let\n"
        "  when c -> drop   # trails a rule\n"
        "  # before otherwise\n"
        "  otherwise -> keep\n"
        "  # last in the body\n"
        "}  # trails the policy\n"
        "test \"t\" {\n"
        "  given message { text: \"hi\" }  # trails given\n"
        "  # before expect\n"
        "  expect drop\n"
        "  # last in the test\n"
        "}\n"
        "# after the last declaration\n"
        "\n"
        "# after a blank line\n";
    CHECK(format_checked(input) ==
          "# file header\n"
          "ruleset demo  # trails ruleset\n"
          "\n"
          "# about the lets\n"
          "let a = 1\n"
          "# between lets\n"
          "# inside a list\n"
          "let b = [1, 2]\n"
          "\n"
          "# before the description\n"
          "setting s: string = \"x\"\n"
          "    \"desc\"  # after the description\n"
          "\n"
          "# inside the header\n"
          "policy routing for inbound {  # after the brace\n"
          "    # before a let\n"
          "    let c = a or b  # trails a let\n"
          "    when c    -> drop  # trails a rule\n"
          "    # before otherwise\n"
          "    otherwise -> keep\n"
          "    # last in the body\n"
          "}  # trails the policy\n"
          "\n"
          "test \"t\" {\n"
          "    given message { text: \"hi\" }  # trails given\n"
          "    # before expect\n"
          "    expect drop\n"
          "    # last in the test\n"
          "}\n"
          "# after the last declaration\n"
          "\n"
          "# after a blank line\n");
}

TEST_CASE("blank lines between declarations follow the source only where the layout allows", "[formatter]") {
    std::string input =
        "let a = 1\n"
        "\n"
        "\n"
        "let b = 2\n"
        "import \"x\"\n"
        "let c = 3\n"
        "# no blank line before this block\n"
        "let d = 4\n"
        "\n"
        "# first block\n"
        "\n"
        "# second block\n"
        "let e = 5   \r\n";
    CHECK(format_checked(input) ==
          "let a = 1\n"
          "\n"
          "let b = 2\n"
          "\n"
          "import \"x\"\n"
          "\n"
          "let c = 3\n"
          "# no blank line before this block\n"
          "let d = 4\n"
          "\n"
          "# first block\n"
          "\n"
          "# second block\n"
          "let e = 5\n");
}

TEST_CASE("formatting ends with exactly one newline and no trailing spaces", "[formatter]") {
    CHECK(format("") == "");
    CHECK(format("\n\n  # only a comment   \r\n\n\n") == "# only a comment\n");
    CHECK(format("let a = 1\n\n\n\n") == "let a = 1\n");
    CHECK(format("let a = 1") == "let a = 1\n");
}

TEST_CASE("formatting is idempotent and keeps the structure of messy input", "[formatter]") {
    const char* inputs[] = {
        "policy p for inbound { let x = [1,\n\n 2] when x == [1, 2] -> a otherwise -> b } let y = 2 # c\n",
        "setting s: int = 1 # c1\n# c2\n\n\n# c3\nsetting t: int? = none\n\"described\" # c4\n",
        "test \"a\" # c\n{ # d\n given f { a: (1 + 2) - 3 } # e\n expect not (a == b) # f\n}",
        "let x = if a then b else c where d\nlet y = f(a, name: (b or c))\n",
    };
    for (const char* input : inputs) {
        INFO(input);
        format_checked(input);
    }
}
