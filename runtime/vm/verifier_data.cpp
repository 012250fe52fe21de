// The verifier's checks of a ruleset's data (verifier_data.hpp). A problem is thrown as
// Rejected inside, where checks nest, and returned as data at the edge.
#include "runtime/vm/verifier_data.hpp"

#include "runtime/vm/verifier_types.hpp"

#include <algorithm>
#include <set>
#include <string_view>

namespace switchyard::vm::verifier_data {

using stdlib::Type;
using stdlib::TypeKind;
using stdlib::Wrap;
using namespace verifier_types;

namespace {

class DataVerifier {
public:
    DataVerifier(const bytecode::Module& m, const stdlib::Schema& schema) : m_(m), schema_(schema) {}

    // Constants first: the settings' and contact fields' defaults are constants.
    void run() {
        for (std::size_t k = 0; k < m_.constants.size(); ++k) constant(k);
        for (std::size_t s = 0; s < m_.sets.size(); ++s) set(s);
        for (const auto& s : m_.settings) setting(s);
        contact_fields();
    }

private:
    void constant(std::size_t k) {
        const auto& c = m_.constants[k];
        auto bad = [&](const std::string& why) { reject("constant " + std::to_string(k) + ": " + why); };
        Type t = c.type;
        if (!valid_type(t, schema_)) bad("an invalid type");
        for (auto p : c.parts)
            if (p >= k) bad("refers to a later constant");
        auto part_type = [&](std::size_t n) { return m_.constants[c.parts[n]].type; };
        switch (c.kind) {
            case bytecode::ConstKind::none:
                if (!t.is_optional()) bad("`none` of a type that is not optional");
                break;
            case bytecode::ConstKind::boolean:
                if (!(t.without_optional() == stdlib::types::boolean) || c.number < 0 || c.number > 1) bad("not a bool");
                break;
            case bytecode::ConstKind::integer: {
                Type b = t.without_optional();
                if (!is_integer_like(b)) bad("not a number");
                if (b.base == TypeKind::enumeration &&
                    (b.decl >= schema_.enums().size() || c.number < 0 ||
                     std::size_t(c.number) >= schema_.enums()[b.decl].members.size()))
                    bad("not a member of its enum");
                if (b.base == TypeKind::boolean && (c.number < 0 || c.number > 1)) bad("not a bool");
                break;
            }
            case bytecode::ConstKind::string:
                if (!(t.without_optional() == stdlib::types::string)) bad("not a string");
                break;
            case bytecode::ConstKind::list:
            case bytecode::ConstKind::set: {
                Type b = t.without_optional();
                bool list = c.kind == bytecode::ConstKind::list;
                if (!(list ? b.is(Wrap::list) : b.is(Wrap::set))) bad("a collection of the wrong type");
                for (std::size_t n = 0; n < c.parts.size(); ++n)
                    if (!fits(part_type(n), b.inner())) bad("an item of the wrong type");
                break;
            }
            case bytecode::ConstKind::record: {
                Type b = t.without_optional();
                if (b.depth || b.base != TypeKind::record || b.decl >= schema_.records().size()) bad("not a record");
                const auto& rec = schema_.records()[b.decl];
                // Rules never make a constant of the record whose fields they declare.
                if (rec.declared_by_rules) bad("a record of `" + rec.name + "`, which no constant can be");
                if (c.parts.size() != rec.fields.size()) bad("a record with the wrong number of fields");
                for (std::size_t n = 0; n < c.parts.size(); ++n)
                    if (!fits(part_type(n), rec.fields[n].type)) bad("a field of the wrong type");
                break;
            }
            case bytecode::ConstKind::variant: {
                if (c.number < 0 || std::size_t(c.number) >= schema_.functions().size()) bad("an unknown constructor");
                const auto& fn = schema_.functions()[std::size_t(c.number)];
                if (fn.role != stdlib::FunctionRole::constructor || !(fn.result == t.without_optional()))
                    bad("not a constructor of its type");
                if (c.parts.size() != fn.params.size()) bad("the wrong number of arguments");
                for (std::size_t n = 0; n < c.parts.size(); ++n) {
                    const auto& p = fn.params[n];
                    bool ok = fn.variadic_first && n == 0 ? part_type(n).is(Wrap::list)
                                                          : fits(part_type(n), p.optional ? p.type.optional() : p.type);
                    if (!ok) bad("an argument of the wrong type");
                }
                break;
            }
        }
    }

    void set(std::size_t s) {
        const auto& set = m_.sets[s];
        auto bad = [&](const std::string& why) { reject("constant set " + std::to_string(s) + ": " + why); };
        if (!std::is_sorted(set.integers.begin(), set.integers.end()) ||
            std::adjacent_find(set.integers.begin(), set.integers.end()) != set.integers.end())
            bad("its numbers are not sorted and unique");
        if (!std::is_sorted(set.strings.begin(), set.strings.end()) ||
            std::adjacent_find(set.strings.begin(), set.strings.end()) != set.strings.end())
            bad("its strings are not sorted and unique");
    }

    void setting(const bytecode::Setting& s) {
        if (s.default_value >= m_.constants.size()) reject("setting `" + s.name + "`: its default is out of range");
        if (!valid_type(s.type, schema_) || !fits(m_.constants[s.default_value].type, s.type))
            reject("setting `" + s.name + "`: its default does not fit its type");
    }

    // What `contact.fields` reads and the server fills from [contact_fields] of the
    // configuration: bool, int or string, perhaps optional, each name once.
    void contact_fields() {
        if (m_.contact_fields.size() > bytecode::max_contact_fields) reject("more contact fields than a field slot can name");
        std::set<std::string_view> names;
        for (const auto& f : m_.contact_fields) {
            const std::string what = "contact field `" + f.name + "`";
            Type plain = f.type.without_optional();
            if (!(plain == stdlib::types::boolean || plain == stdlib::types::integer || plain == stdlib::types::string))
                reject(what + ": a contact field is bool, int or string, perhaps optional");
            if (f.default_value >= m_.constants.size()) reject(what + ": its default is out of range");
            if (!fits(m_.constants[f.default_value].type, f.type)) reject(what + ": its default does not fit its type");
            if (f.name.empty() || !names.insert(f.name).second) reject(what + ": empty, or declared twice");
        }
    }

    const bytecode::Module& m_;
    const stdlib::Schema& schema_;
};

}  // namespace

std::optional<std::string> verify_data(const bytecode::Module& module, const stdlib::Schema& schema) {
    return first_rejection([&] { DataVerifier(module, schema).run(); });
}

}  // namespace switchyard::vm::verifier_data
