// Contact fields (`contact_field`) below the language: the module's section through the file
// format and the disassembler, a case's `contact.fields`, what a decision says it read, and the
// verifier's checks of the section and of the code that reads it.
#include "bytecode/disasm.hpp"
#include "bytecode/serialize.hpp"
#include "runtime/engine/engine.hpp"
#include "runtime/vm/image.hpp"
#include "tests/vm_support.hpp"

#include <catch2/catch.hpp>

using namespace switchyard;
using bytecode::Op;

namespace {

// Two fields of different types, so that a field read at the wrong slot has the wrong type.
const char* rules = R"(contact_field tier: string = "basic"
contact_field orders: int = 0

policy reopen for inbound {
    when contact.fields.tier == "gold" or contact.fields.orders > 10 -> reopen
    otherwise                                                         -> new_task
}
)";

std::string refusal(const bytecode::Module& m) {
    auto loaded = vm::load_module(m);
    auto* problem = std::get_if<std::string>(&loaded);
    return problem ? *problem : std::string();
}

engine::Decision reopen_of(const std::string& case_json) {
    auto image = testing::load_text(rules);
    auto kase = engine::Case::from_json(*image, boost::json::parse(case_json));
    engine::Engine engine(image);
    for (const auto& d : engine.decide(kase, {.explain = true, .read_values = true}))
        if (image->schema().kinds()[d.kind].name == "reopen") return d;
    FAIL("no reopen decision");
    return {};
}

std::string value_of(const std::string& case_json) {
    auto image = testing::load_text(rules);
    auto kase = engine::Case::from_json(*image, boost::json::parse(case_json));
    engine::Engine engine(image);
    auto out = engine.to_json(engine.decide(kase));
    return std::string(out.at("decisions").as_array()[0].at("value").as_string());
}

// The `get_field` that reads a contact field: the one whose object is a `contact_fields` register.
bytecode::Instr& contact_field_read(bytecode::Function& f, std::size_t nth) {
    const auto& schema = stdlib::builtin_schema();
    for (auto& i : f.code) {
        if (i.op != Op::get_field) continue;
        auto t = f.registers[i.b].type;
        if (t.base == stdlib::TypeKind::record && schema.record_of(t).declared_by_rules && nth-- == 0) return i;
    }
    FAIL("no read of a contact field");
    return f.code.front();
}

}  // namespace

TEST_CASE("contact fields survive the file format and are listed by disasm", "[contacts][loader]") {
    auto m = testing::compile_text(rules);
    REQUIRE(m.contact_fields.size() == 2);
    CHECK(m.contact_fields[0].name == "tier");
    CHECK(m.contact_fields[1].name == "orders");
    auto bytes = bytecode::write(m);
    auto back = bytecode::read(bytes);
    REQUIRE(std::holds_alternative<bytecode::Module>(back));
    const auto& read = std::get<bytecode::Module>(back);
    REQUIRE(read.contact_fields.size() == 2);
    CHECK(read.contact_fields[1].name == "orders");
    CHECK(read.contact_fields[1].type == stdlib::types::integer);
    CHECK(bytecode::write(read) == bytes);

    auto listing = bytecode::disassemble(m, stdlib::builtin_schema());
    CHECK_THAT(listing, Catch::Contains("\ncontact fields\n  tier: string = \"basic\"\n  orders: int = 0\n"));
    CHECK_THAT(listing, Catch::Contains(".tier\n") && Catch::Contains(".orders\n"));
    // A ruleset without any lists no such section.
    auto plain = testing::compile_text("policy reopen for inbound {\n    otherwise -> new_task\n}\n");
    CHECK_THAT(bytecode::disassemble(plain, stdlib::builtin_schema()), !Catch::Contains("contact fields"));
}

TEST_CASE("a case's contact fields: given ones, the defaults for the others, unknown ones refused",
          "[contacts][vm]") {
    CHECK(value_of("{}") == "new_task");  // no contact: its fields are the defaults
    CHECK(value_of(R"({"contact": {"fields": {"tier": "gold"}}})") == "reopen");
    CHECK(value_of(R"({"contact": {"fields": {"orders": 11}}})") == "reopen");
    CHECK(value_of(R"({"contact": {"fields": {"tier": "silver", "orders": 10}}})") == "new_task");
    CHECK_THROWS_WITH(value_of(R"({"contact": {"fields": {"teir": "gold"}}})"),
                      Catch::Contains("contact.fields.teir: the ruleset declares no such contact field"));
    CHECK_THROWS_WITH(value_of(R"({"contact": {"fields": {"orders": "many"}}})"), Catch::Contains("contact.fields.orders"));
    CHECK_THROWS_WITH(value_of(R"({"contact": {"fields": ["gold"]}})"), Catch::Contains("contact.fields: expected an object"));
}

TEST_CASE("what a decision read shows the contact fields by name", "[contacts][vm]") {
    auto d = reopen_of(R"({"contact": {"fields": {"tier": "gold"}}})");
    CHECK(d.read.at("contact.fields") == boost::json::parse(R"({"tier": "gold", "orders": 0})"));
}

TEST_CASE("the verifier checks the contact fields section and the code that reads it", "[contacts][verifier]") {
    const auto base = testing::compile_text(rules);
    REQUIRE(refusal(base).empty());
    auto refused = [&](auto edit) {
        auto m = base;
        edit(m);
        return refusal(m);
    };
    CHECK_THAT(refused([](auto& m) { contact_field_read(m.policies[0], 0).c = 2; }),
               Catch::Contains("field slot 2 is out of range for `contact_fields`"));
    // The slots swapped: `tier` is read where an int is expected, `orders` where a string is.
    CHECK_FALSE(refused([](auto& m) { std::swap(m.contact_fields[0], m.contact_fields[1]); }).empty());
    CHECK_THAT(refused([](auto& m) { m.contact_fields.pop_back(); }), Catch::Contains("field slot 1 is out of range"));
    CHECK_THAT(refused([](auto& m) { m.contact_fields[0].type = stdlib::types::time; }),
               Catch::Contains("contact field `tier`: a contact field is bool, int or string"));
    CHECK_THAT(refused([](auto& m) { m.contact_fields[1].name = "tier"; }), Catch::Contains("declared twice"));
    CHECK_THAT(refused([](auto& m) { m.contact_fields[0].default_value = 999999; }),
               Catch::Contains("contact field `tier`: its default is out of range"));
    CHECK_THAT(refused([](auto& m) { m.contact_fields[0].default_value = m.contact_fields[1].default_value; }),
               Catch::Contains("contact field `tier`: its default does not fit its type"));
    CHECK_THAT(refused([](auto& m) {
                   auto record = *stdlib::builtin_schema().named_type("contact_fields");
                   m.constants.push_back({record, bytecode::ConstKind::record, 0, {}, {}});
               }),
               Catch::Contains("which no constant can be"));
}
