#include "runtime/vm/verifier_types.hpp"

namespace switchyard::vm::verifier_types {

using stdlib::Type;
using stdlib::TypeKind;
using stdlib::Wrap;

bool is_numeric(Type t) {
    if (t.depth) return false;
    switch (t.base) {
        case TypeKind::integer:
        case TypeKind::size:
        case TypeKind::duration:
        case TypeKind::time: return true;
        default: return false;
    }
}

bool is_ordered(Type t) {
    return is_numeric(t) || (t.depth == 0 && (t.base == TypeKind::date || t.base == TypeKind::time_of_day));
}

bool is_integer_like(Type t) {
    return is_ordered(t) || (t.depth == 0 && (t.base == TypeKind::enumeration || t.base == TypeKind::boolean));
}

bool is_sequence(Type t) { return t.is(Wrap::list) || t.is(Wrap::set); }

bool fits(Type from, Type to) {
    if (from == to) return true;
    if (from.depth == 0 && from.base == TypeKind::nothing) return true;  // no value has it: `none` is `nothing?`
    if (to.depth == 0 && to.base == TypeKind::any) return !is_sequence(from.without_optional());
    if (to.is_optional()) return fits(from.without_optional(), to.inner());
    if (from.is_optional() || from.depth == 0 || to.depth == 0 || from.outer() != to.outer()) return false;
    Type item = from.inner();
    if (item.depth == 0 && item.base == TypeKind::nothing) return true;  // `[]`, `{}`
    return fits(item, to.inner());
}

bool valid_type(Type t, const stdlib::Schema& schema) {
    if (t.depth > stdlib::max_type_nesting) return false;
    for (std::size_t i = 0; i < t.depth; ++i)
        if (t.wraps[i] == Wrap::collection) return false;
    switch (t.base) {
        case TypeKind::enumeration: return t.decl < schema.enums().size();
        case TypeKind::record: return t.decl < schema.records().size();
        case TypeKind::variant: return t.decl < schema.variants().size();
        case TypeKind::boolean:
        case TypeKind::integer:
        case TypeKind::string:
        case TypeKind::size:
        case TypeKind::duration:
        case TypeKind::time:
        case TypeKind::date:
        case TypeKind::time_of_day:
        case TypeKind::nothing:
        case TypeKind::any: return true;
        default: return false;
    }
}

}  // namespace switchyard::vm::verifier_types
