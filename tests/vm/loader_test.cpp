// The loader and verifier: what is refused, and that refusing never crashes.
#include "bytecode/serialize.hpp"
#include "runtime/engine/engine.hpp"
#include "runtime/vm/image.hpp"
#include "tests/support.hpp"
#include "tests/vm_support.hpp"

#include <catch2/catch.hpp>

using namespace switchyard;
using bytecode::Op;

namespace {

const char* rules = R"(setting big: size = 5 MB
policy attachment for inbound {
    let name = lower(file.name)
    when file.size > setting.big and ends_with(name, ".pdf") -> link
    when any(message.mentions where it.is_employee)          -> reject("staff")
    otherwise                                                -> attach
}
)";

std::string refusal(const bytecode::Module& m) {
    auto loaded = vm::load_module(m);
    auto* problem = std::get_if<std::string>(&loaded);
    return problem ? *problem : std::string();
}

std::string refusal_of_bytes(const std::string& bytes) {
    auto loaded = vm::load(bytes);
    auto* problem = std::get_if<std::string>(&loaded);
    return problem ? *problem : std::string();
}

bytecode::Instr* find(bytecode::Function& f, Op op) {
    for (auto& i : f.code)
        if (i.op == op) return &i;
    FAIL("no " << bytecode::info(op).name << " in the code");
    return nullptr;
}

}  // namespace

TEST_CASE("a module survives writing and reading unchanged", "[loader]") {
    auto m = testing::compile_text(rules);
    auto bytes = bytecode::write(m);
    auto back = bytecode::read(bytes);
    REQUIRE(std::holds_alternative<bytecode::Module>(back));
    CHECK(bytecode::write(std::get<bytecode::Module>(back)) == bytes);
    CHECK(refusal_of_bytes(bytes).empty());
    // The file carries its sources' text (format 5): what it was compiled from, without the files.
    REQUIRE(std::get<bytecode::Module>(back).sources.size() == 1);
    CHECK(std::get<bytecode::Module>(back).sources[0].text == rules);
}

TEST_CASE("wrong magic, version, checksum and schema are refused with a reason", "[loader]") {
    auto bytes = bytecode::write(testing::compile_text(rules));
    CHECK_THAT(refusal_of_bytes("hello"), Catch::Contains("not a compiled Switchyard ruleset"));

    auto other_version = bytes;
    other_version[8] = 9;
    CHECK_THAT(refusal_of_bytes(other_version), Catch::Contains("format version 9") && Catch::Contains("compile the rules again"));

    auto corrupted = bytes;
    corrupted[corrupted.size() / 2] ^= 0x5a;
    CHECK_THAT(refusal_of_bytes(corrupted), Catch::Contains("checksum mismatch"));

    auto m = testing::compile_text(rules);
    m.schema_hash ^= 1;
    CHECK_THAT(refusal(m), Catch::Contains("compiled against another schema"));
}

TEST_CASE("every truncation of a file is refused, none crashes", "[loader]") {
    auto bytes = bytecode::write(testing::compile_text(rules));
    for (std::size_t n = 0; n < bytes.size(); ++n) {
        auto cut = bytes.substr(0, n);
        bytecode::reseal(cut);  // past the checksum, so that the structure itself is read
        INFO("cut at " << n);
        CHECK_FALSE(refusal_of_bytes(cut).empty());
    }
}

TEST_CASE("every single-byte change either loads or is refused, none crashes", "[loader]") {
    auto bytes = bytecode::write(testing::compile_text(rules));
    std::size_t refused = 0;
    for (std::size_t at = 20; at < bytes.size(); ++at) {
        for (unsigned char delta : {1, 0x80, 0xff}) {
            auto changed = bytes;
            changed[at] = static_cast<char>(static_cast<unsigned char>(changed[at]) + delta);
            bytecode::reseal(changed);
            refused += refusal_of_bytes(changed).empty() ? 0 : 1;
        }
    }
    CHECK(refused > 0);
}

TEST_CASE("the verifier refuses code that could misbehave", "[verifier]") {
    auto base = testing::compile_text(rules);
    auto refused = [&](auto edit) {
        auto m = base;
        edit(m.policies[0]);
        return refusal(m);
    };
    CHECK_THAT(refused([](auto& f) { find(f, Op::get_field)->a = 60000; }), Catch::Contains("out of range"));
    CHECK_THAT(refused([](auto& f) { find(f, Op::jump)->set_bc(100000); }), Catch::Contains("outside the code"));
    CHECK_THAT(refused([](auto& f) { find(f, Op::get_field)->c = 40; }), Catch::Contains("field slot 40"));
    CHECK_THAT(refused([&](auto& f) { find(f, Op::call)->b = static_cast<std::uint16_t>(*stdlib::builtin_schema().find_function("attach")); }),
               Catch::Contains("not a host function"));
    CHECK_THAT(refused([](auto& f) {
                   f.registers.push_back({stdlib::types::boolean, false});
                   f.code.back() = {Op::load_bool, 0, std::uint16_t(f.registers.size() - 1), 1, 0};
               }),
               Catch::Contains("falls off the end"));
    CHECK_THAT(refused([](auto& f) { f.lines.pop_back(); }), Catch::Contains("line table"));
    CHECK_THAT(refused([](auto& f) {
                   auto* next = find(f, Op::next_item);
                   next->op = Op::move;  // the loop's backward jumps now land on a move
               }),
               Catch::Contains("backward jump must go to a `next_item`"));
    // A field read from a register that holds a string: type confusion.
    CHECK_THAT(refused([](auto& f) {
                   auto* get = find(f, Op::get_field);
                   for (std::uint16_t r = 0; r < f.registers.size(); ++r)
                       if (f.registers[r].type == stdlib::types::string) get->b = r;
               }),
               Catch::Contains("not a record") || Catch::Contains("read before it is written"));
    // A register read before anything wrote it.
    CHECK_THAT(refused([](auto& f) {
                   f.registers.push_back({stdlib::types::boolean, false});
                   f.code.insert(f.code.begin(), {Op::logical_not, 0, std::uint16_t(f.registers.size() - 1),
                                                  std::uint16_t(f.registers.size() - 1), 0});
                   f.lines.insert(f.lines.begin(), f.lines.front());
                   for (auto& i : f.code)
                       if (bytecode::info(i.op).operands[1] == bytecode::Operand::J && &i != &f.code.front()) i.set_bc(i.bc() + 1);
               }),
               Catch::Contains("read before it is written"));
}

TEST_CASE("constants and settings are checked too", "[verifier]") {
    auto m = testing::compile_text(rules);
    auto bad_part = m;
    bad_part.constants.push_back({*stdlib::types::string.wrapped(stdlib::Wrap::list), bytecode::ConstKind::list, 0, {},
                                  {static_cast<std::uint32_t>(bad_part.constants.size())}});
    CHECK_THAT(refusal(bad_part), Catch::Contains("refers to a later constant"));
    auto bad_setting = m;
    bad_setting.settings[0].default_value = 999999;
    CHECK_THAT(refusal(bad_setting), Catch::Contains("out of range"));
}

// Inputs the loader fuzzer found (fuzz/run.sh loader): each must load or be refused, and what
// loads must run every policy on a default case. Run under the sanitizers by the fuzzer itself.
TEST_CASE("the loader fuzzer's findings stay fixed", "[loader][regression]") {
    testing::source_dir();
    std::size_t files = 0;
    for (const auto& entry : std::filesystem::directory_iterator("tests/vm/loader_crashes")) {
        ++files;
        auto bytes = testing::read_text(entry.path());
        bytecode::reseal(bytes);
        auto loaded = vm::load(bytes);
        if (std::holds_alternative<std::string>(loaded)) continue;
        const auto& image = *std::get<std::shared_ptr<const vm::Image>>(loaded);
        auto kase = engine::Case::from_json(image, boost::json::object{});
        vm::Machine machine(image);
        for (const auto& f : image.module().policies) {
            std::vector<vm::Value> inputs;
            for (const auto& b : image.schema().kinds()[f.kind].bindings)
                inputs.push_back(kase.fact(engine::fact_index(image.schema(), b.name)));
            vm::Inputs in{inputs.data(), kase.settings().data(), &kase.queries()};
            INFO(entry.path());
            CHECK(machine.run(f, in, 10000).failure != vm::Failure::internal);
        }
    }
    CHECK(files >= 1);
}

TEST_CASE("policies that apply together with no winner are refused, in any order", "[loader]") {
    // Hand-edited scopes: {telegram, whatsapp}, {telegram, instagram}, {telegram}, one priority.
    // For telegram messages the third is inside both others, so it wins; for whatsapp only the
    // first applies. Then the third is removed: telegram messages have two policies and no winner.
    auto m = testing::compile_text(R"(policy attachment via telegram priority 1 {
    otherwise -> attach
}
policy attachment via whatsapp priority 2 {
    otherwise -> link
}
policy attachment via instagram priority 3 {
    otherwise -> inline
}
)");
    const std::uint64_t telegram = 1, whatsapp = 2, instagram = 4;
    auto scoped = [&](std::vector<std::uint64_t> transports) {
        auto edited = m;
        edited.policies.clear();
        for (auto t : transports) {
            auto f = m.policies[0];
            f.priority = 0;
            f.scope[1] = t;
            edited.policies.push_back(f);
        }
        return refusal(edited);
    };
    CHECK(scoped({telegram | whatsapp, telegram | instagram, telegram}).empty());
    CHECK(scoped({telegram, telegram | whatsapp, telegram | instagram}).empty());
    CHECK_THAT(scoped({telegram | whatsapp, telegram | instagram}), Catch::Contains("neither wins"));
    CHECK_THAT(scoped({telegram | instagram, telegram | whatsapp}), Catch::Contains("neither wins"));
    CHECK_THAT(scoped({telegram, telegram}), Catch::Contains("neither wins"));
}
