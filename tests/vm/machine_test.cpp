// The interpreter's guarantees: the budget, no heap allocation in steady state, named limits.
#include "compiler/lower.hpp"
#include "runtime/engine/engine.hpp"
#include "tests/allocation_counter.hpp"
#include "tests/support.hpp"
#include "tests/vm_support.hpp"

#include <catch2/catch.hpp>

using namespace switchyard;

TEST_CASE("a policy over its instruction budget fails alone, naming the rule", "[vm]") {
    std::string rules = R"(policy reopen for inbound {
    when any(message.mentions where any(message.mentions where any(message.mentions where it.is_employee))) -> reopen
    otherwise -> new_task
}
policy attachment for inbound {
    otherwise -> attach
}
)";
    std::string mentions = "[";
    for (int i = 0; i < 60; ++i) mentions += std::string(i ? "," : "") + R"({"id": 1})";
    mentions += "]";
    auto image = testing::load_text(rules);
    auto kase = engine::Case::from_json(
        *image, boost::json::parse(R"({"message": {"files": [{"name": "a"}], "mentions": )" + mentions + "}}"));
    engine::Engine engine(image);
    engine::Options options;
    options.budget = 10000;
    auto json = engine.to_json(engine.decide(kase, options));
    const auto& decisions = json.at("decisions").as_array();
    REQUIRE(decisions.size() == 2);
    CHECK(decisions[0].at("error") == "instruction budget exceeded in rule test.rules:2");
    CHECK(decisions[1].at("value") == boost::json::parse(R"({"attach": {}})"));
    options.budget = 100000000;
    auto relaxed = engine.to_json(engine.decide(kase, options));
    CHECK(relaxed.at("decisions").as_array()[0].at("value") == "new_task");
}

TEST_CASE("deciding allocates nothing from the heap in steady state", "[vm][alloc]") {
    testing::source_dir();
    common::DiagnosticBag bag;
    std::vector<compiler::LoadError> errors;
    auto ws = compiler::load_workspace({"rules/planfix.rules"}, bag, errors);
    auto module = compiler::compile(ws, bag);
    REQUIRE(module);
    auto image = std::get<std::shared_ptr<const vm::Image>>(vm::load_module(std::move(*module)));
    auto kase = engine::Case::from_json(*image, boost::json::parse(R"({
        "message": {"direction": "inbound", "transport": "telegram", "chat": {"id": -5, "kind": "group"},
                    "sender": {"id": 5, "name": "Anna"}, "text": "hi",
                    "mentions": [{"id": 7, "name": "Ivan", "is_employee": true}],
                    "files": [{"name": "a.pdf", "ext": "pdf", "size": 1000}, {"name": "b.mp4", "ext": "mp4", "size": "80 MB"}],
                    "channel": {"number": "bot"}},
        "task": {"status": "completed", "assignees": [{"id": 7}]},
        "facts": {"members": {"-5": [7]}, "history": [{"sender": {"id": 5}, "participants": [{"id": 8, "is_employee": true}]}]}})"));
    engine::Engine engine(image);
    for (int warm = 0; warm < 3; ++warm) engine.decide(kase);
    std::size_t decisions = 0;
    auto allocated = testing::allocations_of([&] {
        for (int i = 0; i < 1000; ++i) decisions += engine.decide(kase).size();
    });
    CHECK(decisions == 1000 * 5);  // routing, reopen, notification, attachment twice
    CHECK(allocated == 0);
}

TEST_CASE("a policy past a bytecode limit is E0700, not a crash", "[vm][limits]") {
    std::string items;
    for (int i = 0; i < 70000; ++i) items += "message.text, ";
    std::string rules = "policy routing for inbound {\n    otherwise -> thread(1, title: str(count([" + items + "])))\n}\n";
    common::DiagnosticBag bag;
    auto ws = compiler::workspace_from_text("big.rules", rules, bag);
    auto module = compiler::compile(ws, bag);
    CHECK_FALSE(module);
    auto diagnostics = bag.sorted(ws.sources);
    REQUIRE(diagnostics.size() == 1);
    CHECK(diagnostics[0].code == common::Code::E0700);
    CHECK_THAT(diagnostics[0].message, Catch::Contains("65535 registers"));
}
