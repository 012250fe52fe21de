#include "dsl/ast.hpp"

#include "stdlib/units.hpp"

namespace switchyard::dsl {

void DestroyExpr::operator()(Expr* e) const noexcept { std::destroy_at(e); }

ExprPtr ExprArena::make(Expr expr) {
    void* place = memory_.allocate(sizeof(Expr), alignof(Expr));
    return ExprPtr(std::construct_at(static_cast<Expr*>(place), std::move(expr)));
}

namespace {
bool same(const ExprPtr& a, const ExprPtr& b) {
    if (!a || !b) return !a && !b;
    return *a == *b;
}
bool same_list(const std::vector<ExprPtr>& a, const std::vector<ExprPtr>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!same(a[i], b[i])) return false;
    return true;
}

struct ExprEq {
    const Expr::Node& other;
    bool operator()(const IntLit& a) const { return a.value == std::get<IntLit>(other).value; }
    bool operator()(const StringLit& a) const { return a.value == std::get<StringLit>(other).value; }
    bool operator()(const BoolLit& a) const { return a.value == std::get<BoolLit>(other).value; }
    bool operator()(const NoneLit&) const { return true; }
    bool operator()(const SizeLit& a) const {
        const auto& b = std::get<SizeLit>(other);
        return a.amount == b.amount && a.unit == b.unit;
    }
    bool operator()(const DurationLit& a) const {
        const auto& b = std::get<DurationLit>(other);
        return a.amount == b.amount && a.unit == b.unit;
    }
    bool operator()(const DateLit& a) const { return a.days == std::get<DateLit>(other).days; }
    bool operator()(const TimeOfDayLit& a) const { return a.ms == std::get<TimeOfDayLit>(other).ms; }
    bool operator()(const TimeLit& a) const {
        const auto& b = std::get<TimeLit>(other);
        return a.ms == b.ms && a.offset_minutes == b.offset_minutes;
    }
    bool operator()(const Name& a) const { return a.id == std::get<Name>(other).id; }
    bool operator()(const Field& a) const {
        const auto& b = std::get<Field>(other);
        return a.name == b.name && same(a.object, b.object);
    }
    bool operator()(const Call& a) const {
        const auto& b = std::get<Call>(other);
        if (a.callee != b.callee || a.args.size() != b.args.size()) return false;
        for (std::size_t i = 0; i < a.args.size(); ++i)
            if (a.args[i].name != b.args[i].name || !same(a.args[i].value, b.args[i].value)) return false;
        return true;
    }
    bool operator()(const Unary& a) const {
        const auto& b = std::get<Unary>(other);
        return a.op == b.op && same(a.operand, b.operand);
    }
    bool operator()(const Binary& a) const {
        const auto& b = std::get<Binary>(other);
        return a.op == b.op && same(a.lhs, b.lhs) && same(a.rhs, b.rhs);
    }
    bool operator()(const ListLit& a) const { return same_list(a.items, std::get<ListLit>(other).items); }
    bool operator()(const SetLit& a) const { return same_list(a.items, std::get<SetLit>(other).items); }
    bool operator()(const RecordLit& a) const {
        const auto& b = std::get<RecordLit>(other);
        if (a.fields.size() != b.fields.size()) return false;
        for (std::size_t i = 0; i < a.fields.size(); ++i)
            if (a.fields[i].name != b.fields[i].name || !same(a.fields[i].value, b.fields[i].value)) return false;
        return true;
    }
    bool operator()(const Where& a) const {
        const auto& b = std::get<Where>(other);
        return same(a.items, b.items) && same(a.predicate, b.predicate);
    }
    bool operator()(const IfElse& a) const {
        const auto& b = std::get<IfElse>(other);
        return same(a.condition, b.condition) && same(a.then_value, b.then_value) && same(a.else_value, b.else_value);
    }
};

bool same_idents(const std::vector<Ident>& a, const std::vector<Ident>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].name != b[i].name) return false;
    return true;
}

bool same_let(const LetDecl& a, const LetDecl& b) { return a.name.name == b.name.name && same(a.value, b.value); }

struct DeclEq {
    const Decl::Node& other;
    bool operator()(const RulesetDecl& a) const { return a.name.name == std::get<RulesetDecl>(other).name.name; }
    bool operator()(const ImportDecl& a) const { return a.path == std::get<ImportDecl>(other).path; }
    bool operator()(const SettingDecl& a) const {
        const auto& b = std::get<SettingDecl>(other);
        return a.contact_field == b.contact_field && a.name.name == b.name.name && a.type == b.type &&
               same(a.default_value, b.default_value) && a.description == b.description;
    }
    bool operator()(const LetDecl& a) const { return same_let(a, std::get<LetDecl>(other)); }
    bool operator()(const PolicyDecl& a) const {
        const auto& b = std::get<PolicyDecl>(other);
        if (a.kind.name != b.kind.name || a.priority != b.priority || a.scope.size() != b.scope.size() ||
            a.lets.size() != b.lets.size() || a.rules.size() != b.rules.size())
            return false;
        for (std::size_t i = 0; i < a.scope.size(); ++i)
            if (a.scope[i].keyword != b.scope[i].keyword || !same_idents(a.scope[i].values, b.scope[i].values))
                return false;
        for (std::size_t i = 0; i < a.lets.size(); ++i)
            if (!same_let(a.lets[i], b.lets[i])) return false;
        for (std::size_t i = 0; i < a.rules.size(); ++i)
            if (!same(a.rules[i].condition, b.rules[i].condition) || !same(a.rules[i].result, b.rules[i].result))
                return false;
        return true;
    }
    bool operator()(const FnDecl& a) const {
        const auto& b = std::get<FnDecl>(other);
        if (a.name.name != b.name.name || !(a.result == b.result) || a.params.size() != b.params.size()) return false;
        for (std::size_t i = 0; i < a.params.size(); ++i)
            if (a.params[i].name.name != b.params[i].name.name || !(a.params[i].type == b.params[i].type)) return false;
        return same(a.body, b.body);
    }
    bool operator()(const TestDecl& a) const {
        const auto& b = std::get<TestDecl>(other);
        if (a.name != b.name || a.items.size() != b.items.size()) return false;
        for (std::size_t i = 0; i < a.items.size(); ++i) {
            const auto& x = a.items[i].item;
            const auto& y = b.items[i].item;
            if (x.index() != y.index()) return false;
            if (auto* g = std::get_if<Given>(&x)) {
                const auto& h = std::get<Given>(y);
                if (g->fact.name != h.fact.name || g->assigned != h.assigned || !same(g->value, h.value)) return false;
            } else if (!same(std::get<Expect>(x).condition, std::get<Expect>(y).condition)) {
                return false;
            }
        }
        return true;
    }
};
}  // namespace

bool operator==(const Expr& a, const Expr& b) {
    return a.node.index() == b.node.index() && std::visit(ExprEq{b.node}, a.node);
}

bool operator==(const TypeRef& a, const TypeRef& b) {
    return a.name == b.name && a.optional == b.optional && a.args == b.args;
}

bool operator==(const Decl& a, const Decl& b) {
    return a.node.index() == b.node.index() && std::visit(DeclEq{b.node}, a.node);
}

bool same_structure(const Module& a, const Module& b) { return a.decls == b.decls; }

std::string_view to_string(BinaryOp op) {
    switch (op) {
        case BinaryOp::coalesce: return "??";
        case BinaryOp::logical_or: return "or";
        case BinaryOp::logical_and: return "and";
        case BinaryOp::eq: return "==";
        case BinaryOp::ne: return "!=";
        case BinaryOp::lt: return "<";
        case BinaryOp::le: return "<=";
        case BinaryOp::gt: return ">";
        case BinaryOp::ge: return ">=";
        case BinaryOp::in: return "in";
        case BinaryOp::not_in: return "not in";
        case BinaryOp::add: return "+";
        case BinaryOp::sub: return "-";
    }
    return "?";
}

std::string_view to_string(SizeUnit unit) { return stdlib::size_units[static_cast<std::size_t>(unit)].name; }
std::string_view to_string(DurationUnit unit) { return stdlib::duration_units[static_cast<std::size_t>(unit)].name; }
std::int64_t unit_factor(SizeUnit unit) { return stdlib::size_units[static_cast<std::size_t>(unit)].factor; }
std::int64_t unit_factor(DurationUnit unit) { return stdlib::duration_units[static_cast<std::size_t>(unit)].factor; }

bool is_comparison(BinaryOp op) {
    switch (op) {
        case BinaryOp::eq:
        case BinaryOp::ne:
        case BinaryOp::lt:
        case BinaryOp::le:
        case BinaryOp::gt:
        case BinaryOp::ge:
        case BinaryOp::in:
        case BinaryOp::not_in: return true;
        default: return false;
    }
}

int precedence(BinaryOp op) {
    if (is_comparison(op)) return 5;  // 4 is prefix `not`; 1 is `where`, 0 is `if`
    switch (op) {
        case BinaryOp::logical_or: return 2;
        case BinaryOp::logical_and: return 3;
        case BinaryOp::coalesce: return 6;
        case BinaryOp::add:
        case BinaryOp::sub: return 7;
        default: return 0;
    }
}

}  // namespace switchyard::dsl
