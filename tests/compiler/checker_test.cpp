// Checker behaviour beyond the one-file-per-code golden cases: regressions and cross-file rules.
#include "tests/support.hpp"

#include <catch2/catch.hpp>

using namespace switchyard;
using common::Code;

namespace {
std::size_t count_code(const testing::CheckOutput& out, Code code) {
    return static_cast<std::size_t>(std::count_if(out.diagnostics.begin(), out.diagnostics.end(),
                                                  [&](const auto& d) { return d.code == code; }));
}
}  // namespace

TEST_CASE("two policies' lets of the same name do not share coverage dimensions", "[coverage]") {
    auto out = testing::check_text(R"(
policy reopen for inbound {
    let x = message.id
    when x == 5 -> new_task
    otherwise   -> reopen
}
policy attachment for outbound {
    let x = file.size > 1 MB
    when x -> link
}
)");
    INFO(out.text);
    CHECK(count_code(out, Code::E0500) == 1);
    CHECK(count_code(out, Code::W0003) == 0);
}

TEST_CASE("rules that split a domain between them make a policy exhaustive", "[coverage]") {
    auto out = testing::check_text(R"(
policy attachment for outbound {
    when file.kind in {image, video} and file.size < 5 MB -> inline
    when file.kind in {image, video} and file.size >= 5 MB -> link
    when not (file.kind in {image, video})                  -> attach
}
policy reopen for inbound in group, channel {
    when message.chat.kind == group   -> reopen
    when message.chat.kind == channel -> new_task
}
)");
    INFO(out.text);
    CHECK(out.diagnostics.empty());
}

TEST_CASE("a rule shadowed by several earlier rules together is reported", "[coverage]") {
    auto out = testing::check_text(R"(
policy reopen for inbound {
    when message.edited and message.id > 10       -> reopen
    when message.edited and message.id <= 10      -> append
    when message.edited                           -> new_task
    otherwise                                     -> reopen
}
)");
    INFO(out.text);
    REQUIRE(count_code(out, Code::W0003) == 1);
    CHECK(out.text.find("test.rules:5:10") != std::string::npos);
}

TEST_CASE("a fact's name on the left of a comparison with an enum means the enum member", "[names]") {
    auto out = testing::check_text(R"(
policy delivery for outbound {
    when employee == conversation.started_by -> refuse("x")
    when conversation.started_by == employee -> refuse("y")
    otherwise                                -> send
}
)");
    INFO(out.text);
    CHECK(count_code(out, Code::E0300) == 0);
}

TEST_CASE("optional parameters accept `none`", "[types]") {
    auto out = testing::check_text(R"(
policy routing for inbound {
    otherwise -> thread(message.chat.id, title: none, project: none)
}
)");
    INFO(out.text);
    CHECK(out.diagnostics.empty());
}

TEST_CASE("`priority` given twice is an error", "[syntax]") {
    auto out = testing::check_text("policy reopen for inbound priority 1 priority 2 {\n    otherwise -> reopen\n}\n");
    CHECK(count_code(out, Code::E0402) == 1);
}

TEST_CASE("the second `ruleset` is reported in the imported file, not in the root", "[imports]") {
    testing::source_dir();
    auto dir = std::filesystem::temp_directory_path() / "switchyard-ruleset-test";
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "root.rules") << "ruleset main\nimport \"lib.rules\"\n";
    std::ofstream(dir / "lib.rules") << "ruleset library\n";
    auto out = testing::check_paths({(dir / "root.rules").string()});
    REQUIRE(count_code(out, Code::E0401) == 1);
    CHECK(out.text.find("lib.rules:1:9: error[E0401]") != std::string::npos);
}

TEST_CASE("policies with higher priority or strictly nested scopes are not ambiguous", "[policies]") {
    auto out = testing::check_text(R"(
policy reopen for inbound via telegram priority 1 {
    otherwise -> reopen
}
policy reopen for inbound in group {
    otherwise -> new_task
}
policy reopen for inbound {
    otherwise -> append
}
)");
    INFO(out.text);
    CHECK(out.diagnostics.empty());
}

TEST_CASE("settings are shared through imports and unknown ones get a hint", "[names]") {
    auto out = testing::check_text(R"(
setting strict_mode: bool = false
policy reopen for inbound {
    when setting.strict_mod -> new_task
    otherwise               -> reopen
}
)");
    INFO(out.text);
    CHECK(out.text.find("unknown setting `strict_mod`") != std::string::npos);
    CHECK(out.text.find("did you mean `strict_mode`?") != std::string::npos);
}

TEST_CASE("the checker records the parameter each argument of a call is bound to", "[calls]") {
    common::DiagnosticBag bag;
    auto ws = compiler::workspace_from_text("test.rules", R"(
policy routing {
    when contains(message.text, "x") -> thread(message.chat.id, title: "t", message.id, project: none)
    when starts_with(prefix: "/", text: message.text) -> ignore("command")
    otherwise -> thread(message.chat.id)
}
policy quick_replies {
    otherwise -> [quick_reply("hi", text: "Hello"), quick_reply(text: "Bye", name: "bye")]
}
)", bag);
    auto out = testing::check_workspace(ws, bag);
    INFO(out.text);
    REQUIRE_FALSE(bag.has_errors());
    using Bound = std::vector<std::uint32_t>;
    auto bound = [](const dsl::ExprPtr& call) {
        Bound out;
        for (const auto& arg : std::get<dsl::Call>(call->node).args) out.push_back(arg.param);
        return out;
    };
    const auto& routing = *ws.files[0].module.decls[0].as<dsl::PolicyDecl>();
    CHECK(bound(routing.rules[0].condition) == Bound{0, 1});
    // thread(key..., title, description, assignees, project): every positional argument is a key.
    CHECK(bound(routing.rules[0].result) == Bound{0, 1, 0, 4});
    CHECK(bound(routing.rules[1].condition) == Bound{1, 0});
    CHECK(bound(routing.rules[1].result) == Bound{0});
    CHECK(bound(routing.rules[2].result) == Bound{0});
    const auto& replies = *ws.files[0].module.decls[1].as<dsl::PolicyDecl>();
    const auto& list = std::get<dsl::ListLit>(replies.rules[0].result->node);
    CHECK(bound(list.items[0]) == Bound{0, 1});
    CHECK(bound(list.items[1]) == Bound{1, 0});
}

TEST_CASE("an argument the checker refuses is bound to no parameter", "[calls]") {
    common::DiagnosticBag bag;
    auto ws = compiler::workspace_from_text("test.rules", R"(
policy routing {
    otherwise -> ignore("a", because: "b", "c")
}
)", bag);
    compiler::check(ws, bag);
    CHECK(bag.has_errors());
    const auto& routing = *ws.files[0].module.decls[0].as<dsl::PolicyDecl>();
    const auto& args = std::get<dsl::Call>(routing.rules[0].result->node).args;
    REQUIRE(args.size() == 3);
    CHECK(args[0].param == 0);
    CHECK(args[1].param == dsl::unbound_argument);
    CHECK(args[2].param == dsl::unbound_argument);
}

TEST_CASE("a rule file that starts with a UTF-8 byte order mark checks as without", "[checker]") {
    common::DiagnosticBag bag;
    auto ws = compiler::workspace_from_text("bom.rules", "\xEF\xBB\xBFpolicy reopen {\n    otherwise -> reopen\n}\n", bag);
    compiler::check(ws, bag);
    CHECK_FALSE(bag.has_errors());
}
