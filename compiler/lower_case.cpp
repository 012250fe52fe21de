// Lowering: a test's `given` values as the JSON of a case file, which `switchyard test` reads
// as `eval` reads a case (docs/cases.md). Given values are constants, folded like any other.
#include "compiler/lower_impl.hpp"

#include <boost/json.hpp>

namespace switchyard::compiler {

boost::json::value CaseWriter::value(const Expr& e) {
    if (const auto* rec = e.as<dsl::RecordLit>()) {
        boost::json::object o;
        for (const auto& f : rec->fields) o[f.name] = value(*f.value);
        return o;
    }
    if (const auto* list = e.as<dsl::ListLit>()) {
        boost::json::array a;
        for (const auto& item : list->items) a.push_back(value(*item));
        return a;
    }
    auto k = s_.fold(e);
    if (!k) throw TooLarge{e.span, "internal error: a given value is not a constant"};
    return constant(*k);
}

boost::json::value CaseWriter::constant(std::uint32_t k) {
    const auto& c = s_.constants.at(k);
    Type t = c.type.without_optional();
    switch (c.kind) {
        case ConstKind::none: return nullptr;
        case ConstKind::boolean: return c.number != 0;
        case ConstKind::integer:
            if (t.base == TypeKind::enumeration) return boost::json::string(s_.schema.enum_of(t).members.at(std::size_t(c.number)));
            if (t.base == TypeKind::boolean) return c.number != 0;
            return c.number;
        case ConstKind::string: return boost::json::string(c.text);
        case ConstKind::list:
        case ConstKind::set: {
            boost::json::array a;
            for (auto p : c.parts) a.push_back(constant(p));
            return a;
        }
        case ConstKind::record: {
            boost::json::object o;
            const auto& rec = s_.schema.record_of(t);
            for (std::size_t i = 0; i < c.parts.size(); ++i) o[rec.fields[i].name] = constant(c.parts[i]);
            return o;
        }
        case ConstKind::variant: return nullptr;  // results are not facts: never given
    }
    return nullptr;
}

}  // namespace switchyard::compiler
