// Footprints: what the compiler records of the facts and fact queries each policy reads, and
// that the loader refuses a footprint that is not what the code reads.
#include "bytecode/footprint.hpp"
#include "bytecode/serialize.hpp"
#include "compiler/lower.hpp"
#include "runtime/vm/image.hpp"
#include "tests/support.hpp"
#include "tests/vm_support.hpp"

#include <catch2/catch.hpp>

using namespace switchyard;
using bytecode::Footprint;
using bytecode::Op;

namespace {

const stdlib::Schema& schema() { return stdlib::builtin_schema(); }

std::uint16_t function(std::string_view name) { return static_cast<std::uint16_t>(*schema().find_function(name)); }

std::size_t kind_index(std::string_view name) {
    return static_cast<std::size_t>(schema().find_kind(name) - schema().kinds().data());
}

// The compiled shipped rules, as `switchyard compile rules` makes them.
const bytecode::Module& shipped() {
    static const bytecode::Module module = [] {
        testing::source_dir();
        common::DiagnosticBag bag;
        std::vector<compiler::LoadError> errors;
        auto ws = compiler::load_workspace({"rules"}, bag, errors);
        auto m = compiler::compile(ws, bag);
        REQUIRE(m);
        return std::move(*m);
    }();
    return module;
}

// The shipped policy of `kind` declared at `path:line`.
const bytecode::Function& policy_at(std::string_view kind, std::string_view path, std::uint32_t line) {
    for (const auto& f : shipped().policies)
        if (f.kind == kind_index(kind) && shipped().sources[f.file].path == path && f.line == line) return f;
    FAIL("no `" << kind << "` policy at " << path << ":" << line);
    throw std::logic_error("unreachable");
}

// The index of the first shipped policy of `kind` in `path`.
std::size_t index_in(std::string_view kind, std::string_view path) {
    const auto& policies = shipped().policies;
    for (std::size_t p = 0; p < policies.size(); ++p)
        if (policies[p].kind == kind_index(kind) && shipped().sources[policies[p].file].path == path) return p;
    FAIL("no `" << kind << "` policy in " << path);
    return 0;
}

const bytecode::Function& policy_in(std::string_view kind, std::string_view path) {
    return shipped().policies[index_in(kind, path)];
}

// The inputs a footprint reads, by name.
std::vector<std::string> reads(const bytecode::Function& f) {
    auto names = bytecode::input_names(f, false, schema());
    std::vector<std::string> out;
    for (std::size_t b = 0; b < f.inputs; ++b)
        if (f.footprint.reads_input(b)) out.push_back(names[b]);
    return out;
}

std::string refusal_of_bytes(const std::string& bytes) {
    auto loaded = vm::load(bytes);
    auto* problem = std::get_if<std::string>(&loaded);
    return problem ? *problem : std::string();
}

// A policy of `kind` with `code` and as many registers as it names, all inputs of the kind's
// facts first, then `extra` registers of type `string`; its footprint left empty.
bytecode::Function hand_made(std::string_view kind, std::vector<bytecode::Instr> code, std::size_t extra = 4) {
    bytecode::Function f;
    f.kind = static_cast<std::uint16_t>(kind_index(kind));
    for (const auto& b : schema().kinds()[f.kind].bindings) f.registers.push_back({b.type, false});
    f.inputs = static_cast<std::uint16_t>(f.registers.size());
    for (std::size_t r = 0; r < extra; ++r) f.registers.push_back({stdlib::types::string, false});
    f.code = std::move(code);
    return f;
}

}  // namespace

TEST_CASE("the Telegram group notification policy reads message and task and calls every fact query", "[footprint]") {
    const auto& f = policy_at("notification", "rules/telegram.rules", 28);
    CHECK(reads(f) == std::vector<std::string>{"message", "task"});
    CHECK(f.footprint.fact_queries ==
          std::vector<std::uint16_t>{function("member_of"), function("has_role"), function("last_message_with")});
    CHECK(f.footprint.calls(function("member_of")));
    CHECK_FALSE(f.footprint.calls(function("str")));
}

TEST_CASE("the common policies read only what their rules name", "[footprint]") {
    // Routing names message.channel.number, never the `channel` fact itself.
    const auto& routing = policy_in("routing", "rules/common.rules");
    CHECK(reads(routing) == std::vector<std::string>{"message", "integration"});
    CHECK(routing.footprint.fact_queries.empty());
    CHECK_FALSE(routing.footprint.reads_input(1));  // channel

    const auto& notification = policy_in("notification", "rules/common.rules");
    CHECK(reads(notification) == std::vector<std::string>{"task"});
    CHECK(notification.footprint.fact_queries.empty());

    const auto& reopen = policy_in("reopen", "rules/common.rules");  // a setting is not an input
    CHECK(reopen.footprint == Footprint{});
}

TEST_CASE("registers read through windows count, registers only written do not", "[footprint]") {
    // notification's inputs: r0 message, r1 task, r2 contact, r3 conversation, r4 integration,
    // r5 account, r6 now; r7.. are strings.
    auto f = hand_made("notification", {
                                            {Op::move, 0, 2, 7, 0},                     // writes contact: not a read
                                            {Op::concat, 0, 8, 4, 2},                   // reads integration, account
                                            {Op::call, 0, 9, function("member_of"), 0},  // reads message, task
                                            {Op::no_match, 0, 0, 0, 0},
                                        });
    auto fp = bytecode::compute_footprint(f, schema());
    CHECK(fp.inputs == 0b110011);
    CHECK(fp.fact_queries == std::vector<std::uint16_t>{function("member_of")});

    CHECK(bytecode::registers_read({Op::concat, 0, 1, 5, 3}, schema()) == std::vector<std::size_t>{5, 6, 7});
    CHECK(bytecode::registers_read({Op::call, 0, 1, function("member_of"), 4}, schema()) == std::vector<std::size_t>{4, 5});
    CHECK(bytecode::registers_read({Op::construct, 0, 1, function("attach"), 4}, schema()).empty());
    CHECK(bytecode::registers_read({Op::next_item, 0, 3, 6, 2}, schema()) == std::vector<std::size_t>{4, 6});
    CHECK(bytecode::registers_read({Op::list_push, 0, 3, 6, 0}, schema()) == std::vector<std::size_t>{3, 6});
    CHECK(bytecode::registers_read({Op::test_rule, 0, 2, 0, 9}, schema()) == std::vector<std::size_t>{2});
    CHECK(bytecode::registers_read({Op::load_const, 0, 2, 0, 9}, schema()).empty());
    CHECK(bytecode::registers_read({Op::load_setting, 0, 2, 0, 0}, schema()).empty());
}

TEST_CASE("a footprint changed by hand in a compiled file is refused, naming the policy and the difference", "[footprint][loader]") {
    const auto& original = shipped();
    const std::size_t at = index_in("notification", "rules/telegram.rules");
    auto refused = [&](auto edit) {
        auto m = original;
        edit(m.policies[at].footprint);
        return refusal_of_bytes(bytecode::write(m));
    };
    CHECK(refusal_of_bytes(bytecode::write(original)).empty());
    const std::string policy = "`notification` policy " + std::to_string(at) + " (rules/telegram.rules:28): ";
    CHECK_THAT(refused([](Footprint& fp) { fp.inputs &= ~std::uint64_t(2); }),
               Catch::Contains(policy + "reads input `task` but its footprint does not list it"));
    CHECK_THAT(refused([](Footprint& fp) { fp.inputs |= 4; }),
               Catch::Contains(policy + "its footprint lists input `contact`, which its code does not read"));
    CHECK_THAT(refused([](Footprint& fp) { fp.inputs |= std::uint64_t(1) << 40; }),
               Catch::Contains("its footprint lists input 40, but it has 7 inputs"));
    CHECK_THAT(refused([](Footprint& fp) { fp.fact_queries.erase(fp.fact_queries.begin()); }),
               Catch::Contains(policy + "calls `member_of` but its footprint does not list it"));
    CHECK_THAT(refused([](Footprint& fp) { std::swap(fp.fact_queries[0], fp.fact_queries[1]); }),
               Catch::Contains("its footprint's fact queries are not sorted and unique"));
    CHECK_THAT(refused([](Footprint& fp) { fp.fact_queries = {function("str")}; }),
               Catch::Contains("its footprint lists `str`, which is not a fact query"));

    auto common = original;  // a fact query listed by a policy that does not call it
    const std::size_t routing = index_in("routing", "rules/common.rules");
    common.policies[routing].footprint.fact_queries = {function("has_role")};
    CHECK_THAT(refusal_of_bytes(bytecode::write(common)),
               Catch::Contains("`routing` policy " + std::to_string(routing) +
                               " (rules/common.rules:18): its footprint lists `has_role`, which its code does not call"));
}

TEST_CASE("expectations carry their footprint: the policy kinds whose results they read", "[footprint]") {
    auto m = testing::compile_text(R"(policy attachment for inbound {
    otherwise -> attach
}
test "files are attached" {
    given file { size: 1 MB }
    expect attachment == attach
}
)",
                                   "test.rules", true);
    REQUIRE(m.expectations.size() == 1);
    CHECK(m.expectations[0].footprint.inputs == std::uint64_t(1) << kind_index("attachment"));
    CHECK(bytecode::describe(m.expectations[0].footprint, bytecode::input_names(m.expectations[0], true, schema()), schema()) ==
          "reads: attachment; queries: none");
    CHECK(bytecode::describe(m.policies[0].footprint, bytecode::input_names(m.policies[0], false, schema()), schema()) ==
          "reads: nothing; queries: none");
    m.expectations[0].footprint = {};
    auto loaded = vm::load_module(m);
    REQUIRE(std::holds_alternative<std::string>(loaded));
    CHECK_THAT(std::get<std::string>(loaded), Catch::Contains("expectation 0: reads input `attachment` but its footprint does not list it"));
}

TEST_CASE("files of older format versions are refused: no footprints (1), no zones (2), no contact fields or probes (3), "
          "no sources' text (4)",
          "[footprint][loader]") {
    auto bytes = bytecode::write(testing::compile_text("policy attachment for inbound {\n    otherwise -> attach\n}\n"));
    REQUIRE(bytes[8] == 5);
    for (char older : {1, 2, 3, 4}) {
        bytes[8] = older;
        bytecode::reseal(bytes);
        CHECK_THAT(refusal_of_bytes(bytes), Catch::Contains("at byte 8: format version " + std::to_string(int(older)) +
                                                            ": compiled by an older switchyard: compile the rules again"));
    }
}

TEST_CASE("a policy kind with more facts than a footprint can name is E0700", "[footprint][limits]") {
    stdlib::Schema wide;  // the least a schema needs: directions, and a scope over them
    wide.add_enum({"direction", {"inbound"}, ""});
    wide.add_dimension({"for", 0, "message.direction", ""});
    stdlib::PolicyKindDecl kind{"wide", stdlib::types::integer, {}, 1, false, "a kind with 65 facts"};
    for (int b = 0; b < 65; ++b) kind.bindings.push_back({"f" + std::to_string(b), stdlib::types::integer, ""});
    wide.add_kind(std::move(kind));
    common::DiagnosticBag bag;
    auto ws = compiler::workspace_from_text("wide.rules", "policy wide {\n    otherwise -> f64\n}\n", bag);
    auto module = compiler::compile(ws, bag, {}, wide);
    CHECK_FALSE(module);
    auto diagnostics = bag.sorted(ws.sources);
    REQUIRE(diagnostics.size() == 1);
    CHECK(diagnostics[0].code == common::Code::E0700);
    CHECK_THAT(diagnostics[0].message, Catch::Contains("the `wide` policy kind has 65 facts, more than the 64 inputs a footprint can name"));
}
