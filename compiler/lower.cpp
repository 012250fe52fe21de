#include "compiler/lower.hpp"

#include "bytecode/footprint.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <boost/json.hpp>

namespace switchyard::compiler {

using bytecode::ConstKind;
using bytecode::Constant;
using bytecode::Op;
using bytecode::RegType;
using common::Code;
using common::Span;
using dsl::Expr;
using dsl::RefKind;
using stdlib::Type;
using stdlib::TypeKind;
using stdlib::Wrap;
namespace types = stdlib::types;

namespace {

// A limit of the bytecode was exceeded while lowering one policy.
struct TooLarge {
    Span span;
    std::string what;
};

// The checker types `none` as `none`; registers and constants hold it as `nothing?`, which fits
// every optional.
Type normalize(Type t) {
    if (t.base != TypeKind::none) return t;
    Type n = t;
    n.base = TypeKind::nothing;
    if (n.depth == stdlib::max_type_nesting) return n;
    for (std::size_t i = n.depth; i > 0; --i) n.wraps[i] = n.wraps[i - 1];
    n.wraps[0] = Wrap::optional;
    ++n.depth;
    return n;
}

Type type_of(const Expr& e) { return normalize(e.annotation.type); }

bool is_numeric(Type t) {
    return t.depth == 0 && (t.base == TypeKind::integer || t.base == TypeKind::size || t.base == TypeKind::duration ||
                            t.base == TypeKind::time);
}
bool is_integer_like(Type t) {
    return is_numeric(t) || (t.depth == 0 && (t.base == TypeKind::enumeration || t.base == TypeKind::boolean));
}
bool is_string(Type t) { return t == types::string; }

std::int64_t wrap_add(std::int64_t a, std::int64_t b) {
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(b));
}
std::int64_t wrap_sub(std::int64_t a, std::int64_t b) {
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) - static_cast<std::uint64_t>(b));
}
std::int64_t wrap_mul(std::int64_t a, std::int64_t b) {
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) * static_cast<std::uint64_t>(b));
}

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

// ---- the constant pool, shared by every function of the module ----

class Constants {
public:
    explicit Constants(bytecode::Module& m) : m_(m) {}

    std::uint32_t add(Constant c) {
        std::string key = key_of(c);
        if (auto it = index_.find(key); it != index_.end()) return it->second;
        auto k = static_cast<std::uint32_t>(m_.constants.size());
        m_.constants.push_back(std::move(c));
        index_.emplace(std::move(key), k);
        return k;
    }
    std::uint32_t none(Type t = normalize(types::none)) { return add({t, ConstKind::none, 0, {}, {}}); }
    std::uint32_t boolean(bool b) { return add({types::boolean, ConstKind::boolean, b ? 1 : 0, {}, {}}); }
    std::uint32_t integer(Type t, std::int64_t v) { return add({t, ConstKind::integer, v, {}, {}}); }
    std::uint32_t string(std::string s) { return add({types::string, ConstKind::string, 0, std::move(s), {}}); }
    std::uint32_t compound(Type t, ConstKind kind, std::vector<std::uint32_t> parts, std::int64_t number = 0) {
        return add({t, kind, number, {}, std::move(parts)});
    }

    const Constant& at(std::uint32_t k) const { return m_.constants[k]; }

    // Structural equality of two constants, ignoring their static types (`[]` is `[]`).
    bool same(std::uint32_t a, std::uint32_t b) const {
        if (a == b) return true;
        const auto& x = at(a);
        const auto& y = at(b);
        if (x.kind != y.kind || x.number != y.number || x.text != y.text || x.parts.size() != y.parts.size()) return false;
        for (std::size_t i = 0; i < x.parts.size(); ++i)
            if (!same(x.parts[i], y.parts[i])) return false;
        return true;
    }

private:
    static std::string key_of(const Constant& c) {
        std::string key;
        auto put = [&](std::uint64_t v) { key.append(reinterpret_cast<const char*>(&v), sizeof v); };
        put(static_cast<std::uint64_t>(c.type.base) | (std::uint64_t(c.type.decl) << 8) | (std::uint64_t(c.type.depth) << 24) |
            (std::uint64_t(c.type.wraps[0]) << 32) | (std::uint64_t(c.type.wraps[1]) << 40) |
            (std::uint64_t(c.type.wraps[2]) << 48));
        put(static_cast<std::uint64_t>(c.kind));
        put(static_cast<std::uint64_t>(c.number));
        put(c.text.size());
        key += c.text;
        for (auto p : c.parts) put(p);
        return key;
    }

    bytecode::Module& m_;
    std::map<std::string, std::uint32_t> index_;
};

// ---- what every function of a module shares ----

struct ModuleState {
    const Workspace& ws;
    const stdlib::Schema& schema;
    bytecode::Module& module;
    Constants constants;
    std::map<const void*, std::uint16_t> settings;  // SettingDecl -> index
    std::map<common::FileId, std::uint32_t> files;  // -> index into module.sources
    std::map<const Expr*, std::optional<std::uint32_t>> folded;

    std::uint32_t line_of(common::FileId file, Span span) const { return ws.sources.file(file).locate(span.begin).line; }

    // ---- constant folding: the value of an expression that reads no fact and no setting ----

    std::optional<std::uint32_t> fold(const Expr& e) {
        if (auto it = folded.find(&e); it != folded.end()) return it->second;
        auto k = std::visit([&](const auto& n) { return fold_node(e, n); }, e.node);
        folded.emplace(&e, k);
        return k;
    }

    std::optional<std::uint32_t> fold_node(const Expr&, const dsl::IntLit& n) { return constants.integer(types::integer, n.value); }
    std::optional<std::uint32_t> fold_node(const Expr&, const dsl::StringLit& n) { return constants.string(n.value); }
    std::optional<std::uint32_t> fold_node(const Expr&, const dsl::BoolLit& n) { return constants.boolean(n.value); }
    std::optional<std::uint32_t> fold_node(const Expr&, const dsl::NoneLit&) { return constants.none(); }
    std::optional<std::uint32_t> fold_node(const Expr&, const dsl::SizeLit& n) {
        return constants.integer(types::size, wrap_mul(n.amount, dsl::unit_factor(n.unit)));
    }
    std::optional<std::uint32_t> fold_node(const Expr&, const dsl::DurationLit& n) {
        return constants.integer(types::duration, wrap_mul(n.amount, dsl::unit_factor(n.unit)));
    }
    std::optional<std::uint32_t> fold_node(const Expr& e, const dsl::Name&) {
        switch (e.annotation.ref) {
            case RefKind::enum_member: return constants.integer(type_of(e), e.annotation.index);
            case RefKind::function: return bare_constructor(e.annotation.index);
            case RefKind::let: return fold(*static_cast<const dsl::LetDecl*>(e.annotation.target)->value);
            default: return std::nullopt;
        }
    }
    std::optional<std::uint32_t> fold_node(const Expr& e, const dsl::Field&) {
        if (e.annotation.ref == RefKind::enum_member) return constants.integer(type_of(e), e.annotation.index);
        return std::nullopt;
    }
    std::optional<std::uint32_t> fold_node(const Expr& e, const dsl::Call& c) {
        const auto& fn = schema.functions()[e.annotation.index];
        if (fn.role != stdlib::FunctionRole::constructor) return std::nullopt;
        auto params = bind_arguments(fn, c);
        std::vector<std::uint32_t> parts;
        for (std::size_t p = 0; p < fn.params.size(); ++p) {
            if (fn.variadic_first && p == 0) {
                std::vector<std::uint32_t> keys;
                for (const Expr* key : params[0]) {
                    Type t = type_of(*key).without_optional();
                    if (!(is_string(t) || is_numeric(t))) return std::nullopt;  // becomes text at run time
                    auto k = fold(*key);
                    if (!k) return std::nullopt;
                    keys.push_back(*k);
                }
                parts.push_back(constants.compound(key_list_type(), ConstKind::list, keys));
                continue;
            }
            if (params[p].empty()) {
                parts.push_back(constants.none(fn.params[p].type.optional()));
                continue;
            }
            auto k = fold(*params[p].front());
            if (!k) return std::nullopt;
            parts.push_back(*k);
        }
        return constants.compound(fn.result, ConstKind::variant, parts, e.annotation.index);
    }
    std::optional<std::uint32_t> fold_node(const Expr&, const dsl::Unary& u) {
        auto k = fold(*u.operand);
        if (!k) return std::nullopt;
        const auto& c = constants.at(*k);
        if (u.op == dsl::UnaryOp::logical_not) return constants.boolean(c.number == 0);
        return constants.integer(c.type, wrap_sub(0, c.number));
    }
    std::optional<std::uint32_t> fold_node(const Expr& e, const dsl::Binary& b) {
        using Op_ = dsl::BinaryOp;
        auto l = fold(*b.lhs);
        if (b.op == Op_::coalesce) {
            if (!l) return std::nullopt;
            return constants.at(*l).kind == ConstKind::none ? fold(*b.rhs) : l;
        }
        if ((b.op == Op_::logical_and || b.op == Op_::logical_or) && l) {
            bool lv = constants.at(*l).number != 0;
            if (b.op == Op_::logical_and && !lv) return constants.boolean(false);
            if (b.op == Op_::logical_or && lv) return constants.boolean(true);
            return fold(*b.rhs);
        }
        auto r = fold(*b.rhs);
        if (!l || !r) return std::nullopt;
        const auto& x = constants.at(*l);
        const auto& y = constants.at(*r);
        switch (b.op) {
            case Op_::eq: return constants.boolean(constants.same(*l, *r));
            case Op_::ne: return constants.boolean(!constants.same(*l, *r));
            case Op_::lt: return constants.boolean(x.kind == ConstKind::string ? x.text < y.text : x.number < y.number);
            case Op_::le: return constants.boolean(x.kind == ConstKind::string ? x.text <= y.text : x.number <= y.number);
            case Op_::gt: return constants.boolean(x.kind == ConstKind::string ? x.text > y.text : x.number > y.number);
            case Op_::ge: return constants.boolean(x.kind == ConstKind::string ? x.text >= y.text : x.number >= y.number);
            case Op_::in:
            case Op_::not_in: {
                bool found = std::any_of(y.parts.begin(), y.parts.end(), [&](std::uint32_t p) { return constants.same(p, *l); });
                return constants.boolean(found == (b.op == Op_::in));
            }
            case Op_::add:
            case Op_::sub: {
                Type t = type_of(e);
                if (x.kind == ConstKind::none || y.kind == ConstKind::none) return constants.none(t.is_optional() ? t : t.optional());
                if (x.kind == ConstKind::string) return constants.string(x.text + y.text);
                if (x.kind == ConstKind::list) {
                    std::vector<std::uint32_t> parts = x.parts;
                    parts.insert(parts.end(), y.parts.begin(), y.parts.end());
                    return constants.compound(t, ConstKind::list, parts);
                }
                std::int64_t v = b.op == Op_::add ? wrap_add(x.number, y.number) : wrap_sub(x.number, y.number);
                return constants.integer(t.without_optional(), v);
            }
            default: return std::nullopt;
        }
    }
    std::optional<std::uint32_t> fold_node(const Expr& e, const dsl::ListLit& l) { return fold_items(e, l.items, ConstKind::list); }
    std::optional<std::uint32_t> fold_node(const Expr& e, const dsl::SetLit& s) { return fold_items(e, s.items, ConstKind::set); }
    std::optional<std::uint32_t> fold_node(const Expr&, const dsl::RecordLit&) { return std::nullopt; }
    std::optional<std::uint32_t> fold_node(const Expr&, const dsl::Where&) { return std::nullopt; }
    std::optional<std::uint32_t> fold_node(const Expr&, const dsl::IfElse& i) {
        auto c = fold(*i.condition);
        if (!c) return std::nullopt;
        return fold(constants.at(*c).number ? *i.then_value : *i.else_value);
    }

    std::optional<std::uint32_t> fold_items(const Expr& e, const std::vector<dsl::ExprPtr>& items, ConstKind kind) {
        std::vector<std::uint32_t> parts;
        for (const auto& item : items) {
            auto k = fold(*item);
            if (!k) return std::nullopt;
            if (kind == ConstKind::set &&
                std::any_of(parts.begin(), parts.end(), [&](std::uint32_t p) { return constants.same(p, *k); }))
                continue;
            parts.push_back(*k);
        }
        return constants.compound(type_of(e), kind, parts);
    }

    std::uint32_t bare_constructor(std::size_t function) {
        const auto& fn = schema.functions()[function];
        std::vector<std::uint32_t> parts;
        for (const auto& p : fn.params) parts.push_back(constants.none(p.type.optional()));
        return constants.compound(fn.result, ConstKind::variant, parts, static_cast<std::int64_t>(function));
    }

    static Type key_list_type() { return *Type::of(TypeKind::any).wrapped(Wrap::list); }

    // Which arguments go to which parameter, as the checker bound them.
    static std::vector<std::vector<const Expr*>> bind_arguments(const stdlib::FunctionDecl& fn, const dsl::Call& c) {
        std::vector<std::vector<const Expr*>> params(fn.params.size());
        std::size_t next = 0;
        for (const auto& arg : c.args) {
            std::size_t p = 0;
            if (arg.name) {
                while (p < fn.params.size() && fn.params[p].name != *arg.name) ++p;
            } else if (fn.variadic_first) {
                p = 0;
            } else {
                while (next < fn.params.size() && fn.params[next].optional) ++next;
                p = next++;
            }
            if (p < params.size()) params[p].push_back(arg.value.get());
        }
        return params;
    }
};

// ---- one function: registers, code, line table ----

class Emitter {
public:
    bytecode::Function f;
    std::uint32_t line = 0;
    std::uint16_t rule = bytecode::no_rule;
    Span span;  // what a TooLarge points at

    std::size_t here() const { return f.code.size(); }

    std::size_t emit(Op op, std::uint16_t a = 0, std::uint16_t b = 0, std::uint16_t c = 0) {
        f.code.push_back({op, 0, a, b, c});
        f.lines.push_back({line, rule});
        return f.code.size() - 1;
    }
    std::size_t emit_wide(Op op, std::uint16_t a, std::uint32_t bc) {
        auto at = emit(op, a);
        f.code[at].set_bc(bc);
        return at;
    }
    void patch_wide(std::size_t at, std::size_t target) { f.code[at].set_bc(static_cast<std::uint32_t>(target)); }
    void patch_forward(std::size_t at, std::size_t target) {
        if (target - at > bytecode::max_forward_offset)
            throw TooLarge{span, "an expression compiles to more than " + std::to_string(bytecode::max_forward_offset) + " instructions"};
        f.code[at].c = static_cast<std::uint16_t>(target - at);
    }

    std::uint16_t alloc(RegType t) {
        auto& pool = free_[key(t)];
        if (!pool.empty()) {
            auto r = pool.back();
            pool.pop_back();
            return r;
        }
        return fresh(t);
    }
    std::uint16_t alloc(Type t) { return alloc(RegType{t, false}); }
    // Consecutive registers (arguments of a call, items of a list).
    std::uint16_t window(const std::vector<Type>& ts) {
        auto first = static_cast<std::uint16_t>(f.registers.size());
        for (Type t : ts) fresh({t, false});
        return first;
    }
    void release(std::uint16_t r) { free_[key(f.registers[r])].push_back(r); }
    std::uint16_t fresh(RegType t) {
        if (f.registers.size() >= bytecode::max_registers)
            throw TooLarge{span, "the policy needs more than " + std::to_string(bytecode::max_registers) + " registers"};
        f.registers.push_back(t);
        return static_cast<std::uint16_t>(f.registers.size() - 1);
    }

private:
    static std::string key(const RegType& t) {
        std::string k(8, '\0');
        k[0] = static_cast<char>(t.type.base);
        k[1] = static_cast<char>(t.type.decl & 0xff);
        k[2] = static_cast<char>(t.type.decl >> 8);
        k[3] = static_cast<char>(t.type.depth);
        for (std::size_t i = 0; i < 3; ++i) k[4 + i] = static_cast<char>(i < t.type.depth ? t.type.wraps[i] : Wrap::list);
        k[7] = t.builder ? 1 : 0;
        return k;
    }
    std::map<std::string, std::vector<std::uint16_t>> free_;
};

// A value in a register; temporaries go back to the pool once used.
struct Val {
    std::uint16_t reg;
    bool temp;
};

class FunctionLowering {
public:
    FunctionLowering(ModuleState& state, common::FileId file) : s_(state), file_(file) {}

    Emitter out;

    void input(const std::string& name, Type t) {
        inputs_[name] = out.fresh({t, false});
        ++out.f.inputs;
    }

    void set_lets(const std::vector<dsl::LetDecl>& lets) {
        for (const auto& l : lets) lets_.push_back({&l, 0, false});
    }

    // Each rule: the lets it needs (those not yet computed on every path to it), the
    // condition, a jump to the next rule when it is false, then the result.
    void rules(const std::vector<dsl::Rule>& rules) {
        for (std::size_t r = 0; r < rules.size(); ++r) {
            const auto& rule = rules[r];
            out.rule = static_cast<std::uint16_t>(r);
            out.line = s_.line_of(file_, rule.span);
            out.span = rule.span;
            out.f.rules.push_back({out.line, rule.is_otherwise()});
            std::optional<std::size_t> skip;
            if (rule.condition) {
                compute_lets_for(*rule.condition);
                Val c = expr(*rule.condition);
                skip = out.emit_wide(Op::test_rule, c.reg, 0);
                release(c);
            }
            auto computed = computed_flags();
            compute_lets_for(*rule.result);
            Val v = expr(*rule.result);
            out.emit(Op::ret, v.reg);
            release(v);
            restore_flags(computed);
            if (!skip) return;  // `otherwise`: nothing after it runs
            out.line = s_.line_of(file_, rule.span);
            out.patch_wide(*skip, out.here());
        }
        out.emit(Op::no_match);
    }

    void expectation(const Expr& condition, std::uint32_t line) {
        out.rule = 0;
        out.line = line;
        out.span = condition.span;
        out.f.rules.push_back({line, false});
        Val v = expr(condition);
        out.emit(Op::ret, v.reg);
    }

private:
    struct LetSlot {
        const dsl::LetDecl* decl;
        std::uint16_t reg;
        bool computed;
    };

    std::vector<bool> computed_flags() const {
        std::vector<bool> flags;
        for (const auto& l : lets_) flags.push_back(l.computed);
        return flags;
    }
    void restore_flags(const std::vector<bool>& flags) {
        for (std::size_t i = 0; i < lets_.size(); ++i) lets_[i].computed = flags[i];
    }

    LetSlot* find_let(std::string_view name) {
        for (auto& l : lets_)
            if (l.decl->name.name == name) return &l;
        return nullptr;
    }

    void collect_lets(const Expr& e, std::set<std::size_t>& used) {
        if (const auto* n = e.as<dsl::Name>(); n && e.annotation.ref == RefKind::local && n->id != "it") {
            for (std::size_t i = 0; i < lets_.size(); ++i) {
                if (lets_[i].decl->name.name == n->id && used.insert(i).second) collect_lets(*lets_[i].decl->value, used);
            }
        }
        for_each_child(e, [&](const Expr& child) { collect_lets(child, used); });
    }

    // Computes, in declaration order, the lets that `e` reads (directly or through other lets)
    // and that are not computed yet. A let's value is pure, so computing it early is invisible.
    void compute_lets_for(const Expr& e) {
        std::set<std::size_t> used;
        collect_lets(e, used);
        auto saved_line = out.line;
        for (std::size_t i : used) {
            auto& slot = lets_[i];
            if (slot.computed) continue;
            out.line = s_.line_of(file_, slot.decl->name.span);
            slot.reg = out.fresh({type_of(*slot.decl->value), false});
            into(*slot.decl->value, slot.reg);
            slot.computed = true;
        }
        out.line = saved_line;
    }

    void release(Val v) {
        if (v.temp) out.release(v.reg);
    }
    Val temp(Type t) { return {out.alloc(t), true}; }

    // Lowers `e` into register `dst` (of a type that the value fits).
    void into(const Expr& e, std::uint16_t dst) {
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
    using Dst = std::optional<std::uint16_t>;
    Val expr(const Expr& e, Dst dst = std::nullopt) {
        if (auto k = s_.fold(e)) return load_constant(*k, type_of(e), dst);
        return std::visit([&](const auto& n) { return lower(e, n, dst); }, e.node);
    }

    // The register a computed value goes to.
    // `dst` only when it has exactly the value's type: code that reads its result back (`and`,
    // `not in`) needs the plain type, and a move into a wider register is checked by the verifier.
    Val result(Type t, Dst dst) {
        if (dst && out.f.registers[*dst] == RegType{t, false}) return {*dst, false};
        return temp(t);
    }
    Val result(const Expr& e, Dst dst) { return result(type_of(e), dst); }

    Val load_constant(std::uint32_t k, Type t, Dst dst) {
        Val v = result(t, dst);
        out.emit_wide(Op::load_const, v.reg, k);
        return v;
    }

    // Literals always fold; these are here for the visitor.
    Val lower(const Expr& e, const dsl::IntLit&, Dst) { return unreachable(e); }
    Val lower(const Expr& e, const dsl::StringLit&, Dst) { return unreachable(e); }
    Val lower(const Expr& e, const dsl::BoolLit&, Dst) { return unreachable(e); }
    Val lower(const Expr& e, const dsl::NoneLit&, Dst) { return unreachable(e); }
    Val lower(const Expr& e, const dsl::SizeLit&, Dst) { return unreachable(e); }
    Val lower(const Expr& e, const dsl::DurationLit&, Dst) { return unreachable(e); }
    Val lower(const Expr& e, const dsl::RecordLit&, Dst) { return unreachable(e); }
    Val unreachable(const Expr& e) { throw TooLarge{e.span, "internal error: a constant did not fold"}; }

    Val lower(const Expr& e, const dsl::Name& n, Dst dst) {
        switch (e.annotation.ref) {
            case RefKind::local: {
                if (n.id == "it" && !its_.empty()) return {its_.back(), false};
                LetSlot* slot = find_let(n.id);
                if (!slot) throw TooLarge{e.span, "internal error: unknown local `" + n.id + "`"};
                if (!slot->computed) {
                    slot->reg = out.fresh({type_of(*slot->decl->value), false});
                    into(*slot->decl->value, slot->reg);
                    slot->computed = true;
                }
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

    Val lower(const Expr& e, const dsl::Field& f, Dst dst) {
        if (e.annotation.ref == RefKind::setting) {
            Val v = result(e, dst);
            out.emit(Op::load_setting, v.reg, s_.settings.at(e.annotation.target));
            return v;
        }
        Val object = expr(*f.object);
        bool optional = out.f.registers[object.reg].type.is_optional();
        release(object);
        Val v = result(e, dst);
        out.emit(optional ? Op::get_field_opt : Op::get_field, v.reg, object.reg, static_cast<std::uint16_t>(e.annotation.index));
        return v;
    }

    Val lower(const Expr& e, const dsl::Call& c, Dst dst) {
        const auto& fn = s_.schema.functions()[e.annotation.index];
        auto params = ModuleState::bind_arguments(fn, c);
        auto index = static_cast<std::uint16_t>(e.annotation.index);
        if (fn.role == stdlib::FunctionRole::constructor) return construct(e, fn, index, params, dst);
        std::vector<Type> types;
        for (std::size_t p = 0; p < fn.params.size(); ++p) types.push_back(type_of(*params[p].front()));
        std::uint16_t first = out.window(types);
        for (std::size_t p = 0; p < fn.params.size(); ++p) into(*params[p].front(), static_cast<std::uint16_t>(first + p));
        Val v = result(e, dst);
        out.emit(Op::call, v.reg, index, first);
        release_window(first, fn.params.size());
        return v;
    }

    Val construct(const Expr& e, const stdlib::FunctionDecl& fn, std::uint16_t index,
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
    void keys(const std::vector<const Expr*>& keys, std::uint16_t dst) {
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

    static Type key_type(const Expr& k) {
        Type t = type_of(k);
        Type base = t.without_optional();
        return is_string(base) || is_numeric(base) ? t : types::string;
    }

    void release_window(std::uint16_t first, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) out.release(static_cast<std::uint16_t>(first + i));
    }

    Val lower(const Expr& e, const dsl::Unary& u, Dst dst) {
        Val x = expr(*u.operand);
        release(x);
        Val v = result(e, dst);
        out.emit(u.op == dsl::UnaryOp::logical_not ? Op::logical_not : Op::negate, v.reg, x.reg);
        return v;
    }

    Val lower(const Expr& e, const dsl::Binary& b, Dst dst) {
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

    Val short_circuit(const dsl::Binary& b, Dst dst) {
        Val v = result(types::boolean, dst);
        into(*b.lhs, v.reg);
        auto skip = out.emit_wide(b.op == dsl::BinaryOp::logical_and ? Op::jump_if_false : Op::jump_if_true, v.reg, 0);
        into(*b.rhs, v.reg);
        out.patch_wide(skip, out.here());
        return v;
    }

    Val compare(Op op, const Expr& lhs, const Expr& rhs, Dst dst) {
        Val l = expr(lhs);
        Val r = expr(rhs);
        release(l);
        release(r);
        Val v = result(types::boolean, dst);
        out.emit(op, v.reg, l.reg, r.reg);
        return v;
    }

    Val equality(const dsl::Binary& b, Dst dst) {
        bool eq = b.op == dsl::BinaryOp::eq;
        Type l = type_of(*b.lhs), r = type_of(*b.rhs);
        Op op = eq ? Op::equal : Op::not_equal;
        if (is_integer_like(l) && is_integer_like(r)) op = eq ? Op::equal_int : Op::not_equal_int;
        else if (is_string(l) && is_string(r)) op = eq ? Op::equal_str : Op::not_equal_str;
        return compare(op, *b.lhs, *b.rhs, dst);
    }

    // `a > b` is `b < a`, `a >= b` is `b <= a`.
    Val ordering(const dsl::Binary& b, bool swap, bool or_equal, Dst dst) {
        bool text = is_string(type_of(*b.lhs));
        Op op = text ? (or_equal ? Op::less_equal_str : Op::less_str) : (or_equal ? Op::less_equal_int : Op::less_int);
        return swap ? compare(op, *b.rhs, *b.lhs, dst) : compare(op, *b.lhs, *b.rhs, dst);
    }

    Val membership(const dsl::Binary& b, Dst dst) {
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
    std::optional<std::uint16_t> constant_set(const Expr& rhs) {
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
    Val arithmetic(const Expr& e, const dsl::Binary& b, Dst dst) {
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
    Val concat_chain(const Expr& e, Dst dst) {
        std::vector<const Expr*> parts;
        collect_concat(e, parts);
        std::uint16_t first = out.window(std::vector<Type>(parts.size(), types::string));
        for (std::size_t i = 0; i < parts.size(); ++i) into(*parts[i], static_cast<std::uint16_t>(first + i));
        Val v = result(e, dst);
        out.emit(Op::concat, v.reg, first, static_cast<std::uint16_t>(parts.size()));
        release_window(first, parts.size());
        return v;
    }

    void collect_concat(const Expr& e, std::vector<const Expr*>& parts) {
        const auto* b = e.as<dsl::Binary>();
        if (b && b->op == dsl::BinaryOp::add && type_of(e) == types::string && !s_.fold(e)) {
            collect_concat(*b->lhs, parts);
            collect_concat(*b->rhs, parts);
            return;
        }
        parts.push_back(&e);
    }

    Val coalesce(const Expr& e, const dsl::Binary& b, Dst dst) {
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

    Val lower(const Expr& e, const dsl::ListLit& l, Dst dst) { return collection(e, l.items, Op::make_list, dst); }
    Val lower(const Expr& e, const dsl::SetLit& s, Dst dst) { return collection(e, s.items, Op::make_set, dst); }

    Val collection(const Expr& e, const std::vector<dsl::ExprPtr>& items, Op op, Dst dst) {
        Type t = type_of(e);
        std::uint16_t first = out.window(std::vector<Type>(items.size(), t.inner()));
        for (std::size_t i = 0; i < items.size(); ++i) into(*items[i], static_cast<std::uint16_t>(first + i));
        Val v = result(t, dst);
        out.emit(op, v.reg, first, static_cast<std::uint16_t>(items.size()));
        release_window(first, items.size());
        return v;
    }

    // items where p:   builder = room for count(items); for each item: if p, push; finish.
    Val lower(const Expr& e, const dsl::Where& w, Dst dst) {
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

    Val lower(const Expr& e, const dsl::IfElse& i, Dst dst) {
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

    ModuleState& s_;
    common::FileId file_;
    std::map<std::string, std::uint16_t, std::less<>> inputs_;
    std::vector<LetSlot> lets_;
    std::vector<std::uint16_t> its_;
};

// ---- tests: `given` values as case JSON ----

class CaseWriter {
public:
    explicit CaseWriter(ModuleState& s) : s_(s) {}

    boost::json::value value(const Expr& e) {
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

    boost::json::value constant(std::uint32_t k) {
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

private:
    ModuleState& s_;
};

class Lowering {
public:
    Lowering(const Workspace& ws, const Program& program, common::DiagnosticBag& diagnostics, const stdlib::Schema& schema)
        : ws_(ws), program_(program), diagnostics_(diagnostics), state_{ws, schema, module_, Constants(module_), {}, {}, {}} {}

    std::optional<bytecode::Module> run(const LowerOptions& options) {
        module_.name = program_.name;
        module_.schema_hash = state_.schema.fingerprint();
        sources();
        settings();
        for (const auto& p : program_.policies) guarded(p.file, p.decl->kind.span, [&] { policy(p); });
        if (options.include_tests)
            for (const auto& t : program_.tests) guarded(t.file, t.decl->name_span, [&] { test(t); });
        if (failed_) return std::nullopt;
        return std::move(module_);
    }

private:
    template <typename F>
    void guarded(common::FileId file, Span span, F body) {
        try {
            body();
        } catch (const TooLarge& t) {
            diagnostics_.report(Code::E0700, file, t.span.end ? t.span : span, t.what,
                                "split the policy, or move parts of it into top-level lets");
            failed_ = true;
        }
    }

    // A footprint names each input in one bit: a function with more inputs could not tell the
    // worker what it reads. Only a schema with too many facts for one kind (or too many kinds,
    // whose results are an expectation's inputs) meets this; the rules cannot fix it.
    bool footprint_fits(common::FileId file, Span span, std::size_t inputs, const std::string& what) {
        if (inputs <= bytecode::max_footprint_inputs) return true;
        diagnostics_.report(Code::E0700, file, span,
                            what + ", more than the " + std::to_string(bytecode::max_footprint_inputs) +
                                " inputs a footprint can name",
                            "a footprint has one bit per input: the schema must declare at most 64 facts per "
                            "policy kind, and at most 64 policy kinds for tests");
        failed_ = true;
        return false;
    }

    void sources() {
        std::uint64_t hash = bytecode::fnv1a("");
        for (std::size_t f : ws_.closure(program_.root)) {
            const auto& file = ws_.files[f];
            const auto& text = ws_.sources.file(file.id).text();
            state_.files[file.id] = static_cast<std::uint32_t>(module_.sources.size());
            module_.sources.push_back({file.path, bytecode::fnv1a(text)});
            hash = bytecode::fnv1a(file.path, hash);
            hash = bytecode::fnv1a(text, hash);
        }
        module_.source_hash = hash;
    }

    void settings() {
        if (program_.settings.size() > bytecode::max_settings) {
            const auto& s = program_.settings[bytecode::max_settings];
            diagnostics_.report(Code::E0700, s.file, s.decl->name.span,
                                "the ruleset declares more than " + std::to_string(bytecode::max_settings) + " settings",
                                "a setting is a 16-bit operand of `load_setting`");
            failed_ = true;
            return;
        }
        for (const auto& s : program_.settings) {
            auto k = state_.fold(*s.decl->default_value);
            state_.settings[s.decl] = static_cast<std::uint16_t>(module_.settings.size());
            module_.settings.push_back({s.decl->name.name, s.type, k ? *k : state_.constants.none(s.type.optional()),
                                        s.decl->description.value_or("")});
        }
    }

    void policy(const CheckedPolicy& p) {
        FunctionLowering fl(state_, p.file);
        auto& f = fl.out.f;
        f.kind = static_cast<std::uint16_t>(p.kind - state_.schema.kinds().data());
        f.scope = p.scope;
        f.priority = p.priority;
        f.file = state_.files.at(p.file);
        f.line = state_.line_of(p.file, p.decl->kind.span);
        f.result = p.kind->result;
        if (p.decl->rules.size() > bytecode::max_rules_per_policy)
            throw TooLarge{p.decl->kind.span, "the policy has more than " + std::to_string(bytecode::max_rules_per_policy) + " rules"};
        auto facts = p.kind->bindings.size();
        if (!footprint_fits(p.file, p.decl->kind.span, facts,
                            "the `" + p.kind->name + "` policy kind has " + std::to_string(facts) + " facts"))
            return;
        for (const auto& b : p.kind->bindings) fl.input(b.name, b.type);
        fl.set_lets(p.decl->lets);
        fl.rules(p.decl->rules);
        f.footprint = bytecode::compute_footprint(f, state_.schema);
        module_.policies.push_back(std::move(f));
    }

    void test(const CheckedTest& t) {
        bytecode::Test out;
        out.name = t.decl->name;
        out.file = state_.files.at(t.file);
        out.line = state_.line_of(t.file, t.decl->name_span);
        boost::json::object kase;
        CaseWriter writer(state_);
        for (const auto& item : t.decl->items) {
            if (const auto* g = std::get_if<dsl::Given>(&item.item)) {
                kase[g->fact.name == "setting" ? "settings" : g->fact.name] = writer.value(*g->value);
                continue;
            }
            const auto& expect = std::get<dsl::Expect>(item.item);
            auto kinds = state_.schema.kinds().size();
            if (!footprint_fits(t.file, item.span, kinds,
                                "an `expect` reads the results of " + std::to_string(kinds) + " policy kinds"))
                return;
            FunctionLowering fl(state_, t.file);
            for (const auto& k : state_.schema.kinds()) fl.input(k.name, k.result);
            fl.out.f.file = out.file;
            fl.out.f.line = state_.line_of(t.file, item.span);
            fl.out.f.result = types::boolean;
            fl.expectation(*expect.condition, fl.out.f.line);
            fl.out.f.footprint = bytecode::compute_footprint(fl.out.f, state_.schema);
            out.expects.push_back(static_cast<std::uint32_t>(module_.expectations.size()));
            module_.expectations.push_back(std::move(fl.out.f));
        }
        out.case_json = boost::json::serialize(kase);
        module_.tests.push_back(std::move(out));
    }

    const Workspace& ws_;
    const Program& program_;
    common::DiagnosticBag& diagnostics_;
    bytecode::Module module_;
    ModuleState state_;
    bool failed_ = false;
};

}  // namespace

std::optional<bytecode::Module> lower(const Workspace& workspace, const Program& program, common::DiagnosticBag& diagnostics,
                                      const LowerOptions& options, const stdlib::Schema& schema) {
    return Lowering(workspace, program, diagnostics, schema).run(options);
}

std::optional<bytecode::Module> compile(Workspace& workspace, common::DiagnosticBag& diagnostics, const LowerOptions& options,
                                        const stdlib::Schema& schema) {
    auto checked = check(workspace, diagnostics, schema);
    if (diagnostics.has_errors() || checked.programs.empty()) return std::nullopt;
    return lower(workspace, checked.programs.front(), diagnostics, options, schema);
}

}  // namespace switchyard::compiler
