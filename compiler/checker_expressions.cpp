// The checker: expressions. The relations between types, and the type of every operator,
// literal, `where` and `if`; the values a test gives. (Names, fields and calls:
// checker_names.cpp.)
#include "compiler/checker_impl.hpp"

#include "compiler/coverage.hpp"
#include "stdlib/units.hpp"

#include <algorithm>
#include <limits>

namespace switchyard::compiler {

namespace {

bool is_ordered(Type t) {
    if (t.is_wrapped()) return false;
    switch (t.base) {
        case TypeKind::integer:
        case TypeKind::size:
        case TypeKind::duration:
        case TypeKind::time:
        case TypeKind::date:
        case TypeKind::time_of_day:
        case TypeKind::string: return true;
        default: return false;
    }
}

// A whole number literal, possibly negated: the `5000000` of `file.size < 5000000`.
std::optional<std::int64_t> int_literal(const Expr& e) {
    if (const auto* i = e.as<dsl::IntLit>()) return i->value;
    if (const auto* u = e.as<dsl::Unary>(); u && u->op == dsl::UnaryOp::negate)
        if (const auto* i = u->operand->as<dsl::IntLit>()) return -i->value;
    return std::nullopt;
}

// A bare number where a size or duration is expected. The language has no unitless sizes, so
// the help names the unit it reads the number in (bytes; seconds, which is what a number next
// to `now - x` nearly always means) and writes it with that unit, in the most natural one.
std::string unit_help(const dsl::Binary& b, Type l, Type r) {
    std::optional<std::int64_t> number;
    Type quantity = types::error;
    if (auto n = int_literal(*b.rhs); n && r == types::integer) number = n, quantity = l;
    else if (auto m = int_literal(*b.lhs); m && l == types::integer) number = m, quantity = r;
    if (!number) return {};
    std::string written = std::to_string(*number);
    if (quantity == types::size) {
        std::string natural = natural_quantity(*number, stdlib::size_units);
        std::string bytes = written + " B";
        return "a size needs a unit: if `" + written + "` counts bytes, write `" + natural + "`" +
               (natural == bytes ? "" : " (that is `" + bytes + "`)");
    }
    if (quantity == types::duration) {
        constexpr std::int64_t ms_per_s = 1000;
        if (*number > std::numeric_limits<std::int64_t>::max() / ms_per_s ||
            *number < std::numeric_limits<std::int64_t>::min() / ms_per_s)
            return {};
        std::string natural = natural_quantity(*number * ms_per_s, stdlib::duration_units);
        std::string seconds = written + " s";
        return "a duration needs a unit: if `" + written + "` counts seconds, write `" + natural + "`" +
               (natural == seconds ? "" : " (that is `" + seconds + "`)");
    }
    return {};
}

std::string or_else(std::string first, std::string second) { return first.empty() ? second : first; }

}  // namespace

std::string ticked(std::string_view s) { return "`" + std::string(s) + "`"; }

std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates) {
    auto best = common::closest_match(word, candidates);
    return best.empty() ? std::string() : "did you mean `" + best + "`?";
}

bool assignable(Type from, Type to) {
    if (from.is_error() || to.is_error()) return true;
    if (from == to) return true;
    if (to.is_optional()) {
        if (from.base == TypeKind::none && from.depth == 0) return true;
        return assignable(from.without_optional(), to.inner());
    }
    if (from.is_optional()) return false;
    if (from.depth == 0 || to.depth == 0) return from.depth == 0 && from.base == TypeKind::nothing;
    if (from.outer() != to.outer()) return false;
    return assignable(from.inner(), to.inner());
}

std::optional<Type> join(Type a, Type b) {
    if (assignable(a, b)) return b;
    if (assignable(b, a)) return a;
    if (a.base == TypeKind::none && a.depth == 0) return b.optional();
    if (b.base == TypeKind::none && b.depth == 0) return a.optional();
    if (assignable(a, b.optional())) return b.optional();
    if (assignable(b, a.optional())) return a.optional();
    return std::nullopt;
}

std::optional<Type> base_hint(std::optional<Type> expected) {
    if (!expected) return std::nullopt;
    Type t = *expected;
    while (t.depth) t = t.inner();
    if (t.base == TypeKind::enumeration || t.base == TypeKind::variant || t.base == TypeKind::boolean) return t;
    return std::nullopt;
}

bool is_constant(const Expr& e) {
    if (e.as<dsl::IntLit>() || e.as<dsl::StringLit>() || e.as<dsl::BoolLit>() || e.as<dsl::NoneLit>() ||
        e.as<dsl::SizeLit>() || e.as<dsl::DurationLit>() || e.as<dsl::DateLit>() || e.as<dsl::TimeOfDayLit>() ||
        e.as<dsl::TimeLit>())
        return true;
    if (auto* u = e.as<dsl::Unary>()) return u->op == dsl::UnaryOp::negate && is_constant(*u->operand);
    if (e.annotation.ref == dsl::RefKind::enum_member) return true;
    auto all_constant = [](const std::vector<dsl::ExprPtr>& items) {
        return std::all_of(items.begin(), items.end(), [](const dsl::ExprPtr& i) { return is_constant(*i); });
    };
    if (auto* l = e.as<dsl::ListLit>()) return all_constant(l->items);
    if (auto* s = e.as<dsl::SetLit>()) return all_constant(s->items);
    return false;
}

Type ExprChecker::check(const Expr& e, std::optional<Type> expected) {
    Type t = std::visit([&](const auto& node) { return visit(e, node, expected); }, e.node);
    e.annotation.type = t;
    return t;
}

// A value that must be of `want`; reports `code` otherwise.
Type ExprChecker::expect_type(const Expr& e, Type want, Code code, std::string_view what) {
    Type t = check(e, want);
    if (!assignable(t, want)) {
        std::string help;
        if (t.is_optional() && assignable(t.inner(), want)) help = "it may be `none`: give a default with `?? value`";
        error(code, e.span, std::string(what) + " must be `" + name(want) + "`, found `" + name(t) + "`", help);
    }
    return t;
}

Type ExprChecker::check_record_literal(const Expr& e, Type record_type) {
    const auto* rec = e.as<dsl::RecordLit>();
    const auto& decl = schema_.record_of(record_type);
    std::map<std::string, Span> seen;
    for (const auto& f : rec->fields) {
        if (auto [it, fresh] = seen.emplace(f.name, f.name_span); !fresh) {
            error(Code::E0400, f.name_span, "field " + ticked(f.name) + " is given twice");
            continue;
        }
        if (decl.declared_by_rules) {  // `given contact { fields: { tier: "gold" } }`
            given_contact_field(f);
            continue;
        }
        auto index = decl.find(f.name);
        if (!index) {
            report_unknown_field(decl, f.name, f.name_span);
            check(*f.value);
            continue;
        }
        check_given_value(*f.value, decl.fields[*index].type);
    }
    e.annotation.type = record_type;
    return record_type;
}

void ExprChecker::given_contact_field(const dsl::FieldInit& f) {
    auto it = env_.find(f.name);
    if (it == env_.end() || it->second->kind != Global::Kind::contact_field) {
        auto names = contact_field_names();
        error(Code::E0201, f.name_span, "unknown contact field " + ticked(f.name),
              names.empty() ? "declare it: `contact_field " + f.name + ": string = \"\"`" : did_you_mean(f.name, names));
        check(*f.value);
        return;
    }
    it->second->used = true;
    check_given_value(*f.value, it->second->type);
}

// A value inside `given`: record literals are allowed where a record is expected.
void ExprChecker::check_given_value(const Expr& e, Type want) {
    Type base = want.without_optional();
    if (e.as<dsl::RecordLit>()) {
        if (base.is_wrapped() || base.base != TypeKind::record) {
            error(Code::E0300, e.span, "a record is given where `" + name(want) + "` is expected");
            return;
        }
        check_record_literal(e, base);
        return;
    }
    if (const auto* list = e.as<dsl::ListLit>(); list && base.is(Wrap::list)) {
        for (const auto& item : list->items) check_given_value(*item, base.inner());
        e.annotation.type = want;
        return;
    }
    Type t = expect_type(e, want, Code::E0300, "this value");
    if (!t.is_error() && !is_given_constant(e))
        error(Code::E0404, e.span, "a given value must be a constant",
              "write a literal, an enum value, `none`, or a top-level let that holds one");
}

// Literals and enum values, or a top-level let that holds one: what a test's case can hold.
bool ExprChecker::is_given_constant(const Expr& e) {
    if (is_constant(e)) return true;
    if (e.annotation.ref == dsl::RefKind::let && e.annotation.target)
        return is_given_constant(*static_cast<const dsl::LetDecl*>(e.annotation.target)->value);
    return false;
}

void ExprChecker::report_unknown_field(const stdlib::RecordDecl& record, const std::string& field, Span span) {
    std::vector<std::string_view> names;
    for (const auto& fd : record.fields) names.push_back(fd.name);
    error(Code::E0201, span, "unknown field " + ticked(field) + " on " + ticked(record.name),
          did_you_mean(field, names));
}

void ExprChecker::error(Code code, Span span, std::string message, std::string help) {
    diagnostics_.report(code, file_, span, std::move(message), std::move(help));
}

std::string ExprChecker::name(Type t) const { return schema_.type_name(t); }
Type ExprChecker::visit(const Expr&, const dsl::IntLit&, std::optional<Type>) { return types::integer; }
Type ExprChecker::visit(const Expr&, const dsl::StringLit&, std::optional<Type>) { return types::string; }
Type ExprChecker::visit(const Expr&, const dsl::BoolLit&, std::optional<Type>) { return types::boolean; }
Type ExprChecker::visit(const Expr&, const dsl::NoneLit&, std::optional<Type>) { return types::none; }
Type ExprChecker::visit(const Expr&, const dsl::SizeLit&, std::optional<Type>) { return types::size; }
Type ExprChecker::visit(const Expr&, const dsl::DurationLit&, std::optional<Type>) { return types::duration; }
Type ExprChecker::visit(const Expr&, const dsl::DateLit&, std::optional<Type>) { return types::date; }
Type ExprChecker::visit(const Expr&, const dsl::TimeOfDayLit&, std::optional<Type>) { return types::time_of_day; }
Type ExprChecker::visit(const Expr&, const dsl::TimeLit&, std::optional<Type>) { return types::time; }

Type ExprChecker::visit(const Expr& e, const dsl::Unary& u, std::optional<Type>) {
    if (u.op == dsl::UnaryOp::logical_not) {
        expect_type(*u.operand, types::boolean, Code::E0302, "the operand of `not`");
        return types::boolean;
    }
    Type t = check(*u.operand);
    if (t.is_error()) return t;
    if (t == types::integer || t == types::size || t == types::duration) return t;
    error(Code::E0305, e.span, "`-` needs a number, size or duration, found `" + name(t) + "`");
    return types::error;
}

// Checks both operands; a bare enum member on the left takes its type from the right.
std::pair<Type, Type> ExprChecker::operands(const dsl::Binary& b, bool rhs_is_collection) {
    const auto* lhs_name = b.lhs->as<dsl::Name>();
    if (lhs_name && !is_value_name(lhs_name->id) && !rhs_is_collection) {
        Type r = check(*b.rhs);
        Type l = check(*b.lhs, r);
        return {l, r};
    }
    Type l = check(*b.lhs);
    std::optional<Type> hint = l;
    if (rhs_is_collection) hint = l.without_optional().wrapped(Wrap::set);
    Type r = check(*b.rhs, hint);
    // `employee == conversation.started_by`: a fact's name on the left that is also a member
    // of the enum on the right means the member, as it would on the right.
    if (lhs_name && !rhs_is_collection && !join(l, r)) {
        if (auto enum_hint = base_hint(r); enum_hint && enum_hint->base == TypeKind::enumeration &&
                                             schema_.enum_of(*enum_hint).find(lhs_name->id))
            l = check(*b.lhs, r);
    }
    return {l, r};
}

// An enum compared with a string literal that names one of its values: the value is a name.
std::string ExprChecker::enum_as_string_help(const dsl::Binary& b, Type l, Type r) const {
    auto one = [&](const Expr& literal, Type enum_side) -> std::string {
        const auto* s = literal.as<dsl::StringLit>();
        auto t = enum_side.without_optional();
        if (!s || t.base != TypeKind::enumeration || t.depth != 0) return {};
        const auto& en = schema_.enum_of(t);
        if (!en.find(s->value)) return {};
        return "write `" + s->value + "` without quotes: `" + en.name + "` values are names, not strings";
    };
    auto help = one(*b.rhs, l);
    return help.empty() ? one(*b.lhs, r) : help;
}

Type ExprChecker::visit(const Expr& e, const dsl::Binary& b, std::optional<Type> expected) {
    using Op = dsl::BinaryOp;
    std::string op(dsl::to_string(b.op));
    switch (b.op) {
        case Op::logical_and:
        case Op::logical_or:
            expect_type(*b.lhs, types::boolean, Code::E0302, "the operands of `" + op + "`");
            expect_type(*b.rhs, types::boolean, Code::E0302, "the operands of `" + op + "`");
            return types::boolean;
        case Op::eq:
        case Op::ne: {
            auto [l, r] = operands(b, false);
            if (l.is_error() || r.is_error()) return types::boolean;
            if (!join(l, r)) {
                error(Code::E0300, e.span, "cannot compare `" + name(l) + "` with `" + name(r) + "`", or_else(enum_as_string_help(b, l, r), unit_help(b, l, r)));
            } else if (l.without_optional().is_collection()) {
                error(Code::E0305, b.op_span, "`" + op + "` does not compare lists or sets",
                      "compare `count(...)`, or test membership with `in`");
            }
            return types::boolean;
        }
        case Op::lt:
        case Op::le:
        case Op::gt:
        case Op::ge: {
            auto [l, r] = operands(b, false);
            if (l.is_error() || r.is_error()) return types::boolean;
            if (l.is_optional() || r.is_optional()) {
                error(Code::E0305, b.op_span, "`" + op + "` does not apply to a value that may be `none`",
                      "give a default first: `(value ?? default) " + op + " ...`");
            } else if (!is_ordered(l) || !(l == r || (l == types::time && r == types::time))) {
                error(Code::E0305, b.op_span,
                      "`" + op + "` does not apply to `" + name(l) + "` and `" + name(r) + "`",
                      or_else(unit_help(b, l, r), is_ordered(l) || is_ordered(r) ? "both sides must have the same type" : ""));
            }
            return types::boolean;
        }
        case Op::in:
        case Op::not_in: {
            auto [l, r] = operands(b, true);
            if (l.is_error() || r.is_error()) return types::boolean;
            if (!(r.is(Wrap::list) || r.is(Wrap::set))) {
                error(Code::E0305, b.op_span, "`" + op + "` needs a list or set on the right, found `" + name(r) + "`");
            } else if (!join(l, r.inner())) {
                error(Code::E0300, e.span, "cannot look for `" + name(l) + "` in `" + name(r) + "`");
            }
            return types::boolean;
        }
        case Op::add:
        case Op::sub: return arithmetic(b, expected);
        case Op::coalesce: {
            Type l = check(*b.lhs, expected);
            if (l.is_error()) {
                check(*b.rhs);
                return l;
            }
            if (l.base == TypeKind::none && l.depth == 0) return check(*b.rhs, expected);  // `none ?? x` is x
            if (!l.is_optional()) {
                diagnostics_.report(Code::W0004, file_, b.op_span,
                                    "`??` is redundant: the left side is `" + name(l) + "`, never `none`");
                check(*b.rhs, l);
                return l;
            }
            Type r = check(*b.rhs, l.inner());
            if (!assignable(r, l)) {
                error(Code::E0300, b.rhs->span,
                      "the default must be `" + name(l.inner()) + "`, found `" + name(r) + "`");
                return l.inner();
            }
            bool r_may_be_none = r.is_optional() || (r.base == TypeKind::none && r.depth == 0);
            return r_may_be_none ? l : l.inner();
        }
    }
    return types::error;
}

// `none` propagates through arithmetic as through field access: `now - conversation.last_inbound_at`
// is a `duration?`, to be given a default with `??` before it is compared.
Type ExprChecker::arithmetic(const dsl::Binary& b, std::optional<Type> expected) {
    Type l0 = check(*b.lhs, expected);
    Type r0 = check(*b.rhs, l0.is_wrapped() ? std::optional<Type>(l0) : std::nullopt);
    if (l0.is_error() || r0.is_error()) return types::error;
    bool optional = (l0.is_optional() && !l0.inner().is_collection()) || (r0.is_optional() && !r0.inner().is_collection());
    Type t = arithmetic_of(b, optional ? l0.without_optional() : l0, optional ? r0.without_optional() : r0);
    return optional && !t.is_error() ? t.optional() : t;
}

Type ExprChecker::arithmetic_of(const dsl::Binary& b, Type l, Type r) {
    bool add = b.op == dsl::BinaryOp::add;
    auto same_scalar = [&](Type t) { return l == t && r == t; };
    if (same_scalar(types::integer) || same_scalar(types::size) || same_scalar(types::duration)) return l;
    if (add && same_scalar(types::string)) return l;
    if (l == types::time && r == types::duration) return types::time;
    if (!add && same_scalar(types::time)) return types::duration;
    if (add && l.is(Wrap::list) && r.is(Wrap::list)) {
        if (auto j = join(l, r)) return *j;
    }
    std::string help;
    if (l.is_optional() || r.is_optional()) help = "give a default first with `??`";
    else if (add && (l == types::string || r == types::string)) help = "turn the other side into text with `str(...)`";
    else help = unit_help(b, l, r);
    error(Code::E0305, b.op_span,
          "`" + std::string(dsl::to_string(b.op)) + "` does not apply to `" + name(l) + "` and `" + name(r) + "`",
          help);
    return types::error;
}

Type ExprChecker::collection_literal(const Expr& e, const std::vector<dsl::ExprPtr>& items, Wrap wrap, std::optional<Type> expected) {
    std::optional<Type> element;
    if (expected && expected->without_optional().outer()) element = expected->without_optional().inner();
    Type current = types::nothing;
    bool first = true;
    for (const auto& item : items) {
        Type t = check(*item, element);
        if (t.is_error()) continue;
        if (first) {
            current = t;
            first = false;
            continue;
        }
        if (auto j = join(current, t)) current = *j;
        else error(Code::E0300, item->span, "items must all have one type: `" + name(current) + "` and `" + name(t) + "`");
    }
    auto wrapped = current.wrapped(wrap);
    if (!wrapped) {
        error(Code::E0300, e.span, "types nest at most " + std::to_string(stdlib::max_type_nesting) + " deep");
        return types::error;
    }
    return *wrapped;
}

Type ExprChecker::visit(const Expr& e, const dsl::ListLit& l, std::optional<Type> expected) {
    return collection_literal(e, l.items, Wrap::list, expected);
}

Type ExprChecker::visit(const Expr& e, const dsl::SetLit& s, std::optional<Type> expected) {
    return collection_literal(e, s.items, Wrap::set, expected);
}

Type ExprChecker::visit(const Expr& e, const dsl::RecordLit& r, std::optional<Type>) {
    error(Code::E0306, e.span, "record literals are only allowed in a test's `given`",
          "facts come from the event; build results with functions such as `thread(...)`");
    for (const auto& f : r.fields) check(*f.value);
    return types::error;
}

Type ExprChecker::visit(const Expr&, const dsl::Where& w, std::optional<Type>) {
    Type items = check(*w.items);
    if (items.is_error()) return items;
    if (!(items.is(Wrap::list) || items.is(Wrap::set))) {
        std::string help = items.is_optional() && items.inner().is_collection() ? "give a default first: `(... ?? [])`" : "";
        error(Code::E0305, w.items->span, "`where` needs a list or set, found `" + name(items) + "`", help);
        return types::error;
    }
    locals.push_back({"it", items.inner(), w.items->span, false, false});
    expect_type(*w.predicate, types::boolean, Code::E0302, "the condition of `where`");
    locals.pop_back();
    return items;
}

Type ExprChecker::visit(const Expr& e, const dsl::IfElse& i, std::optional<Type> expected) {
    expect_type(*i.condition, types::boolean, Code::E0302, "the condition of `if`");
    Type a = check(*i.then_value, expected);
    Type b = check(*i.else_value, expected ? expected : std::optional<Type>(a));
    if (a.is_error() || b.is_error()) return types::error;
    if (auto j = join(a, b)) return *j;
    error(Code::E0300, e.span, "`then` gives `" + name(a) + "` but `else` gives `" + name(b) + "`");
    return types::error;
}

}  // namespace switchyard::compiler
