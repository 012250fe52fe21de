// Lowering: one function, from its rules (or an expectation) and their expressions to
// instructions, through the emitter. Values go straight into the registers that need them.
#include "compiler/lower_impl.hpp"

#include <algorithm>

namespace switchyard::compiler {

namespace {

template <typename F>
void for_each_child(const Expr& e, F&& f) {
    std::visit(
        [&](const auto& n) {
            using N = std::decay_t<decltype(n)>;
            if constexpr (std::is_same_v<N, dsl::Field>) f(*n.object);
            else if constexpr (std::is_same_v<N, dsl::Call>)
                for (const auto& a : n.args) f(*a.value);
            else if constexpr (std::is_same_v<N, dsl::Unary>) f(*n.operand);
            else if constexpr (std::is_same_v<N, dsl::Binary>) {
                f(*n.lhs);
                f(*n.rhs);
            } else if constexpr (std::is_same_v<N, dsl::ListLit> || std::is_same_v<N, dsl::SetLit>)
                for (const auto& i : n.items) f(*i);
            else if constexpr (std::is_same_v<N, dsl::RecordLit>)
                for (const auto& fi : n.fields) f(*fi.value);
            else if constexpr (std::is_same_v<N, dsl::Where>) {
                f(*n.items);
                f(*n.predicate);
            } else if constexpr (std::is_same_v<N, dsl::IfElse>) {
                f(*n.condition);
                f(*n.then_value);
                f(*n.else_value);
            }
        },
        e.node);
}

}  // namespace

void FunctionLowering::input(const std::string& name, Type t) {
    inputs_[name] = out.fresh({t, false});
    ++out.f.inputs;
}

void FunctionLowering::set_lets(const std::vector<dsl::LetDecl>& lets) {
    for (const auto& l : lets) lets_.push_back({&l, 0, false});
}

// Each rule: the lets it needs (those not yet computed on every path to it), the
// condition, a jump to the next rule when it is false, then the result.
void FunctionLowering::rules(const std::vector<dsl::Rule>& rules) {
    for (std::size_t r = 0; r < rules.size(); ++r) {
        const auto& rule = rules[r];
        out.rule = static_cast<std::uint16_t>(r);
        out.line = s_.line_of(file_, rule.span);
        out.span = rule.span;
        out.f.rules.push_back({out.line, rule.is_otherwise()});
        std::optional<std::size_t> skip;
        if (rule.condition) {
            compute_lets_for(*rule.condition);
            plan_parts(*rule.condition, bytecode::no_probe);
            Val c = expr(*rule.condition);
            check_parts_lowered(rule.condition->span);
            skip = out.emit_wide(Op::test_rule, c.reg, 0);
            release(c);
        }
        auto computed = computed_flags();
        if (rule.defers()) {
            out.emit(Op::no_match);  // this policy does not decide: the engine asks the next one
        } else {
            compute_lets_for(*rule.result);
            Val v = expr(*rule.result);
            out.emit(Op::ret, v.reg);
            release(v);
        }
        restore_flags(computed);
        if (!skip) return;  // `otherwise`: nothing after it runs
        out.line = s_.line_of(file_, rule.span);
        out.patch_wide(*skip, out.here());
    }
    out.emit(Op::no_match);
}

void FunctionLowering::expectation(const Expr& condition, std::uint32_t line) {
    out.rule = 0;
    out.line = line;
    out.span = condition.span;
    out.f.rules.push_back({line, false});
    Val v = expr(condition);
    out.emit(Op::ret, v.reg);
}

std::vector<bool> FunctionLowering::computed_flags() const {
    std::vector<bool> flags;
    for (const auto& l : lets_) flags.push_back(l.computed);
    return flags;
}

void FunctionLowering::restore_flags(const std::vector<bool>& flags) {
    for (std::size_t i = 0; i < lets_.size(); ++i) lets_[i].computed = flags[i];
}

FunctionLowering::LetSlot* FunctionLowering::find_let(std::string_view name) {
    for (auto& l : lets_)
        if (l.decl->name.name == name) return &l;
    return nullptr;
}

void FunctionLowering::collect_lets(const Expr& e, std::set<std::size_t>& used) {
    if (const auto* n = e.as<dsl::Name>(); n && e.annotation.ref == RefKind::local && n->id != "it") {
        for (std::size_t i = 0; i < lets_.size(); ++i) {
            if (lets_[i].decl->name.name == n->id && used.insert(i).second) collect_lets(*lets_[i].decl->value, used);
        }
    }
    for_each_child(e, [&](const Expr& child) { collect_lets(child, used); });
}

// Computes, in declaration order, the lets that `e` reads (directly or through other lets)
// and that are not computed yet. A let's value is pure, so computing it early is invisible.
void FunctionLowering::compute_lets_for(const Expr& e) {
    std::set<std::size_t> used;
    collect_lets(e, used);
    auto saved_line = out.line;
    for (std::size_t i : used) {
        if (lets_[i].computed) continue;
        out.line = s_.line_of(file_, lets_[i].decl->name.span);
        compute_let(lets_[i]);
    }
    out.line = saved_line;
}

void FunctionLowering::compute_let(LetSlot& slot) {
    slot.reg = out.fresh({type_of(*slot.decl->value), false});
    auto start = out.here();
    into(*slot.decl->value, slot.reg);
    slot.computed = true;
    probe_let(slot, start);
}

void FunctionLowering::release(Val v) {
    if (v.temp) out.release(v.reg);
}

Val FunctionLowering::temp(Type t) { return {out.alloc(t), true}; }

// Lowers `e` into register `dst` (of a type that the value fits).
void FunctionLowering::into(const Expr& e, std::uint16_t dst) {
    if (e.as<dsl::NoneLit>()) {
        out.emit(Op::load_none, dst);
        return;
    }
    Val v = expr(e, dst);
    if (v.reg != dst) out.emit(Op::move, dst, v.reg);
    release(v);
}

// The value of `e` in a register: `dst` when given and the value is computed (not a let,
// a fact or `it`, which already sit in their registers).
Val FunctionLowering::expr(const Expr& e, Dst dst) {
    auto start = out.here();
    auto k = s_.fold(e);
    Val v = k ? load_constant(*k, type_of(e), dst) : std::visit([&](const auto& n) { return lower(e, n, dst); }, e.node);
    if (e.annotation.ref == RefKind::let && e.as<dsl::Name>()) probe_top_level_let(e, start, v);
    if (!parts_.empty()) probe_part(e, start, v);  // a part of the condition being lowered
    return v;
}

// The register a computed value goes to.
// `dst` only when it has exactly the value's type: code that reads its result back (`and`,
// `not in`) needs the plain type, and a move into a wider register is checked by the verifier.
Val FunctionLowering::result(Type t, Dst dst) {
    if (dst && out.f.registers[*dst] == RegType{t, false}) return {*dst, false};
    return temp(t);
}

Val FunctionLowering::result(const Expr& e, Dst dst) { return result(type_of(e), dst); }

Val FunctionLowering::load_constant(std::uint32_t k, Type t, Dst dst) {
    Val v = result(t, dst);
    out.emit_wide(Op::load_const, v.reg, k);
    return v;
}

// Literals always fold; these are here for the visitor.
Val FunctionLowering::lower(const Expr& e, const dsl::IntLit&, Dst) { return unreachable(e); }
Val FunctionLowering::lower(const Expr& e, const dsl::StringLit&, Dst) { return unreachable(e); }
Val FunctionLowering::lower(const Expr& e, const dsl::BoolLit&, Dst) { return unreachable(e); }
Val FunctionLowering::lower(const Expr& e, const dsl::NoneLit&, Dst) { return unreachable(e); }
Val FunctionLowering::lower(const Expr& e, const dsl::SizeLit&, Dst) { return unreachable(e); }
Val FunctionLowering::lower(const Expr& e, const dsl::DurationLit&, Dst) { return unreachable(e); }
Val FunctionLowering::lower(const Expr& e, const dsl::DateLit&, Dst) { return unreachable(e); }
Val FunctionLowering::lower(const Expr& e, const dsl::TimeOfDayLit&, Dst) { return unreachable(e); }
Val FunctionLowering::lower(const Expr& e, const dsl::TimeLit&, Dst) { return unreachable(e); }
Val FunctionLowering::lower(const Expr& e, const dsl::RecordLit&, Dst) { return unreachable(e); }
Val FunctionLowering::unreachable(const Expr& e) { throw TooLarge{e.span, "internal error: a constant did not fold"}; }

Val FunctionLowering::lower(const Expr& e, const dsl::Name& n, Dst dst) {
    switch (e.annotation.ref) {
        case RefKind::local: {
            if (n.id == "it" && !its_.empty()) return {its_.back(), false};
            if (!parameters_.empty()) {
                auto reg = parameter(n.id);
                if (!reg) throw TooLarge{e.span, "internal error: unknown parameter `" + n.id + "`"};
                return {*reg, false};
            }
            LetSlot* slot = find_let(n.id);
            if (!slot) throw TooLarge{e.span, "internal error: unknown local `" + n.id + "`"};
            if (!slot->computed) compute_let(*slot);
            return {slot->reg, false};
        }
        case RefKind::let: return expr(*static_cast<const dsl::LetDecl*>(e.annotation.target)->value, dst);
        case RefKind::binding: {
            auto it = inputs_.find(n.id);
            if (it == inputs_.end()) throw TooLarge{e.span, "internal error: unknown fact `" + n.id + "`"};
            return {it->second, false};
        }
        default: throw TooLarge{e.span, "internal error: unresolved name `" + n.id + "`"};
    }
}

Val FunctionLowering::lower(const Expr& e, const dsl::Field& f, Dst dst) {
    if (e.annotation.ref == RefKind::setting) {
        Val v = result(e, dst);
        out.emit(Op::load_setting, v.reg, s_.settings.at(e.annotation.target));
        return v;
    }
    Val object = expr(*f.object);
    Type object_type = out.f.registers[object.reg].type;
    bool optional = object_type.is_optional();
    release(object);
    Val v = result(e, dst);
    // A contact field's slot is its place among this program's contact fields, not the index
    // the checker could give: one file may be part of programs that declare different ones.
    auto slot = e.annotation.ref == RefKind::contact_field ? s_.contact_fields.at(e.annotation.target)
                                                           : static_cast<std::uint16_t>(e.annotation.index);
    if (object_type.is_scalar(TypeKind::variant)) out.emit(Op::get_arg, v.reg, object.reg, slot);
    else out.emit(optional ? Op::get_field_opt : Op::get_field, v.reg, object.reg, slot);
    return v;
}

Val FunctionLowering::lower(const Expr& e, const dsl::Call& c, Dst dst) {
    if (e.annotation.ref == RefKind::rule_function) return inline_rule_function(e, c, dst);
    const auto& fn = s_.schema.functions()[e.annotation.index];
    auto params = arguments_by_parameter(c, fn);
    auto index = static_cast<std::uint16_t>(e.annotation.index);
    if (fn.role == stdlib::FunctionRole::constructor) return construct(e, fn, index, params, dst);
    // An optional parameter left out is `none` (`calendar` without `holidays`).
    std::vector<Type> types;
    for (std::size_t p = 0; p < fn.params.size(); ++p)
        types.push_back(params[p].empty() ? fn.params[p].type.optional() : type_of(*params[p].front()));
    std::uint16_t first = out.window(types);
    for (std::size_t p = 0; p < fn.params.size(); ++p) {
        auto slot = static_cast<std::uint16_t>(first + p);
        if (params[p].empty()) out.emit(Op::load_none, slot);
        else into(*params[p].front(), slot);
    }
    Val v = result(e, dst);
    out.emit(Op::call, v.reg, index, first);
    release_window(first, fn.params.size());
    return v;
}

Val FunctionLowering::construct(const Expr& e, const stdlib::FunctionDecl& fn, std::uint16_t index,
                                const std::vector<std::vector<const Expr*>>& params, Dst dst) {
    std::vector<Type> types;
    for (const auto& p : fn.params) types.push_back(p.optional ? p.type.optional() : p.type);
    if (fn.variadic_first) types[0] = ModuleState::key_list_type();
    std::uint16_t first = out.window(types);
    for (std::size_t p = 0; p < fn.params.size(); ++p) {
        auto dst = static_cast<std::uint16_t>(first + p);
        if (fn.variadic_first && p == 0) keys(params[0], dst);
        else if (params[p].empty()) out.emit(Op::load_none, dst);
        else into(*params[p].front(), dst);
    }
    Val v = result(e, dst);
    out.emit(Op::construct, v.reg, index, first);
    release_window(first, fn.params.size());
    return v;
}

// `thread`'s keys: strings and numbers as they are, anything else as its text.
void FunctionLowering::keys(const std::vector<const Expr*>& keys, std::uint16_t dst) {
    std::vector<Type> types;
    for (const Expr* k : keys) types.push_back(key_type(*k));
    std::uint16_t first = out.window(types);
    for (std::size_t i = 0; i < keys.size(); ++i) {
        auto slot = static_cast<std::uint16_t>(first + i);
        if (types[i] == type_of(*keys[i])) {
            into(*keys[i], slot);
            continue;
        }
        std::uint16_t arg = out.window({type_of(*keys[i])});
        into(*keys[i], arg);
        out.emit(Op::call, slot, static_cast<std::uint16_t>(*s_.schema.find_function("str")), arg);
        out.release(arg);
    }
    out.emit(Op::make_list, dst, first, static_cast<std::uint16_t>(keys.size()));
    release_window(first, keys.size());
}

Type FunctionLowering::key_type(const Expr& k) {
    Type t = type_of(k);
    Type base = t.without_optional();
    return is_string(base) || is_numeric(base) ? t : types::string;
}

void FunctionLowering::release_window(std::uint16_t first, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) out.release(static_cast<std::uint16_t>(first + i));
}

Val FunctionLowering::lower(const Expr& e, const dsl::Unary& u, Dst dst) {
    Val x = expr(*u.operand);
    release(x);
    Val v = result(e, dst);
    out.emit(u.op == dsl::UnaryOp::logical_not ? Op::logical_not : Op::negate, v.reg, x.reg);
    return v;
}

Val FunctionLowering::lower(const Expr& e, const dsl::Binary& b, Dst dst) {
    using B = dsl::BinaryOp;
    switch (b.op) {
        case B::logical_and:
        case B::logical_or: return short_circuit(b, dst);
        case B::eq:
        case B::ne: return equality(b, dst);
        case B::lt: return ordering(b, false, false, dst);
        case B::le: return ordering(b, false, true, dst);
        case B::gt: return ordering(b, true, false, dst);
        case B::ge: return ordering(b, true, true, dst);
        case B::in:
        case B::not_in: return membership(b, dst);
        case B::add:
        case B::sub: return arithmetic(e, b, dst);
        case B::coalesce: return coalesce(e, b, dst);
    }
    return unreachable(e);
}

Val FunctionLowering::short_circuit(const dsl::Binary& b, Dst dst) {
    Val v = result(types::boolean, dst);
    into(*b.lhs, v.reg);
    auto skip = out.emit_wide(b.op == dsl::BinaryOp::logical_and ? Op::jump_if_false : Op::jump_if_true, v.reg, 0);
    into(*b.rhs, v.reg);
    out.patch_wide(skip, out.here());
    return v;
}

Val FunctionLowering::compare(Op op, const Expr& lhs, const Expr& rhs, Dst dst) {
    Val l = expr(lhs);
    Val r = expr(rhs);
    release(l);
    release(r);
    Val v = result(types::boolean, dst);
    out.emit(op, v.reg, l.reg, r.reg);
    return v;
}

Val FunctionLowering::equality(const dsl::Binary& b, Dst dst) {
    bool eq = b.op == dsl::BinaryOp::eq;
    Type l = type_of(*b.lhs), r = type_of(*b.rhs);
    Op op = eq ? Op::equal : Op::not_equal;
    if (is_integer_like(l) && is_integer_like(r)) op = eq ? Op::equal_int : Op::not_equal_int;
    else if (is_string(l) && is_string(r)) op = eq ? Op::equal_str : Op::not_equal_str;
    return compare(op, *b.lhs, *b.rhs, dst);
}

// `a > b` is `b < a`, `a >= b` is `b <= a`.
Val FunctionLowering::ordering(const dsl::Binary& b, bool swap, bool or_equal, Dst dst) {
    bool text = is_string(type_of(*b.lhs));
    Op op = text ? (or_equal ? Op::less_equal_str : Op::less_str) : (or_equal ? Op::less_equal_int : Op::less_int);
    return swap ? compare(op, *b.rhs, *b.lhs, dst) : compare(op, *b.lhs, *b.rhs, dst);
}

Val FunctionLowering::membership(const dsl::Binary& b, Dst dst) {
    Val v{0, true};
    if (auto set = constant_set(*b.rhs)) {
        Val x = expr(*b.lhs);
        release(x);
        v = result(types::boolean, dst);
        out.emit(Op::in_set, v.reg, x.reg, *set);
    } else {
        v = compare(Op::in_list, *b.lhs, *b.rhs, dst);
    }
    if (b.op == dsl::BinaryOp::not_in) out.emit(Op::logical_not, v.reg, v.reg);
    return v;
}

// A constant collection of enum values, bools, numbers or strings, as a set table.
std::optional<std::uint16_t> FunctionLowering::constant_set(const Expr& rhs) {
    auto k = s_.fold(rhs);
    if (!k) return std::nullopt;
    Type item = type_of(rhs).inner();
    if (item.is_optional() || item.depth) return std::nullopt;
    bytecode::ConstSet set;
    const auto& parts = s_.constants.at(*k).parts;
    if (item.base == TypeKind::enumeration || item.base == TypeKind::boolean) {
        set.kind = bytecode::SetKind::mask;
        for (auto p : parts) {
            auto n = s_.constants.at(p).number;
            if (n < 0 || n >= 64) return std::nullopt;
            set.mask |= 1ull << n;
        }
    } else if (is_numeric(item)) {
        set.kind = bytecode::SetKind::integers;
        for (auto p : parts) set.integers.push_back(s_.constants.at(p).number);
        std::sort(set.integers.begin(), set.integers.end());
        set.integers.erase(std::unique(set.integers.begin(), set.integers.end()), set.integers.end());
    } else if (is_string(item)) {
        set.kind = bytecode::SetKind::strings;
        for (auto p : parts) set.strings.push_back(s_.constants.at(p).text);
        std::sort(set.strings.begin(), set.strings.end());
        set.strings.erase(std::unique(set.strings.begin(), set.strings.end()), set.strings.end());
    } else {
        return std::nullopt;
    }
    if (s_.module.sets.size() >= bytecode::max_constant_sets)
        throw TooLarge{rhs.span, "the ruleset has more than " + std::to_string(bytecode::max_constant_sets) + " constant sets"};
    s_.module.sets.push_back(std::move(set));
    return static_cast<std::uint16_t>(s_.module.sets.size() - 1);
}

// `none` in either operand makes the result `none` (for optionals that are not lists).
Val FunctionLowering::arithmetic(const Expr& e, const dsl::Binary& b, Dst dst) {
    Type result = type_of(e);
    Type base = result.without_optional();
    Op op = is_string(base) ? Op::concat
            : base.is(Wrap::list) ? Op::list_concat
            : b.op == dsl::BinaryOp::add ? Op::add : Op::sub;
    bool propagate = result.is_optional() && !base.is_collection();
    if (op == Op::concat && !propagate) return concat_chain(e, dst);
    Val l = expr(*b.lhs);
    Val r = expr(*b.rhs);
    if (!propagate) {
        release(l);
        release(r);
        Val v = this->result(result, dst);
        out.emit(op, v.reg, l.reg, r.reg);
        return v;
    }
    Val v = this->result(result, dst);
    out.emit(Op::load_none, v.reg);
    std::vector<std::size_t> exits;
    auto present = [&](Val x) -> std::uint16_t {
        Type t = out.f.registers[x.reg].type;
        if (!t.is_optional()) return x.reg;
        std::uint16_t plain = out.alloc(t.inner());
        exits.push_back(out.emit(Op::unwrap_or_jump, plain, x.reg));
        return plain;
    };
    std::uint16_t pl = present(l);
    std::uint16_t pr = present(r);
    if (op == Op::concat) {  // `concat` joins a window of registers
        std::uint16_t w = out.window({types::string, types::string});
        out.emit(Op::move, w, pl);
        out.emit(Op::move, static_cast<std::uint16_t>(w + 1), pr);
        out.emit(Op::concat, v.reg, w, 2);
        release_window(w, 2);
    } else {
        out.emit(op, v.reg, pl, pr);
    }
    for (auto at : exits) out.patch_forward(at, out.here());
    if (pl != l.reg) out.release(pl);
    if (pr != r.reg) out.release(pr);
    release(l);
    release(r);
    return v;
}

// `a + b + c`, all strings: one `concat` over a window, one allocation at run time.
Val FunctionLowering::concat_chain(const Expr& e, Dst dst) {
    std::vector<const Expr*> parts;
    collect_concat(e, parts);
    std::uint16_t first = out.window(std::vector<Type>(parts.size(), types::string));
    for (std::size_t i = 0; i < parts.size(); ++i) into(*parts[i], static_cast<std::uint16_t>(first + i));
    Val v = result(e, dst);
    out.emit(Op::concat, v.reg, first, static_cast<std::uint16_t>(parts.size()));
    release_window(first, parts.size());
    return v;
}

void FunctionLowering::collect_concat(const Expr& e, std::vector<const Expr*>& parts) {
    const auto* b = e.as<dsl::Binary>();
    if (b && b->op == dsl::BinaryOp::add && type_of(e) == types::string && !s_.fold(e)) {
        collect_concat(*b->lhs, parts);
        collect_concat(*b->rhs, parts);
        return;
    }
    parts.push_back(&e);
}

Val FunctionLowering::coalesce(const Expr& e, const dsl::Binary& b, Dst dst) {
    if (!type_of(*b.lhs).is_optional()) return expr(*b.lhs, dst);  // W0004: `??` never applies
    Val l = expr(*b.lhs);
    release(l);
    Val v = result(e, dst);
    auto unwrap = out.emit(Op::unwrap_or_jump, v.reg, l.reg);
    auto done = out.emit_wide(Op::jump, 0, 0);
    out.patch_forward(unwrap, out.here());
    into(*b.rhs, v.reg);
    out.patch_wide(done, out.here());
    return v;
}

Val FunctionLowering::lower(const Expr& e, const dsl::ListLit& l, Dst dst) { return collection(e, l.items, Op::make_list, dst); }
Val FunctionLowering::lower(const Expr& e, const dsl::SetLit& s, Dst dst) { return collection(e, s.items, Op::make_set, dst); }

Val FunctionLowering::collection(const Expr& e, const std::vector<dsl::ExprPtr>& items, Op op, Dst dst) {
    Type t = type_of(e);
    std::uint16_t first = out.window(std::vector<Type>(items.size(), t.inner()));
    for (std::size_t i = 0; i < items.size(); ++i) into(*items[i], static_cast<std::uint16_t>(first + i));
    Val v = result(t, dst);
    out.emit(op, v.reg, first, static_cast<std::uint16_t>(items.size()));
    release_window(first, items.size());
    return v;
}

// items where p:   builder = room for count(items); for each item: if p, push; finish.
Val FunctionLowering::lower(const Expr& e, const dsl::Where& w, Dst dst) {
    Type t = type_of(e);
    Val items = expr(*w.items);
    std::uint16_t builder = out.alloc(RegType{t, true});
    out.emit(Op::list_builder, builder, items.reg);
    std::uint16_t it = out.window({out.f.registers[items.reg].type.inner(), types::integer});
    out.emit_wide(Op::load_const, static_cast<std::uint16_t>(it + 1), s_.constants.integer(types::integer, 0));
    auto head = out.emit(Op::next_item, it, items.reg);
    its_.push_back(it);
    Val keep = expr(*w.predicate);
    its_.pop_back();
    out.emit_wide(Op::jump_if_false, keep.reg, static_cast<std::uint32_t>(head));
    release(keep);
    out.emit(Op::list_push, builder, it);
    out.emit_wide(Op::jump, 0, static_cast<std::uint32_t>(head));
    out.patch_forward(head, out.here());
    release(items);
    release_window(it, 2);
    Val v = result(t, dst);
    out.emit(Op::list_finish, v.reg, builder);
    out.release(builder);
    return v;
}

Val FunctionLowering::lower(const Expr& e, const dsl::IfElse& i, Dst dst) {
    Val v = result(e, dst);
    Val c = expr(*i.condition);
    release(c);
    auto otherwise = out.emit_wide(Op::jump_if_false, c.reg, 0);
    into(*i.then_value, v.reg);
    auto done = out.emit_wide(Op::jump, 0, 0);
    out.patch_wide(otherwise, out.here());
    into(*i.else_value, v.reg);
    out.patch_wide(done, out.here());
    return v;
}

}  // namespace switchyard::compiler
