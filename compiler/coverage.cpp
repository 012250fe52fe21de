#include "compiler/coverage.hpp"

#include "common/civil.hpp"
#include "dsl/formatter.hpp"
#include "dsl/parser.hpp"

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <limits>

namespace switchyard::compiler {

using dsl::BinaryOp;
using dsl::Expr;
using stdlib::Type;
using stdlib::TypeKind;

namespace {
constexpr std::int64_t int_min = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t int_max = std::numeric_limits<std::int64_t>::max();

std::uint64_t all_bits(std::uint32_t members) { return members >= 64 ? ~0ull : (1ull << members) - 1; }

using Ranges = std::vector<std::pair<std::int64_t, std::int64_t>>;

Ranges intersect_ranges(const Ranges& a, const Ranges& b) {
    Ranges out;
    std::size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        std::int64_t lo = std::max(a[i].first, b[j].first);
        std::int64_t hi = std::min(a[i].second, b[j].second);
        if (lo <= hi) out.push_back({lo, hi});
        (a[i].second < b[j].second) ? ++i : ++j;
    }
    return out;
}

Ranges complement_ranges(const Ranges& r) {
    Ranges out;
    std::int64_t next = int_min;
    bool open = true;  // `next` is still a value not covered by r
    for (const auto& [lo, hi] : r) {
        if (open && lo > next) out.push_back({next, lo - 1});
        if (hi == int_max) {
            open = false;
            break;
        }
        next = hi + 1;
    }
    if (open) out.push_back({next, int_max});
    return out;
}

std::vector<std::string> set_op(const std::vector<std::string>& a, const std::vector<std::string>& b, int op) {
    std::vector<std::string> out;
    if (op == 0) std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    else if (op == 1) std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    else std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    return out;
}

// A literal value in a condition, normalised to what a dimension holds.
struct Constant {
    enum class Kind { integer, string, member, none } kind;
    std::int64_t number = 0;
    std::string text;
};

std::optional<Constant> constant_of(const Expr& e) {
    if (auto* i = e.as<dsl::IntLit>()) return Constant{Constant::Kind::integer, i->value, {}};
    if (auto* s = e.as<dsl::SizeLit>()) return Constant{Constant::Kind::integer, s->amount * dsl::unit_factor(s->unit), {}};
    if (auto* d = e.as<dsl::DurationLit>())
        return Constant{Constant::Kind::integer, d->amount * dsl::unit_factor(d->unit), {}};
    if (auto* d = e.as<dsl::DateLit>()) return Constant{Constant::Kind::integer, d->days, {}};
    if (auto* t = e.as<dsl::TimeOfDayLit>()) return Constant{Constant::Kind::integer, t->ms, {}};
    if (auto* t = e.as<dsl::TimeLit>()) return Constant{Constant::Kind::integer, t->ms, {}};
    if (auto* s = e.as<dsl::StringLit>()) return Constant{Constant::Kind::string, 0, s->value};
    if (auto* b = e.as<dsl::BoolLit>()) return Constant{Constant::Kind::member, b->value ? 1 : 0, {}};
    if (e.as<dsl::NoneLit>()) return Constant{Constant::Kind::none, 0, {}};
    if (auto* u = e.as<dsl::Unary>(); u && u->op == dsl::UnaryOp::negate) {
        auto inner = constant_of(*u->operand);
        if (inner && inner->kind == Constant::Kind::integer && inner->number != int_min) {
            inner->number = -inner->number;
            return inner;
        }
        return std::nullopt;
    }
    if (e.as<dsl::Name>() && e.annotation.ref == dsl::RefKind::enum_member)
        return Constant{Constant::Kind::member, static_cast<std::int64_t>(e.annotation.index), {}};
    if (e.as<dsl::Field>() && e.annotation.ref == dsl::RefKind::enum_member)
        return Constant{Constant::Kind::member, static_cast<std::int64_t>(e.annotation.index), {}};
    return std::nullopt;
}

std::optional<Dimension> dimension_for(Type t, const stdlib::Schema& schema) {
    bool optional = t.is_optional();
    Type base = t.without_optional();
    if (base.is_wrapped()) return std::nullopt;
    switch (base.base) {
        case TypeKind::boolean: return Dimension{Domain::Kind::finite, 2, optional, base};
        case TypeKind::enumeration:
            return Dimension{Domain::Kind::finite, static_cast<std::uint32_t>(schema.enum_of(base).members.size()), optional,
                             base};
        case TypeKind::integer:
        case TypeKind::size:
        case TypeKind::duration:
        case TypeKind::time:
        case TypeKind::date:
        case TypeKind::time_of_day: return Dimension{Domain::Kind::integers, 0, optional, base};
        case TypeKind::string: return Dimension{Domain::Kind::strings, 0, optional, base};
        default: return std::nullopt;
    }
}

BinaryOp mirrored(BinaryOp op) {
    switch (op) {
        case BinaryOp::lt: return BinaryOp::gt;
        case BinaryOp::le: return BinaryOp::ge;
        case BinaryOp::gt: return BinaryOp::lt;
        case BinaryOp::ge: return BinaryOp::le;
        default: return op;
    }
}

// The domain of `path OP c` for a non-`none` constant; nullopt when the operator does not fit the kind.
std::optional<Domain> domain_of(Domain::Kind kind, BinaryOp op, const Constant& c) {
    Domain d;
    d.kind = kind;
    if (kind == Domain::Kind::finite) {
        if (c.kind != Constant::Kind::member || (op != BinaryOp::eq) || c.number < 0 || c.number >= 64) return std::nullopt;
        d.bits = 1ull << c.number;
        return d;
    }
    if (kind == Domain::Kind::strings) {
        if (c.kind != Constant::Kind::string || op != BinaryOp::eq) return std::nullopt;
        d.strings = {c.text};
        return d;
    }
    if (c.kind != Constant::Kind::integer) return std::nullopt;
    std::int64_t v = c.number;
    switch (op) {
        case BinaryOp::eq: d.ranges = {{v, v}}; break;
        case BinaryOp::lt: if (v != int_min) d.ranges = {{int_min, v - 1}}; break;
        case BinaryOp::le: d.ranges = {{int_min, v}}; break;
        case BinaryOp::gt: if (v != int_max) d.ranges = {{v + 1, int_max}}; break;
        case BinaryOp::ge: d.ranges = {{v, int_max}}; break;
        default: return std::nullopt;
    }
    return d;
}

// True when no value is in both. Cheap and allocation-free; a string domain that excludes
// some strings is assumed to meet the other (subtract() then does the exact work).
bool disjoint(const Domain& a, const Domain& b) {
    if (a.none && b.none) return false;
    switch (a.kind) {
        case Domain::Kind::finite: return (a.bits & b.bits) == 0;
        case Domain::Kind::integers:
            for (std::size_t i = 0, j = 0; i < a.ranges.size() && j < b.ranges.size();) {
                if (std::max(a.ranges[i].first, b.ranges[j].first) <= std::min(a.ranges[i].second, b.ranges[j].second))
                    return false;
                (a.ranges[i].second < b.ranges[j].second) ? ++i : ++j;
            }
            return true;
        case Domain::Kind::strings:
            if (a.complement || b.complement) return false;
            for (std::size_t i = 0, j = 0; i < a.strings.size() && j < b.strings.size();) {
                if (a.strings[i] == b.strings[j]) return false;
                (a.strings[i] < b.strings[j]) ? ++i : ++j;
            }
            return true;
    }
    return false;
}

// False when some dimension that both constrain has no value in common.
bool meet(const Box& a, const Box& b) {
    for (const auto& [dim, bd] : b)
        if (auto it = a.find(dim); it != a.end() && disjoint(it->second, bd)) return false;
    return true;
}

Domain union_of(const Domain& a, const Domain& b) {
    Domain d = a;
    d.none = a.none || b.none;
    if (a.kind == Domain::Kind::finite) d.bits = a.bits | b.bits;
    else if (a.kind == Domain::Kind::strings) d.strings = set_op(a.strings, b.strings, 2);
    else {
        // ranges: union via complement of intersection of complements
        d.ranges = complement_ranges(intersect_ranges(complement_ranges(a.ranges), complement_ranges(b.ranges)));
    }
    return d;
}
}  // namespace

bool operator==(const Domain& a, const Domain& b) {
    return a.kind == b.kind && a.bits == b.bits && a.ranges == b.ranges && a.complement == b.complement &&
           a.strings == b.strings && a.none == b.none;
}

std::string natural_quantity(std::int64_t amount, std::span<const stdlib::Unit> units) {
    stdlib::Unit best = units.front();  // B or ms: always exact
    for (const auto& u : units)
        if (amount % u.factor == 0 && std::abs(amount / u.factor) < std::abs(amount / best.factor)) best = u;
    return std::to_string(amount / best.factor) + " " + std::string(best.name);
}

bool Domain::empty() const {
    if (none) return false;
    switch (kind) {
        case Kind::finite: return bits == 0;
        case Kind::integers: return ranges.empty();
        case Kind::strings: return !complement && strings.empty();
    }
    return true;
}

Domain intersect(const Domain& a, const Domain& b) {
    Domain d;
    d.kind = a.kind;
    d.none = a.none && b.none;
    switch (a.kind) {
        case Domain::Kind::finite: d.bits = a.bits & b.bits; break;
        case Domain::Kind::integers: d.ranges = intersect_ranges(a.ranges, b.ranges); break;
        case Domain::Kind::strings:
            if (!a.complement && !b.complement) d.strings = set_op(a.strings, b.strings, 0);
            else if (!a.complement) d.strings = set_op(a.strings, b.strings, 1);
            else if (!b.complement) d.strings = set_op(b.strings, a.strings, 1);
            else {
                d.complement = true;
                d.strings = set_op(a.strings, b.strings, 2);
            }
            break;
    }
    return d;
}

Domain complement(const Domain& d, const Dimension& dim) {
    Domain c;
    c.kind = d.kind;
    c.none = dim.optional && !d.none;
    switch (d.kind) {
        case Domain::Kind::finite: c.bits = ~d.bits & all_bits(dim.members); break;
        case Domain::Kind::integers: c.ranges = complement_ranges(d.ranges); break;
        case Domain::Kind::strings:
            c.complement = !d.complement;
            c.strings = d.strings;
            break;
    }
    return c;
}

std::uint32_t CoverageAnalysis::dimension(const std::string& key, Dimension info) {
    auto [it, inserted] = keys_.try_emplace(key, static_cast<std::uint32_t>(dims_.size()));
    if (inserted) {
        dims_.push_back(info);
        names_.push_back(&it->first);
    }
    return it->second;
}

// Fields of names (`message.chat.kind`, the most of what rules test) are written here directly,
// as print_expr writes them: printing every tested path was a tenth of checking.
std::string CoverageAnalysis::key_of(const Expr& e) {
    if (const auto* n = e.as<dsl::Name>()) return n->id;
    if (const auto* f = e.as<dsl::Field>(); f && (f->object->as<dsl::Name>() || f->object->as<dsl::Field>()))
        return key_of(*f->object) + "." + f->name;
    return dsl::print_expr(e);
}

Domain CoverageAnalysis::full(std::uint32_t dim) const {
    const auto& info = dims_.at(dim);
    // Only the fields of its kind: a finite dimension's box then copies without allocating.
    Domain d;
    d.kind = info.kind;
    d.none = info.optional;
    switch (info.kind) {
        case Domain::Kind::finite: d.bits = all_bits(info.members); break;
        case Domain::Kind::integers: d.ranges = {{int_min, int_max}}; break;
        case Domain::Kind::strings: d.complement = true; break;
    }
    return d;
}

Region CoverageAnalysis::single(std::uint32_t dim, Domain d, bool negated) {
    if (negated) d = complement(d, dims_.at(dim));
    if (d.empty()) return {};
    return {Box{{dim, std::move(d)}}};
}

std::optional<Region> CoverageAnalysis::atom(const Expr& e, bool negated) {
    std::uint32_t dim = dimension("?" + key_of(e), Dimension{Domain::Kind::finite, 2, false});
    Domain d;
    d.bits = 2;  // true
    return single(dim, d, negated);
}

std::optional<Region> CoverageAnalysis::comparison(const dsl::Binary& b, bool negated) {
    const Expr* path = b.lhs.get();
    const Expr* value = b.rhs.get();
    BinaryOp op = b.op;
    if (constant_of(*path) && !constant_of(*value)) {
        std::swap(path, value);
        op = mirrored(op);
    }
    auto dim_info = dimension_for(path->annotation.type, schema_);
    if (!dim_info || constant_of(*path)) return std::nullopt;

    bool negate_result = negated;
    if (op == BinaryOp::ne) {
        op = BinaryOp::eq;
        negate_result = !negated;
    } else if (op == BinaryOp::not_in) {
        op = BinaryOp::in;
        negate_result = !negated;
    }
    std::vector<const Expr*> values;
    if (op == BinaryOp::in) {
        const std::vector<dsl::ExprPtr>* items = nullptr;
        if (auto* set = value->as<dsl::SetLit>()) items = &set->items;
        if (auto* list = value->as<dsl::ListLit>()) items = &list->items;
        if (!items) return std::nullopt;
        for (const auto& item : *items) values.push_back(item.get());
        op = BinaryOp::eq;
    } else {
        values.push_back(value);
    }
    Domain d;
    d.kind = dim_info->kind;
    // A set's strings are gathered and sorted once: a union per member would copy the set so
    // far for each one, quadratic in the set's size (40,000 strings took a minute).
    std::vector<std::string> strings;
    for (const Expr* v : values) {
        auto c = constant_of(*v);
        if (!c) return std::nullopt;
        if (c->kind == Constant::Kind::none) {
            if (op != BinaryOp::eq) return std::nullopt;
            d.none = true;
            continue;
        }
        if (d.kind == Domain::Kind::strings && op == BinaryOp::eq && c->kind == Constant::Kind::string) {
            strings.push_back(std::move(c->text));
            continue;
        }
        auto part = domain_of(dim_info->kind, op, *c);
        if (!part) return std::nullopt;
        d = union_of(d, *part);
    }
    if (!strings.empty()) {
        std::sort(strings.begin(), strings.end());
        strings.erase(std::unique(strings.begin(), strings.end()), strings.end());
        Domain set;
        set.kind = Domain::Kind::strings;
        set.strings = std::move(strings);
        d = union_of(d, set);
    }
    std::uint32_t dim = dimension(key_of(*path), *dim_info);
    return single(dim, std::move(d), negate_result);
}

std::optional<Region> CoverageAnalysis::region(const Expr& e, bool negated) {
    if (auto* u = e.as<dsl::Unary>(); u && u->op == dsl::UnaryOp::logical_not) return region(*u->operand, !negated);
    if (auto* lit = e.as<dsl::BoolLit>()) {
        if (lit->value != negated) return Region{Box{}};
        return Region{};
    }
    if (auto* b = e.as<dsl::Binary>()) {
        bool is_and = b->op == BinaryOp::logical_and;
        bool is_or = b->op == BinaryOp::logical_or;
        if (is_and || is_or) {
            auto l = region(*b->lhs, negated);
            auto r = region(*b->rhs, negated);
            if (!l || !r) return std::nullopt;
            if (is_and != negated) {  // a conjunction (possibly after De Morgan)
                return intersect(*l, *r);
            }
            l->insert(l->end(), r->begin(), r->end());
            if (l->size() > max_boxes) return std::nullopt;
            return l;
        }
        if (dsl::is_comparison(b->op)) {
            if (auto r = comparison(*b, negated)) return r;
        }
    }
    if (auto dim_info = dimension_for(e.annotation.type, schema_);
        dim_info && dim_info->kind == Domain::Kind::finite && dim_info->members == 2 && !dim_info->optional &&
        e.annotation.type.base == TypeKind::boolean) {
        std::uint32_t dim = dimension(key_of(e), *dim_info);
        Domain d;
        d.bits = 2;
        return single(dim, d, negated);
    }
    return atom(e, negated);
}

std::optional<Region> CoverageAnalysis::region_of(const Expr& condition) { return region(condition, false); }

Region CoverageAnalysis::scope_region(const std::vector<std::pair<std::string, std::uint64_t>>& constrained) {
    Box box;
    for (const auto& [path, bits] : constrained) {
        const stdlib::ScopeDimension* dim_decl = nullptr;
        for (const auto& d : schema_.dimensions())
            if (d.path == path) dim_decl = &d;
        auto members = static_cast<std::uint32_t>(schema_.enums().at(dim_decl->enum_index).members.size());
        auto type = Type::of(TypeKind::enumeration, static_cast<std::uint16_t>(dim_decl->enum_index));
        std::uint32_t dim = dimension(path, Dimension{Domain::Kind::finite, members, false, type});
        Domain d;
        d.bits = bits & all_bits(members);
        if (d.empty()) return {};
        box[dim] = d;
    }
    return {box};
}

std::optional<Box> CoverageAnalysis::intersect(const Box& a, const Box& b) const {
    Box out = a;
    for (const auto& [dim, d] : b) {
        auto it = out.find(dim);
        if (it == out.end()) {
            out[dim] = d;
            continue;
        }
        it->second = compiler::intersect(it->second, d);
        if (it->second.empty()) return std::nullopt;
    }
    return out;
}

std::optional<Region> CoverageAnalysis::intersect(const Region& a, const Region& b) {
    Region out;
    for (const auto& x : a) {
        for (const auto& y : b) {
            if (auto both = intersect(x, y)) out.push_back(std::move(*both));
            if (out.size() > max_boxes) return std::nullopt;
        }
    }
    return out;
}

bool CoverageAnalysis::meets(const Region& a, const Region& b) const {
    // Exact where meet() is quick and conservative, without building the intersection's box.
    auto intersects = [](const Box& x, const Box& y) {
        for (const auto& [dim, yd] : y)
            if (auto it = x.find(dim); it != x.end() && compiler::intersect(it->second, yd).empty()) return false;
        return true;
    };
    for (const auto& x : a)
        for (const auto& y : b)
            if (meet(x, y) && intersects(x, y)) return true;
    return false;
}

std::vector<Box> CoverageAnalysis::subtract(const Box& a, const Box& b) const {
    std::vector<Box> pieces;
    Box rest = a;
    for (const auto& [dim, bd] : b) {
        auto it = rest.find(dim);
        Domain ad = it == rest.end() ? full(dim) : it->second;
        Domain outside = compiler::intersect(ad, complement(bd, dims_.at(dim)));
        if (!outside.empty()) {
            Box piece = rest;
            piece[dim] = std::move(outside);
            pieces.push_back(std::move(piece));
        }
        Domain inside = compiler::intersect(ad, bd);
        if (inside.empty()) return pieces;
        rest[dim] = std::move(inside);
    }
    return pieces;
}

std::optional<Region> CoverageAnalysis::subtract(const Region& from, const Region& minus) {
    Region rest = from;
    for (const auto& m : minus) {
        Region next;
        for (auto& r : rest) {
            // Boxes that do not meet are most pairs: `r` stays whole, moved, instead of being
            // cut into pieces (allocations here, and more boxes in every later step).
            if (!meet(r, m)) {
                next.push_back(std::move(r));
                continue;
            }
            auto pieces = subtract(r, m);
            next.insert(next.end(), std::make_move_iterator(pieces.begin()), std::make_move_iterator(pieces.end()));
            if (next.size() > max_boxes) return std::nullopt;
        }
        rest = std::move(next);
        if (rest.empty()) break;
    }
    return rest;
}

}  // namespace switchyard::compiler

namespace switchyard::compiler {

namespace {

// A number as the language writes a value of `type`: `5 MB`, `90 s`, `12`.
std::string write_number(std::int64_t n, Type type) {
    if (type == stdlib::types::size) return natural_quantity(n, stdlib::size_units);
    if (type == stdlib::types::duration) return natural_quantity(n, stdlib::duration_units);
    if (type == stdlib::types::date) return common::format_date(n);
    if (type == stdlib::types::time_of_day) return common::format_time_of_day(n);
    if (type == stdlib::types::time) return common::format_instant(n);
    return std::to_string(n);
}

// At most this many strings are listed in `x not in {...}`.
constexpr std::size_t listed_strings = 3;

}  // namespace

std::string CoverageAnalysis::example_of(std::uint32_t dim, const Domain& d) const {
    const Dimension& info = dims_.at(dim);
    const std::string& key = *names_.at(dim);
    bool opaque = key.front() == '?';
    std::string what = opaque ? key.substr(1) : key;
    if (d.kind == Domain::Kind::finite && d.bits != 0) {
        int member = std::countr_zero(d.bits);
        if (info.type.base == TypeKind::boolean || opaque) return member == 1 ? what : "not " + what;
        return what + " == " + schema_.enum_of(info.type).members.at(static_cast<std::size_t>(member));
    }
    if (d.kind == Domain::Kind::integers && !d.ranges.empty()) {
        auto [lo, hi] = d.ranges.front();
        if (lo == hi) return what + " == " + write_number(lo, info.type);
        // Of `>= 5 MB` and `> 4999999 B`, the shorter reads better.
        auto shorter = [&](std::string a, std::string b) { return b.size() < a.size() ? b : a; };
        std::string above = lo == int_min ? "" : shorter(what + " >= " + write_number(lo, info.type),
                                                         what + " > " + write_number(lo - 1, info.type));
        std::string below = hi == int_max ? "" : shorter(what + " < " + write_number(hi + 1, info.type),
                                                         what + " <= " + write_number(hi, info.type));
        return above.empty() ? below : below.empty() ? above : above + " and " + below;
    }
    if (d.kind == Domain::Kind::strings && !d.complement && !d.strings.empty()) return what + " == " + dsl::quote(d.strings.front());
    if (d.kind == Domain::Kind::strings && d.complement && !d.strings.empty()) {
        std::string listed;
        for (std::size_t i = 0; i < std::min(d.strings.size(), listed_strings); ++i)
            listed += (i ? ", " : "") + dsl::quote(d.strings[i]);
        return what + " not in {" + listed + (d.strings.size() > listed_strings ? ", …}" : "}");
    }
    return what + " == none";
}

std::string CoverageAnalysis::example(const Box& box, const Box& within) const {
    std::string text;
    for (const auto& [dim, d] : box) {
        auto outer = within.find(dim);
        if (d == (outer == within.end() ? full(dim) : outer->second)) continue;
        text += (text.empty() ? "" : " and ") + example_of(dim, d);
    }
    return text;
}

}  // namespace switchyard::compiler
