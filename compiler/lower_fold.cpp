// Lowering: the constant pool and constant folding. An expression that reads no fact and no
// setting is computed here, once, into the module's shared pool of constants.
#include "compiler/lower_impl.hpp"

#include <algorithm>
#include <unordered_set>

namespace switchyard::compiler {

namespace {

std::int64_t wrap_add(std::int64_t a, std::int64_t b) {
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(b));
}
std::int64_t wrap_sub(std::int64_t a, std::int64_t b) {
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) - static_cast<std::uint64_t>(b));
}
std::int64_t wrap_mul(std::int64_t a, std::int64_t b) {
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) * static_cast<std::uint64_t>(b));
}

}  // namespace

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
                            t.base == TypeKind::time || t.base == TypeKind::date || t.base == TypeKind::time_of_day);
}
bool is_integer_like(Type t) {
    return is_numeric(t) || (t.depth == 0 && (t.base == TypeKind::enumeration || t.base == TypeKind::boolean));
}
bool is_string(Type t) { return t == types::string; }

// ---- the constant pool, shared by every function of the module ----

std::uint32_t Constants::add(Constant c) {
    std::string key = key_of(c);
    if (auto it = index_.find(key); it != index_.end()) return it->second;
    auto k = static_cast<std::uint32_t>(m_.constants.size());
    m_.constants.push_back(std::move(c));
    index_.emplace(std::move(key), k);
    return k;
}

bool Constants::same(std::uint32_t a, std::uint32_t b) const {
    if (a == b) return true;
    const auto& x = at(a);
    const auto& y = at(b);
    if (x.kind != y.kind || x.number != y.number || x.text != y.text || x.parts.size() != y.parts.size()) return false;
    for (std::size_t i = 0; i < x.parts.size(); ++i)
        if (!same(x.parts[i], y.parts[i])) return false;
    return true;
}

std::string Constants::identity(std::uint32_t k) const {
    const auto& c = at(k);
    std::string id;
    auto put = [&](std::uint64_t v) { id.append(reinterpret_cast<const char*>(&v), sizeof v); };
    put(static_cast<std::uint64_t>(c.kind));
    put(static_cast<std::uint64_t>(c.number));
    put(c.text.size());
    id += c.text;
    put(c.parts.size());
    for (auto p : c.parts) {
        auto part = identity(p);
        put(part.size());
        id += part;
    }
    return id;
}

std::string Constants::key_of(const Constant& c) {
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

// ---- constant folding ----

std::optional<std::uint32_t> ModuleState::fold(const Expr& e) {
    if (auto it = folded.find(&e); it != folded.end()) return it->second;
    auto k = std::visit([&](const auto& n) { return fold_node(e, n); }, e.node);
    folded.emplace(&e, k);
    return k;
}

std::optional<std::uint32_t> ModuleState::fold_node(const Expr&, const dsl::IntLit& n) {
    return constants.integer(types::integer, n.value);
}
std::optional<std::uint32_t> ModuleState::fold_node(const Expr&, const dsl::StringLit& n) { return constants.string(n.value); }
std::optional<std::uint32_t> ModuleState::fold_node(const Expr&, const dsl::BoolLit& n) { return constants.boolean(n.value); }
std::optional<std::uint32_t> ModuleState::fold_node(const Expr&, const dsl::NoneLit&) { return constants.none(); }

std::optional<std::uint32_t> ModuleState::fold_node(const Expr&, const dsl::SizeLit& n) {
    return constants.integer(types::size, wrap_mul(n.amount, dsl::unit_factor(n.unit)));
}

std::optional<std::uint32_t> ModuleState::fold_node(const Expr&, const dsl::DurationLit& n) {
    return constants.integer(types::duration, wrap_mul(n.amount, dsl::unit_factor(n.unit)));
}

std::optional<std::uint32_t> ModuleState::fold_node(const Expr&, const dsl::DateLit& n) {
    return constants.integer(types::date, n.days);
}
std::optional<std::uint32_t> ModuleState::fold_node(const Expr&, const dsl::TimeOfDayLit& n) {
    return constants.integer(types::time_of_day, n.ms);
}
std::optional<std::uint32_t> ModuleState::fold_node(const Expr&, const dsl::TimeLit& n) {
    return constants.integer(types::time, n.ms);
}

std::optional<std::uint32_t> ModuleState::fold_node(const Expr& e, const dsl::Name&) {
    switch (e.annotation.ref) {
        case RefKind::enum_member: return constants.integer(type_of(e), e.annotation.index);
        case RefKind::function: return bare_constructor(e.annotation.index);
        case RefKind::let: return fold(*static_cast<const dsl::LetDecl*>(e.annotation.target)->value);
        default: return std::nullopt;
    }
}

std::optional<std::uint32_t> ModuleState::fold_node(const Expr& e, const dsl::Field&) {
    if (e.annotation.ref == RefKind::enum_member) return constants.integer(type_of(e), e.annotation.index);
    return std::nullopt;
}

std::optional<std::uint32_t> ModuleState::fold_node(const Expr& e, const dsl::Call& c) {
    if (e.annotation.ref == RefKind::rule_function) return std::nullopt;  // inlined, then folded inside
    const auto& fn = schema.functions()[e.annotation.index];
    if (fn.role != stdlib::FunctionRole::constructor) return std::nullopt;
    auto params = arguments_by_parameter(c, fn);
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

std::optional<std::uint32_t> ModuleState::fold_node(const Expr&, const dsl::Unary& u) {
    auto k = fold(*u.operand);
    if (!k) return std::nullopt;
    const auto& c = constants.at(*k);
    if (u.op == dsl::UnaryOp::logical_not) return constants.boolean(c.number == 0);
    return constants.integer(c.type, wrap_sub(0, c.number));
}

std::optional<std::uint32_t> ModuleState::fold_node(const Expr& e, const dsl::Binary& b) {
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

std::optional<std::uint32_t> ModuleState::fold_node(const Expr& e, const dsl::ListLit& l) {
    return fold_items(e, l.items, ConstKind::list);
}
std::optional<std::uint32_t> ModuleState::fold_node(const Expr& e, const dsl::SetLit& s) {
    return fold_items(e, s.items, ConstKind::set);
}
std::optional<std::uint32_t> ModuleState::fold_node(const Expr&, const dsl::RecordLit&) { return std::nullopt; }
std::optional<std::uint32_t> ModuleState::fold_node(const Expr&, const dsl::Where&) { return std::nullopt; }

std::optional<std::uint32_t> ModuleState::fold_node(const Expr&, const dsl::IfElse& i) {
    auto c = fold(*i.condition);
    if (!c) return std::nullopt;
    return fold(constants.at(*c).number ? *i.then_value : *i.else_value);
}

std::optional<std::uint32_t> ModuleState::fold_items(const Expr& e, const std::vector<dsl::ExprPtr>& items,
                                                     ConstKind kind) {
    std::vector<std::uint32_t> parts;
    std::unordered_set<std::string> members;  // a set's, by identity: a scan per member would be quadratic
    for (const auto& item : items) {
        auto k = fold(*item);
        if (!k) return std::nullopt;
        if (kind == ConstKind::set && !members.insert(constants.identity(*k)).second) continue;
        parts.push_back(*k);
    }
    return constants.compound(type_of(e), kind, parts);
}

std::uint32_t ModuleState::bare_constructor(std::size_t function) {
    const auto& fn = schema.functions()[function];
    std::vector<std::uint32_t> parts;
    for (const auto& p : fn.params) parts.push_back(constants.none(p.type.optional()));
    return constants.compound(fn.result, ConstKind::variant, parts, static_cast<std::int64_t>(function));
}

Type ModuleState::key_list_type() { return *Type::of(TypeKind::any).wrapped(Wrap::list); }

std::vector<std::vector<const Expr*>> arguments_by_parameter(const dsl::Call& c,
                                                             const stdlib::FunctionDecl& fn) {
    std::vector<std::vector<const Expr*>> params(fn.params.size());
    for (const auto& arg : c.args)
        if (arg.param < params.size()) params[arg.param].push_back(arg.value.get());
    return params;
}

}  // namespace switchyard::compiler
