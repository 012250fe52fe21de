// Probes, the debug information behind explanations with values: what the compiler emits, that
// the file keeps them, that the loader refuses one it could not trust, and that the observing
// loop records exactly the values the code computed while deciding as the plain loop does.
#include "bytecode/serialize.hpp"
#include "runtime/engine/engine.hpp"
#include "tests/vm_support.hpp"

#include <catch2/catch.hpp>

#include <variant>

using namespace switchyard;
using bytecode::ProbeKind;

namespace {

// One let read through `and`, then through `not` (where it has no code of its own), and a
// chain `a and b and c` (three parts, not two).
const char* rules = R"(policy attachment for inbound {
    let big = file.size > 10 MB
    when big and (file.ext == "exe" or file.ext == "bat") -> link
    when not big and file.ext != "" and file.ext != "txt" -> link
    otherwise                                             -> attach
}
)";

std::string refusal(const bytecode::Module& m) {
    auto loaded = vm::load_module(m);
    return std::holds_alternative<std::string>(loaded) ? std::get<std::string>(loaded) : std::string();
}

std::string texts(const bytecode::Function& f) {
    std::string out;
    for (const auto& p : f.probes) {
        out += (p.kind == ProbeKind::let ? "let " : "part ") + p.text + " rule " + std::to_string(p.rule) + " parent " +
               (p.parent == bytecode::no_probe ? std::string("-") : std::to_string(p.parent)) + " line " +
               std::to_string(p.line) + "\n";
    }
    return out;
}

}  // namespace

TEST_CASE("the compiler gives each let and each part of a condition a probe, parents first", "[vm][probes]") {
    auto m = testing::compile_text(rules);
    REQUIRE(m.policies.size() == 1);
    CHECK(texts(m.policies[0]) ==
          "let big rule 0 parent - line 2\n"
          "part big rule 0 parent - line 3\n"
          "part file.ext == \"exe\" or file.ext == \"bat\" rule 0 parent - line 3\n"
          "part file.ext == \"exe\" rule 0 parent 2 line 3\n"
          "part file.ext == \"bat\" rule 0 parent 2 line 3\n"
          "part not big rule 1 parent - line 4\n"
          "part big rule 1 parent 5 line 4\n"
          "part file.ext != \"\" rule 1 parent - line 4\n"
          "part file.ext != \"txt\" rule 1 parent - line 4\n");
    // `not big` reads the let's register as it is: its operand has no code.
    const auto& under_not = m.policies[0].probes[6];
    CHECK(under_not.start == under_not.end);
    CHECK(under_not.reg == m.policies[0].probes[0].reg);
}

TEST_CASE("probes survive the file, and the same code is emitted with them", "[vm][probes]") {
    auto m = testing::compile_text(rules);
    auto read = bytecode::read(bytecode::write(m));
    REQUIRE(std::holds_alternative<bytecode::Module>(read));
    const auto& back = std::get<bytecode::Module>(read).policies[0];
    CHECK(back.probes == m.policies[0].probes);
    CHECK(refusal(m).empty());
}

TEST_CASE("the loader refuses a probe it could not trust", "[vm][probes][loader]") {
    auto original = testing::compile_text(rules);
    auto refused = [&](auto change) {
        auto m = original;
        change(m.policies[0].probes);
        return refusal(m);
    };
    CHECK_THAT(refused([](auto& p) { p[1].end = 100000; }), Catch::Contains("probe 1: its code is outside the function's"));
    CHECK_THAT(refused([](auto& p) { p[1].start = p[1].end + 1; }), Catch::Contains("probe 1: its code is outside"));
    CHECK_THAT(refused([](auto& p) { p[0].reg = 0xfff0; }), Catch::Contains("probe 0: its register is out of range"));
    CHECK_THAT(refused([](auto& p) { p[3].parent = 3; }), Catch::Contains("probe 3: its parent does not come before it"));
    CHECK_THAT(refused([](auto& p) { p[3].rule = 9; }), Catch::Contains("probe 3: it names a rule that does not exist"));
    CHECK_THAT(refused([](auto& p) { p[2].file = 7; }), Catch::Contains("probe 2: its source file is out of range"));
    // The let's value read at the policy's first instruction, before any code wrote it.
    CHECK_THAT(refused([](auto& p) { p[0].start = p[0].end = 0; }),
               Catch::Contains("probe 0 reads a register before it is written"));
}

TEST_CASE("the observing loop decides as the plain one and records what the code computed", "[vm][probes]") {
    auto image = testing::load_text(rules);
    const auto& f = image->module().policies[0];
    auto kase = engine::Case::from_json(
        *image, boost::json::parse(R"({"message": {"files": [{"name": "notes.txt", "ext": "txt", "size": "1 MB"}]}})"));
    // The attachment kind's `file` is the message's first file, as the engine binds it.
    const auto& schema = image->schema();
    std::vector<vm::Value> inputs;
    for (const auto& b : schema.kinds()[f.kind].bindings)
        inputs.push_back(b.name == "file" ? kase.fact(engine::Fact::message)[engine::field_slot(schema, "message", "files")][0]
                                          : kase.fact(engine::fact_index(schema, b.name)));
    vm::Inputs in{inputs.data(), kase.settings().data(), &kase.queries()};

    vm::Machine machine(*image);
    std::vector<vm::TraceStep> plain_trace, observed_trace;
    auto plain = machine.run(f, in, vm::default_budget, &plain_trace);
    std::vector<vm::Observation> seen;
    auto observed = machine.run_observed(f, in, vm::default_budget, &observed_trace, seen);
    CHECK(observed.rule == plain.rule);
    CHECK(observed.value.ctor == plain.value.ctor);
    REQUIRE(observed_trace.size() == plain_trace.size());
    REQUIRE(observed_trace.size() == 3);  // both rules false, then `otherwise`

    // In the order computed: the let, rule 0's `big` (false: `and` skips the rest), rule 1's
    // `big` under `not`, `not big`, the first `!=` (true), the second (false).
    std::vector<std::pair<std::uint32_t, bool>> values;
    for (const auto& o : seen) values.push_back({o.probe, o.value.i != 0});
    CHECK(values == std::vector<std::pair<std::uint32_t, bool>>{{0, false}, {1, false}, {6, false}, {5, true}, {7, true}, {8, false}});
}

TEST_CASE("a link of a chain that folds to a constant is one part: its operands have no code", "[vm][probes]") {
    // Found by the differential test: `(false and b)` folds to `false`, so `b` is never lowered.
    auto m = testing::compile_text(R"(policy attachment for inbound {
    when file.size > 10 MB and (false and file.ext == "exe") -> link
    otherwise                                                -> attach
}
)");
    CHECK(texts(m.policies[0]) ==
          "part file.size > 10 MB rule 0 parent - line 2\n"
          "part false and file.ext == \"exe\" rule 0 parent - line 2\n");
}
