#include "compiler/checker.hpp"

#include "compiler/coverage.hpp"
#include "dsl/formatter.hpp"

#include <algorithm>
#include <deque>
#include <filesystem>
#include <map>
#include <optional>

namespace switchyard::compiler {

using common::Code;
using common::FileId;
using common::Span;
using dsl::Expr;
using stdlib::Schema;
using stdlib::Type;
using stdlib::TypeKind;
using stdlib::Wrap;
namespace types = stdlib::types;

namespace {

// A top-level `let` or `setting`, visible in its file and in every file that imports it.
struct Global {
    enum class Kind { let, setting } kind;
    const dsl::Ident* name;
    const void* decl;
    FileId file;
    std::size_t file_index;
    std::size_t order;  // declaration index inside its file
    Type type = types::error;
    bool used = false;
};

using Env = std::map<std::string, Global*, std::less<>>;

struct Local {
    std::string name;
    Type type;
    Span span;
    bool used = false;
    bool report_unused = false;
};

std::string ticked(std::string_view s) { return "`" + std::string(s) + "`"; }

std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates) {
    auto best = common::closest_match(word, candidates);
    return best.empty() ? std::string() : "did you mean `" + best + "`?";
}

bool is_ordered(Type t) {
    if (t.is_wrapped()) return false;
    switch (t.base) {
        case TypeKind::integer:
        case TypeKind::size:
        case TypeKind::duration:
        case TypeKind::time:
        case TypeKind::string: return true;
        default: return false;
    }
}

// Can a value of type `from` be used where `to` is expected?
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

// The more general of two types, or nullopt when neither fits the other.
std::optional<Type> join(Type a, Type b) {
    if (assignable(a, b)) return b;
    if (assignable(b, a)) return a;
    if (a.base == TypeKind::none && a.depth == 0) return b.optional();
    if (b.base == TypeKind::none && b.depth == 0) return a.optional();
    if (assignable(a, b.optional())) return b.optional();
    if (assignable(b, a.optional())) return a.optional();
    return std::nullopt;
}

// The enum or variant an expected type points at, through optionals and collections.
std::optional<Type> base_hint(std::optional<Type> expected) {
    if (!expected) return std::nullopt;
    Type t = *expected;
    while (t.depth) t = t.inner();
    if (t.base == TypeKind::enumeration || t.base == TypeKind::variant || t.base == TypeKind::boolean) return t;
    return std::nullopt;
}

bool is_constant(const Expr& e) {
    if (e.as<dsl::IntLit>() || e.as<dsl::StringLit>() || e.as<dsl::BoolLit>() || e.as<dsl::NoneLit>() ||
        e.as<dsl::SizeLit>() || e.as<dsl::DurationLit>())
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

class ExprChecker {
public:
    ExprChecker(const Schema& schema, common::DiagnosticBag& diagnostics, FileId file, const Env& env,
                const std::vector<Global*>& settings)
        : schema_(schema), diagnostics_(diagnostics), file_(file), env_(env), settings_(settings) {}

    const stdlib::PolicyKindDecl* kind = nullptr;  // inside a policy body
    bool in_expect = false;                        // inside a test's `expect`
    std::size_t file_index = 0;
    std::size_t decl_order = 0;  // globals of this file declared at or after this are not visible yet
    std::vector<Local> locals;

    Type check(const Expr& e, std::optional<Type> expected = std::nullopt) {
        Type t = std::visit([&](const auto& node) { return visit(e, node, expected); }, e.node);
        e.annotation.type = t;
        return t;
    }

    // A value that must be of `want`; reports `code` otherwise.
    Type expect_type(const Expr& e, Type want, Code code, std::string_view what) {
        Type t = check(e, want);
        if (!assignable(t, want)) {
            std::string help;
            if (t.is_optional() && assignable(t.inner(), want)) help = "it may be `none`: give a default with `?? value`";
            error(code, e.span, std::string(what) + " must be `" + name(want) + "`, found `" + name(t) + "`", help);
        }
        return t;
    }

    Type check_record_literal(const Expr& e, Type record_type) {
        const auto* rec = e.as<dsl::RecordLit>();
        const auto& decl = schema_.record_of(record_type);
        std::map<std::string, Span> seen;
        for (const auto& f : rec->fields) {
            if (auto [it, fresh] = seen.emplace(f.name, f.name_span); !fresh) {
                error(Code::E0400, f.name_span, "field " + ticked(f.name) + " is given twice");
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

    // A value inside `given`: record literals are allowed where a record is expected.
    void check_given_value(const Expr& e, Type want) {
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
    static bool is_given_constant(const Expr& e) {
        if (is_constant(e)) return true;
        if (e.annotation.ref == dsl::RefKind::let && e.annotation.target)
            return is_given_constant(*static_cast<const dsl::LetDecl*>(e.annotation.target)->value);
        return false;
    }

    void report_unknown_field(const stdlib::RecordDecl& record, const std::string& field, Span span) {
        std::vector<std::string_view> names;
        for (const auto& fd : record.fields) names.push_back(fd.name);
        error(Code::E0201, span, "unknown field " + ticked(field) + " on " + ticked(record.name),
              did_you_mean(field, names));
    }

    void error(Code code, Span span, std::string message, std::string help = {}) {
        diagnostics_.report(code, file_, span, std::move(message), std::move(help));
    }
    std::string name(Type t) const { return schema_.type_name(t); }

private:
    Type visit(const Expr&, const dsl::IntLit&, std::optional<Type>) { return types::integer; }
    Type visit(const Expr&, const dsl::StringLit&, std::optional<Type>) { return types::string; }
    Type visit(const Expr&, const dsl::BoolLit&, std::optional<Type>) { return types::boolean; }
    Type visit(const Expr&, const dsl::NoneLit&, std::optional<Type>) { return types::none; }
    Type visit(const Expr&, const dsl::SizeLit&, std::optional<Type>) { return types::size; }
    Type visit(const Expr&, const dsl::DurationLit&, std::optional<Type>) { return types::duration; }

    Local* find_local(std::string_view id) {
        for (auto it = locals.rbegin(); it != locals.rend(); ++it)
            if (it->name == id) return &*it;
        return nullptr;
    }

    Global* visible_global(std::string_view id) const {
        auto it = env_.find(id);
        if (it == env_.end() || it->second->kind != Global::Kind::let) return nullptr;
        Global* g = it->second;
        if (g->file_index == file_index && g->order >= decl_order) return nullptr;  // declared later
        return g;
    }

    bool is_value_name(std::string_view id) {
        return find_local(id) || (kind && kind->find_binding(id)) || visible_global(id) || kind_result(id);
    }

    std::optional<Type> kind_result(std::string_view id) const {
        if (!in_expect) return std::nullopt;
        if (const auto* k = schema_.find_kind(id)) return k->result;
        return std::nullopt;
    }

    // `attach`, `new_task`, `group`: an enum member or a constructor without arguments.
    std::optional<Type> resolve_member(const Expr& e, std::string_view id, std::optional<Type> hint) {
        if (hint && hint->base == TypeKind::enumeration) {
            if (auto m = schema_.enum_of(*hint).find(id)) {
                e.annotation.ref = dsl::RefKind::enum_member;
                e.annotation.index = static_cast<std::uint32_t>(*m);
                return *hint;
            }
        }
        if (hint && hint->base == TypeKind::variant) {
            if (auto f = schema_.find_function(id); f && schema_.functions()[*f].result == *hint &&
                                                     schema_.functions()[*f].callable_bare()) {
                e.annotation.ref = dsl::RefKind::function;
                e.annotation.index = static_cast<std::uint32_t>(*f);
                return *hint;
            }
        }
        return std::nullopt;
    }

    std::optional<Type> resolve_unique_member(const Expr& e, std::string_view id) {
        std::optional<Type> found;
        int matches = 0;
        for (std::size_t i = 0; i < schema_.enums().size(); ++i) {
            if (auto m = schema_.enums()[i].find(id)) {
                ++matches;
                found = Type::of(TypeKind::enumeration, static_cast<std::uint16_t>(i));
                e.annotation.ref = dsl::RefKind::enum_member;
                e.annotation.index = static_cast<std::uint32_t>(*m);
            }
        }
        if (matches == 1) return found;
        if (auto f = schema_.find_function(id); f && schema_.functions()[*f].callable_bare() && matches == 0) {
            e.annotation.ref = dsl::RefKind::function;
            e.annotation.index = static_cast<std::uint32_t>(*f);
            return schema_.functions()[*f].result;
        }
        if (matches > 1) {
            std::string owners;
            for (const auto& en : schema_.enums())
                if (en.find(id)) owners += (owners.empty() ? "`" : ", `") + en.name + "." + std::string(id) + "`";
            error(Code::E0200, e.span, ticked(id) + " is a value of several enums", "write one of " + owners);
            e.annotation.ref = dsl::RefKind::unresolved;
            return types::error;
        }
        return std::nullopt;
    }

    std::vector<std::string_view> name_candidates(std::optional<Type> hint) const {
        std::vector<std::string_view> names;
        for (const auto& l : locals) names.push_back(l.name);
        if (kind)
            for (const auto& b : kind->bindings) names.push_back(b.name);
        for (const auto& [n, g] : env_)
            if (g->kind == Global::Kind::let) names.push_back(n);
        if (hint && hint->base == TypeKind::enumeration)
            for (const auto& m : schema_.enum_of(*hint).members) names.push_back(m);
        if (in_expect)
            for (const auto& k : schema_.kinds()) names.push_back(k.name);
        return names;
    }

    Type visit(const Expr& e, const dsl::Name& n, std::optional<Type> expected) {
        auto hint = base_hint(expected);
        if (auto t = resolve_member(e, n.id, hint)) return *t;
        if (Local* local = find_local(n.id)) {
            local->used = true;
            e.annotation.ref = dsl::RefKind::local;
            return local->type;
        }
        if (kind) {
            if (const auto* b = kind->find_binding(n.id)) {
                e.annotation.ref = dsl::RefKind::binding;
                e.annotation.target = b;
                return b->type;
            }
        }
        if (n.id == "setting") {
            error(Code::E0200, e.span, "`setting` must be followed by the setting's name", "write `setting.name`");
            return types::error;
        }
        if (auto t = kind_result(n.id)) {
            e.annotation.ref = dsl::RefKind::binding;
            return *t;
        }
        if (Global* g = visible_global(n.id)) {
            g->used = true;
            e.annotation.ref = dsl::RefKind::let;
            e.annotation.target = g->decl;
            return g->type;
        }
        if (auto t = resolve_unique_member(e, n.id)) return *t;
        report_unknown_name(e, n.id, hint);
        return types::error;
    }

    void report_unknown_name(const Expr& e, std::string_view id, std::optional<Type> hint) {
        auto it = env_.find(id);
        if (it != env_.end() && it->second->kind == Global::Kind::let) {
            error(Code::E0200, e.span, ticked(id) + " is used before it is declared",
                  "move `let " + std::string(id) + "` above this use");
            return;
        }
        if (it != env_.end()) {
            error(Code::E0200, e.span, ticked(id) + " is a setting", "write `setting." + std::string(id) + "`");
            return;
        }
        for (const auto& k : schema_.kinds()) {
            if (k.find_binding(id)) {
                std::string where = kind ? "in `" + kind->name + "` policies" : "outside policies";
                std::string reads;
                if (kind)
                    for (const auto& b : kind->bindings) reads += (reads.empty() ? "`" : ", `") + b.name + "`";
                error(Code::E0200, e.span, ticked(id) + " is not available " + where,
                      kind ? "`" + kind->name + "` policies read " + reads
                           : "facts such as `" + std::string(id) + "` are read inside policies");
                return;
            }
        }
        if (schema_.find_function(id)) {
            error(Code::E0200, e.span, ticked(id) + " is a function", "call it: `" + std::string(id) + "(...)`");
            return;
        }
        error(Code::E0200, e.span, "unknown name " + ticked(id), did_you_mean(id, name_candidates(hint)));
    }

    Type visit(const Expr& e, const dsl::Field& f, std::optional<Type>) {
        if (const auto* obj = f.object->as<dsl::Name>()) {
            if (obj->id == "setting" && !find_local("setting")) return setting_field(e, f);
            if (!is_value_name(obj->id)) {
                if (auto enum_type = schema_.named_type(obj->id); enum_type && enum_type->base == TypeKind::enumeration) {
                    const auto& decl = schema_.enum_of(*enum_type);
                    if (auto m = decl.find(f.name)) {
                        e.annotation.ref = dsl::RefKind::enum_member;
                        e.annotation.index = static_cast<std::uint32_t>(*m);
                        f.object->annotation.type = *enum_type;
                        return *enum_type;
                    }
                    std::vector<std::string_view> members(decl.members.begin(), decl.members.end());
                    error(Code::E0201, f.name_span, ticked(f.name) + " is not a value of " + ticked(decl.name),
                          did_you_mean(f.name, members));
                    return types::error;
                }
            }
        }
        Type object = check(*f.object);
        if (object.is_error()) return types::error;
        bool optional = object.is_optional();
        Type base = object.without_optional();
        if (base.is_wrapped() || base.base != TypeKind::record) {
            std::string help = base.is_collection() ? "use `where` to pick items, or `count(...)`, `any(...)`" : "";
            error(Code::E0305, f.name_span, "`." + f.name + "` needs a record, but this is `" + name(object) + "`", help);
            return types::error;
        }
        const auto& rec = schema_.record_of(base);
        auto index = rec.find(f.name);
        if (!index) {
            report_unknown_field(rec, f.name, f.name_span);
            return types::error;
        }
        e.annotation.ref = dsl::RefKind::field;
        e.annotation.index = static_cast<std::uint32_t>(*index);
        Type t = rec.fields[*index].type;
        return optional ? t.optional() : t;
    }

    Type setting_field(const Expr& e, const dsl::Field& f) {
        f.object->annotation.ref = dsl::RefKind::setting;
        for (Global* s : settings_) {
            if (s->name->name == f.name) {
                s->used = true;
                e.annotation.ref = dsl::RefKind::setting;
                e.annotation.target = s->decl;
                return s->type;
            }
        }
        std::vector<std::string_view> names;
        for (Global* s : settings_) names.push_back(s->name->name);
        error(Code::E0201, f.name_span, "unknown setting " + ticked(f.name),
              names.empty() ? "declare it: `setting " + f.name + ": bool = false`" : did_you_mean(f.name, names));
        return types::error;
    }

    // Matches an argument type against a parameter pattern, binding the type variable `T`.
    bool matches(Type param, Type arg, std::optional<Type>& bound) const {
        if (arg.is_error()) return true;
        if (param.depth == 0 && param.base == TypeKind::type_var) {
            if (!bound) {
                bound = arg;
                return true;
            }
            auto j = join(*bound, arg);
            if (j) bound = j;
            return j.has_value();
        }
        if (param.depth == 0 && param.base == TypeKind::any) return !arg.is_collection();
        if (param.is(Wrap::collection))
            return (arg.is(Wrap::list) || arg.is(Wrap::set)) && matches(param.inner(), arg.inner(), bound);
        if (param.is_optional()) {
            if (arg.base == TypeKind::none && arg.depth == 0) return true;
            return matches(param.inner(), arg.without_optional(), bound);
        }
        if (param.is_wrapped()) {
            if (arg.depth && arg.base == TypeKind::nothing && arg.outer() == param.outer()) return true;
            return arg.outer() == param.outer() && matches(param.inner(), arg.inner(), bound);
        }
        return assignable(arg, param);
    }

    Type visit(const Expr& e, const dsl::Call& c, std::optional<Type>) {
        auto index = schema_.find_function(c.callee);
        if (!index) {
            for (const auto& a : c.args) check(*a.value);
            std::string help = did_you_mean(c.callee, schema_.function_names());
            error(Code::E0202, c.callee_span, "unknown function " + ticked(c.callee), help);
            return types::error;
        }
        const auto& fn = schema_.functions()[*index];
        e.annotation.ref = dsl::RefKind::function;
        e.annotation.index = static_cast<std::uint32_t>(*index);
        bind_arguments(e, c, fn);
        return fn.result;
    }

    void bind_arguments(const Expr& e, const dsl::Call& c, const stdlib::FunctionDecl& fn) {
        std::vector<bool> given(fn.params.size(), false);
        std::optional<Type> bound;
        std::size_t next_positional = 0;
        // Only error help shows the signature: build it then, not for every call.
        auto signature = [&] { return fn.signature(schema_); };
        for (const auto& arg : c.args) {
            std::optional<std::size_t> p;
            if (arg.name) {
                for (std::size_t i = 0; i < fn.params.size(); ++i)
                    if (fn.params[i].name == *arg.name) p = i;
                if (!p) {
                    std::vector<std::string_view> names;
                    for (const auto& pd : fn.params) names.push_back(pd.name);
                    error(Code::E0301, arg.name_span, ticked(*arg.name) + " is not a parameter of " + ticked(fn.name),
                          "the signature is `" + signature() + "`");
                    check(*arg.value);
                    continue;
                }
                if (given[*p] && !(fn.variadic_first && *p == 0)) {
                    error(Code::E0301, arg.name_span, ticked(*arg.name) + " is given twice");
                    check(*arg.value);
                    continue;
                }
            } else {
                if (fn.variadic_first && next_positional == 0 && given[0]) p = 0;
                else {
                    while (next_positional < fn.params.size() && fn.params[next_positional].optional &&
                           !(fn.variadic_first && next_positional == 0))
                        ++next_positional;
                    if (fn.variadic_first && given[0]) next_positional = fn.params.size();
                    if (next_positional < fn.params.size() && !fn.params[next_positional].optional) p = next_positional++;
                }
                if (!p) {
                    error(Code::E0301, arg.value->span, "too many arguments to " + ticked(fn.name),
                          "the signature is `" + signature() + "`" +
                              (std::any_of(fn.params.begin(), fn.params.end(), [](auto& x) { return x.optional; })
                                   ? "; optional parameters are passed by name (`name: value`)"
                                   : ""));
                    check(*arg.value);
                    continue;
                }
                if (fn.variadic_first && *p == 0) next_positional = 0;
            }
            given[*p] = true;
            const auto& param = fn.params[*p];
            // An optional parameter takes `none`, or a value that may be `none`: either is the
            // same as leaving it out.
            Type want = param.optional ? param.type.optional() : param.type;
            Type t = check(*arg.value, want);
            if (!matches(want, t, bound))
                error(Code::E0300, arg.value->span,
                      "argument " + ticked(param.name) + " of " + ticked(fn.name) + " must be `" + name(param.type) +
                          "`, found `" + name(t) + "`",
                      "the signature is `" + signature() + "`");
        }
        for (std::size_t i = 0; i < fn.params.size(); ++i) {
            if (!given[i] && !fn.params[i].optional)
                error(Code::E0301, e.span, "missing argument " + ticked(fn.params[i].name) + " of " + ticked(fn.name),
                      "the signature is `" + signature() + "`");
        }
    }

    Type visit(const Expr& e, const dsl::Unary& u, std::optional<Type>) {
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
    std::pair<Type, Type> operands(const dsl::Binary& b, bool rhs_is_collection) {
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

    Type visit(const Expr& e, const dsl::Binary& b, std::optional<Type> expected) {
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
                    error(Code::E0300, e.span, "cannot compare `" + name(l) + "` with `" + name(r) + "`");
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
                          is_ordered(l) || is_ordered(r) ? "both sides must have the same type" : "");
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
    Type arithmetic(const dsl::Binary& b, std::optional<Type> expected) {
        Type l0 = check(*b.lhs, expected);
        Type r0 = check(*b.rhs, l0.is_wrapped() ? std::optional<Type>(l0) : std::nullopt);
        if (l0.is_error() || r0.is_error()) return types::error;
        bool optional = (l0.is_optional() && !l0.inner().is_collection()) || (r0.is_optional() && !r0.inner().is_collection());
        Type t = arithmetic_of(b, optional ? l0.without_optional() : l0, optional ? r0.without_optional() : r0);
        return optional && !t.is_error() ? t.optional() : t;
    }

    Type arithmetic_of(const dsl::Binary& b, Type l, Type r) {
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
        error(Code::E0305, b.op_span,
              "`" + std::string(dsl::to_string(b.op)) + "` does not apply to `" + name(l) + "` and `" + name(r) + "`",
              help);
        return types::error;
    }

    Type collection_literal(const Expr& e, const std::vector<dsl::ExprPtr>& items, Wrap wrap, std::optional<Type> expected) {
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

    Type visit(const Expr& e, const dsl::ListLit& l, std::optional<Type> expected) {
        return collection_literal(e, l.items, Wrap::list, expected);
    }
    Type visit(const Expr& e, const dsl::SetLit& s, std::optional<Type> expected) {
        return collection_literal(e, s.items, Wrap::set, expected);
    }
    Type visit(const Expr& e, const dsl::RecordLit& r, std::optional<Type>) {
        error(Code::E0306, e.span, "record literals are only allowed in a test's `given`",
              "facts come from the event; build results with functions such as `thread(...)`");
        for (const auto& f : r.fields) check(*f.value);
        return types::error;
    }

    Type visit(const Expr&, const dsl::Where& w, std::optional<Type>) {
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

    Type visit(const Expr& e, const dsl::IfElse& i, std::optional<Type> expected) {
        expect_type(*i.condition, types::boolean, Code::E0302, "the condition of `if`");
        Type a = check(*i.then_value, expected);
        Type b = check(*i.else_value, expected ? expected : std::optional<Type>(a));
        if (a.is_error() || b.is_error()) return types::error;
        if (auto j = join(a, b)) return *j;
        error(Code::E0300, e.span, "`then` gives `" + name(a) + "` but `else` gives `" + name(b) + "`");
        return types::error;
    }

    const Schema& schema_;
    common::DiagnosticBag& diagnostics_;
    FileId file_;
    const Env& env_;
    const std::vector<Global*>& settings_;
};

std::optional<Type> resolve_type_ref(const dsl::TypeRef& ref, const Schema& schema, common::DiagnosticBag& diagnostics,
                                     FileId file) {
    std::optional<Type> t;
    if (ref.name == "list" || ref.name == "set") {
        if (ref.args.size() != 1) {
            diagnostics.report(Code::E0204, file, ref.span, "`" + ref.name + "` takes one type: `" + ref.name + "<T>`");
            return std::nullopt;
        }
        auto inner = resolve_type_ref(ref.args[0], schema, diagnostics, file);
        if (!inner) return std::nullopt;
        t = inner->wrapped(ref.name == "list" ? Wrap::list : Wrap::set);
    } else {
        if (!ref.args.empty()) {
            diagnostics.report(Code::E0204, file, ref.span, "`" + ref.name + "` takes no type arguments");
            return std::nullopt;
        }
        t = schema.named_type(ref.name);
        if (!t || t->base == TypeKind::type_var || t->base == TypeKind::any) {
            diagnostics.report(Code::E0204, file, ref.span, "unknown type " + ticked(ref.name),
                               did_you_mean(ref.name, schema.type_names()));
            return std::nullopt;
        }
    }
    if (t && ref.optional) t = t->wrapped(Wrap::optional);
    if (!t) diagnostics.report(Code::E0204, file, ref.span, "types nest at most 3 deep");
    return t;
}

}  // namespace

namespace {

class Checker {
public:
    Checker(Workspace& ws, common::DiagnosticBag& diagnostics, const Schema& schema)
        : ws_(ws), diagnostics_(diagnostics), schema_(schema), file_globals_(ws.files.size()) {}

    CheckResult run() {
        collect_globals();
        for (std::size_t f : ws_.order) check_file(f);
        CheckResult result = assemble_programs();
        report_unused();
        return result;
    }

private:
    void collect_globals() {
        for (std::size_t f = 0; f < ws_.files.size(); ++f) {
            const auto& decls = ws_.files[f].module.decls;
            for (std::size_t i = 0; i < decls.size(); ++i) {
                if (const auto* let = decls[i].as<dsl::LetDecl>())
                    globals_.push_back({Global::Kind::let, &let->name, let, ws_.files[f].id, f, i});
                else if (const auto* s = decls[i].as<dsl::SettingDecl>())
                    globals_.push_back({Global::Kind::setting, &s->name, s, ws_.files[f].id, f, i});
                else
                    continue;
                file_globals_[f].push_back(&globals_.back());
            }
        }
    }

    bool declared_before(const Global& a, const Global& b) const {
        const auto& pa = ws_.files[a.file_index].path;
        const auto& pb = ws_.files[b.file_index].path;
        return pa != pb ? pa < pb : a.order < b.order;
    }

    Env environment(std::size_t file) {
        Env env;
        for (std::size_t f : ws_.closure(file)) {
            for (Global* g : file_globals_[f]) {
                auto [it, fresh] = env.emplace(g->name->name, g);
                if (fresh) continue;
                Global* first = it->second;
                Global* later = g;
                if (declared_before(*later, *first)) std::swap(first, later);
                it->second = first;
                auto& d = diagnostics_.report(Code::E0400, later->file, later->name->span,
                                              ticked(later->name->name) + " is declared twice");
                d.notes.push_back({first->file, first->name->span, "first declared here"});
            }
        }
        return env;
    }

    // A global named like something of the schema would be shadowed or would shadow it.
    void check_schema_clash(const Global& g) {
        const std::string& n = g.name->name;
        std::string what;
        for (const auto& k : schema_.kinds())
            if (k.find_binding(n)) what = "a fact that policies read";
        if (schema_.find_function(n)) what = "a built-in function";
        for (const auto& e : schema_.enums())
            if (e.find(n)) what = "a value of `" + e.name + "`";
        if (n == "setting" || n == "it") what = "a reserved name";
        if (!what.empty())
            diagnostics_.report(Code::E0400, g.file, g.name->span, ticked(n) + " is " + what, "choose another name");
    }

    std::vector<Global*> settings_of(const Env& env) const {
        std::vector<Global*> settings;
        for (const auto& [n, g] : env)
            if (g->kind == Global::Kind::setting) settings.push_back(g);
        return settings;
    }

    void resolve_setting_types(std::size_t file) {
        for (Global* g : file_globals_[file]) {
            if (g->kind != Global::Kind::setting) continue;
            const auto* decl = static_cast<const dsl::SettingDecl*>(g->decl);
            if (auto t = resolve_type_ref(decl->type, schema_, diagnostics_, g->file)) {
                Type base = *t;
                while (base.depth) base = base.inner();
                if (base.base == TypeKind::record || base.base == TypeKind::variant) {
                    diagnostics_.report(Code::E0204, g->file, decl->type.span,
                                        "a setting cannot be of type `" + schema_.type_name(*t) + "`",
                                        "settings hold bool, int, string, size, duration, enums, and lists of those");
                } else {
                    g->type = *t;
                }
            }
        }
    }

    void check_file(std::size_t f) {
        Env env = environment(f);
        auto settings = settings_of(env);
        resolve_setting_types(f);
        for (Global* g : file_globals_[f]) check_schema_clash(*g);
        const auto& file = ws_.files[f];
        ExprChecker ec(schema_, diagnostics_, file.id, env, settings);
        ec.file_index = f;
        for (std::size_t i = 0; i < file.module.decls.size(); ++i) {
            const auto& decl = file.module.decls[i];
            ec.decl_order = i;
            if (const auto* s = decl.as<dsl::SettingDecl>()) check_setting(ec, *s, f);
            else if (const auto* l = decl.as<dsl::LetDecl>()) global_of(f, l)->type = ec.check(*l->value);
            else if (const auto* p = decl.as<dsl::PolicyDecl>()) check_policy(ec, *p, f);
            else if (const auto* t = decl.as<dsl::TestDecl>()) check_test(ec, *t, f, settings);
        }
    }

    Global* global_of(std::size_t f, const void* decl) {
        for (Global* g : file_globals_[f])
            if (g->decl == decl) return g;
        return nullptr;
    }

    void check_setting(ExprChecker& ec, const dsl::SettingDecl& s, std::size_t f) {
        Global* g = global_of(f, &s);
        Type declared = g->type;
        Type t = ec.check(*s.default_value, declared.is_error() ? std::nullopt : std::optional<Type>(declared));
        if (!declared.is_error() && !assignable(t, declared)) {
            ec.error(Code::E0303, s.default_value->span,
                     "the default of " + ticked(s.name.name) + " is `" + ec.name(t) + "`, but the setting is `" +
                         ec.name(declared) + "`");
        } else if (!t.is_error() && !is_constant(*s.default_value)) {
            ec.error(Code::E0303, s.default_value->span, "the default of a setting must be a constant",
                     "write a literal such as `true`, `5 MB`, `\"text\"` or `[\"a\", \"b\"]`");
        }
    }

    // ---- policies ----

    std::vector<std::uint64_t> check_scope(ExprChecker& ec, const dsl::PolicyDecl& p, const stdlib::PolicyKindDecl& kind) {
        const auto& dims = schema_.dimensions();
        std::vector<std::uint64_t> bits(dims.size());
        for (std::size_t d = 0; d < dims.size(); ++d) {
            auto members = schema_.enums()[dims[d].enum_index].members.size();
            bits[d] = d == 0 ? kind.directions : (members >= 64 ? ~0ull : (1ull << members) - 1);
        }
        std::vector<bool> seen(dims.size(), false);
        for (const auto& clause : p.scope) {
            std::size_t d = 0;
            while (d < dims.size() && dims[d].keyword != clause.keyword) ++d;
            if (seen[d]) {
                ec.error(Code::E0402, clause.keyword_span, "the scope names `" + clause.keyword + "` twice",
                         "list all values in one clause: `" + clause.keyword + " a, b`");
                continue;
            }
            seen[d] = true;
            const auto& en = schema_.enums()[dims[d].enum_index];
            std::uint64_t chosen = 0;
            for (const auto& v : clause.values) {
                auto m = en.find(v.name);
                if (!m) {
                    std::vector<std::string_view> names(en.members.begin(), en.members.end());
                    ec.error(Code::E0205, v.span, "unknown " + en.name + " " + ticked(v.name) + " in the scope",
                             did_you_mean(v.name, names));
                    continue;
                }
                chosen |= 1ull << *m;
            }
            if (d == 0) {
                std::uint64_t outside = chosen & ~static_cast<std::uint64_t>(kind.directions);
                if (outside) {
                    std::string allowed;
                    for (std::size_t i = 0; i < en.members.size(); ++i)
                        if (kind.directions & (1u << i)) allowed += (allowed.empty() ? "`" : ", `") + en.members[i] + "`";
                    ec.error(Code::E0402, clause.keyword_span,
                             "`" + kind.name + "` policies do not see every direction named here",
                             "they see " + allowed);
                }
                chosen &= kind.directions;
            }
            if (chosen) bits[d] = chosen;
        }
        return bits;
    }

    Region universe_of(CoverageAnalysis& coverage, const std::vector<std::uint64_t>& bits) {
        std::vector<std::pair<std::string, std::uint64_t>> constrained;
        for (std::size_t d = 0; d < bits.size(); ++d) constrained.push_back({schema_.dimensions()[d].path, bits[d]});
        return coverage.scope_region(constrained);
    }

    std::string describe_result_help(const stdlib::PolicyKindDecl& kind) {
        Type r = kind.result;
        std::string options;
        if (r.base == TypeKind::variant && !r.is_wrapped()) {
            for (std::size_t fi : schema_.variant_of(r).constructors) {
                const auto& fn = schema_.functions()[fi];
                options += (options.empty() ? "`" : ", `") + fn.name + (fn.callable_bare() ? "" : "(...)") + "`";
            }
        } else if (r.base == TypeKind::enumeration && !r.is_wrapped()) {
            for (const auto& m : schema_.enum_of(r).members) options += (options.empty() ? "`" : ", `") + m + "`";
        }
        return options.empty() ? "" : "use one of " + options;
    }

    void check_policy(ExprChecker& ec, const dsl::PolicyDecl& p, std::size_t f) {
        const auto* kind = schema_.find_kind(p.kind.name);
        if (!kind) {
            ec.error(Code::E0203, p.kind.span, "unknown policy kind " + ticked(p.kind.name),
                     did_you_mean(p.kind.name, schema_.kind_names()));
            return;
        }
        auto scope = check_scope(ec, p, *kind);
        ec.kind = kind;
        ec.locals.clear();
        for (const auto& let : p.lets) check_policy_let(ec, let, *kind);
        for (const auto& rule : p.rules) {
            if (rule.condition) ec.expect_type(*rule.condition, types::boolean, Code::E0302, "a rule's condition");
            Type t = ec.check(*rule.result, kind->result);
            if (!assignable(t, kind->result))
                ec.error(Code::E0304, rule.result->span,
                         "`" + kind->name + "` policies yield `" + ec.name(kind->result) + "`, found `" + ec.name(t) + "`",
                         describe_result_help(*kind));
        }
        for (const auto& local : ec.locals)
            if (local.report_unused && !local.used && ws_.files[f].requested)
                diagnostics_.report(Code::W0001, ws_.files[f].id, local.span, "unused let " + ticked(local.name),
                                    "remove it, or use it in a rule");
        ec.kind = nullptr;
        ec.locals.clear();
        analyse_rules(p, scope, ws_.files[f].id);
        policies_.push_back({&p, ws_.files[f].id, kind, scope, p.priority.value_or(0)});
        policy_file_.push_back(f);
    }

    void check_policy_let(ExprChecker& ec, const dsl::LetDecl& let, const stdlib::PolicyKindDecl& kind) {
        Type t = ec.check(*let.value);
        for (const auto& local : ec.locals) {
            if (local.name == let.name.name)
                ec.error(Code::E0400, let.name.span, ticked(let.name.name) + " is declared twice in this policy");
        }
        if (kind.find_binding(let.name.name) || let.name.name == "setting" || let.name.name == "it")
            ec.error(Code::E0400, let.name.span, ticked(let.name.name) + " is already a fact of `" + kind.name + "` policies",
                     "choose another name");
        ec.locals.push_back({let.name.name, t, let.name.span, false, true});
    }

    void analyse_rules(const dsl::PolicyDecl& p, const std::vector<std::uint64_t>& scope, FileId file) {
        // One analysis per policy: dimensions are keyed by their text, and a policy's `let x`
        // must not meet another policy's `let x` of another type.
        CoverageAnalysis coverage(schema_);
        Region universe = universe_of(coverage, scope);
        std::optional<Region> covered = Region{};
        std::vector<std::optional<Region>> regions;
        bool seen_otherwise = false;
        for (std::size_t i = 0; i < p.rules.size(); ++i) {
            const auto& rule = p.rules[i];
            if (seen_otherwise) {
                diagnostics_.report(Code::W0003, file, rule.span, "rule can never fire: it comes after `otherwise`",
                                    "move `otherwise` to the end");
                continue;
            }
            if (rule.is_otherwise()) {
                seen_otherwise = true;
                if (covered) {
                    auto rest = coverage.subtract(universe, *covered);
                    if (rest && rest->empty() && !p.rules.empty() && i > 0)
                        diagnostics_.report(Code::W0003, file, rule.span,
                                            "`otherwise` can never be reached: the rules above cover every case",
                                            "remove it");
                }
                continue;
            }
            std::optional<Region> r;
            if (!rule.condition->annotation.type.is_error()) r = coverage.region_of(*rule.condition);
            if (r) r = coverage.intersect(*r, universe);  // nullopt when too complex
            if (r && covered) report_if_shadowed(coverage, p, i, *r, *covered, regions, file);
            regions.push_back(r);
            if (covered && r) covered->insert(covered->end(), r->begin(), r->end());
            else covered.reset();
        }
        if (!seen_otherwise) {
            std::optional<Region> rest;
            if (covered) rest = coverage.subtract(universe, *covered);
            if (!rest || !rest->empty())
                diagnostics_.report(Code::E0500, file, p.kind.span,
                                    "`" + p.kind.name + "` policy may yield no result: " +
                                        (rest ? "its rules do not cover every case" : "its rules are too complex to prove they cover every case"),
                                    "add `otherwise -> ...` as its last rule");
        }
    }

    void report_if_shadowed(CoverageAnalysis& coverage_, const dsl::PolicyDecl& p, std::size_t i, const Region& r,
                            const Region& covered, const std::vector<std::optional<Region>>& earlier, FileId file) {
        const auto& rule = p.rules[i];
        if (r.empty()) {
            diagnostics_.report(Code::W0003, file, rule.condition->span,
                                "rule can never fire: its condition is never true in this policy's scope");
            return;
        }
        auto rest = coverage_.subtract(r, covered);
        if (!rest || !rest->empty()) return;
        auto& d = diagnostics_.report(Code::W0003, file, rule.condition->span,
                                      "rule can never fire: earlier rules match every case it matches",
                                      "remove it, or move it above the rules that cover it");
        for (std::size_t j = 0; j < earlier.size(); ++j) {
            if (!earlier[j]) continue;
            auto alone = coverage_.subtract(r, *earlier[j]);
            if (alone && alone->empty()) {
                d.notes.push_back({file, p.rules[j].span, "it is covered by this rule"});
                break;
            }
        }
    }

    // ---- tests ----

    void check_test(ExprChecker& ec, const dsl::TestDecl& t, std::size_t f, const std::vector<Global*>& settings) {
        std::map<std::string, Span> given;
        FileId file = ws_.files[f].id;
        for (const auto& item : t.items) {
            if (const auto* g = std::get_if<dsl::Given>(&item.item)) {
                if (auto [it, fresh] = given.emplace(g->fact.name, g->fact.span); !fresh) {
                    auto& d = diagnostics_.report(Code::E0403, file, g->fact.span, ticked(g->fact.name) + " is given twice",
                                                  "give all its fields in one `given`");
                    d.notes.push_back({file, it->second, "first given here"});
                    continue;
                }
                check_given(ec, *g, settings, file);
            } else {
                const auto& e = std::get<dsl::Expect>(item.item);
                ec.in_expect = true;
                ec.expect_type(*e.condition, types::boolean, Code::E0302, "an expectation");
                ec.in_expect = false;
            }
        }
        tests_.push_back({&t, file});
        test_file_.push_back(f);
    }

    void check_given(ExprChecker& ec, const dsl::Given& g, const std::vector<Global*>& settings, FileId file) {
        if (g.fact.name == "setting") {
            const auto& rec = std::get<dsl::RecordLit>(g.value->node);
            for (const auto& field : rec.fields) {
                auto it = std::find_if(settings.begin(), settings.end(),
                                       [&](Global* s) { return s->name->name == field.name; });
                if (it == settings.end()) {
                    std::vector<std::string_view> names;
                    for (Global* s : settings) names.push_back(s->name->name);
                    diagnostics_.report(Code::E0201, file, field.name_span, "unknown setting " + ticked(field.name),
                                        did_you_mean(field.name, names));
                    continue;
                }
                (*it)->used = true;
                ec.check_given_value(*field.value, (*it)->type);
            }
            return;
        }
        std::optional<Type> fact;
        std::vector<std::string_view> names{"setting"};
        for (const auto& k : schema_.kinds()) {
            for (const auto& b : k.bindings) {
                names.push_back(b.name);
                if (b.name == g.fact.name) fact = b.type;
            }
        }
        if (!fact) {
            diagnostics_.report(Code::E0206, file, g.fact.span, "unknown fact " + ticked(g.fact.name),
                                did_you_mean(g.fact.name, names));
            return;
        }
        if (fact->is_wrapped() || fact->base != TypeKind::record) {
            diagnostics_.report(Code::E0206, file, g.fact.span,
                                ticked(g.fact.name) + " is a `" + schema_.type_name(*fact) + "`, not a record that can be given");
            return;
        }
        ec.check_record_literal(*g.value, *fact);
    }

    // ---- whole programs ----

    CheckResult assemble_programs() {
        std::vector<bool> imported(ws_.files.size(), false);
        for (const auto& file : ws_.files)
            for (std::size_t dep : file.imports) imported[dep] = true;
        std::vector<bool> covered(ws_.files.size(), false);
        CheckResult result;
        auto add_root = [&](std::size_t f) {
            result.programs.push_back(program_for(f));
            for (std::size_t c : ws_.closure(f)) covered[c] = true;
        };
        for (std::size_t f = 0; f < ws_.files.size(); ++f)
            if (ws_.files[f].requested && !imported[f]) add_root(f);
        for (std::size_t f = 0; f < ws_.files.size(); ++f)
            if (ws_.files[f].requested && !covered[f]) add_root(f);
        return result;
    }

    Program program_for(std::size_t root) {
        Program prog;
        prog.root = root;
        auto closure = ws_.closure(root);
        std::vector<bool> in(ws_.files.size(), false);
        for (std::size_t c : closure) in[c] = true;
        const dsl::RulesetDecl* named = nullptr;
        FileId named_file = 0;
        // The root's own `ruleset` comes first, so that a second one is reported where it does not belong.
        for (std::size_t f : closure) {
            for (const auto& decl : ws_.files[f].module.decls) {
                if (const auto* r = decl.as<dsl::RulesetDecl>()) {
                    if (!named) {
                        named = r;
                        named_file = ws_.files[f].id;
                        continue;
                    }
                    auto& d = diagnostics_.report(Code::E0401, ws_.files[f].id, r->name.span,
                                                  "a ruleset has one name, but " + ticked(r->name.name) + " names it again",
                                                  "keep `ruleset` in the root file only");
                    d.notes.push_back({named_file, named->name.span, "first named here"});
                }
            }
        }
        for (std::size_t f : ws_.order) {
            if (!in[f]) continue;
            for (Global* g : file_globals_[f]) {
                if (g->kind == Global::Kind::setting)
                    prog.settings.push_back({static_cast<const dsl::SettingDecl*>(g->decl), g->file, g->type});
                else
                    prog.lets.push_back({static_cast<const dsl::LetDecl*>(g->decl), g->file, g->type});
            }
        }
        prog.name = named ? named->name.name : std::filesystem::path(ws_.files[root].path).stem().string();
        for (std::size_t i = 0; i < policies_.size(); ++i)
            if (in[policy_file_[i]]) prog.policies.push_back(policies_[i]);
        for (std::size_t i = 0; i < tests_.size(); ++i)
            if (in[test_file_[i]]) prog.tests.push_back(tests_[i]);
        check_ambiguity(prog);
        return prog;
    }

    std::string describe_overlap(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b) const {
        std::string text;
        for (std::size_t d = 0; d < a.size(); ++d) {
            const auto& en = schema_.enums()[schema_.dimensions()[d].enum_index];
            std::uint64_t both = a[d] & b[d];
            std::uint64_t all = en.members.size() >= 64 ? ~0ull : (1ull << en.members.size()) - 1;
            if (d != 0 && both == all) continue;
            std::string values;
            for (std::size_t m = 0; m < en.members.size(); ++m)
                if (both & (1ull << m)) values += (values.empty() ? "" : "/") + en.members[m];
            text += (text.empty() ? "" : " ") + values;
        }
        return text + " messages";
    }

    void check_ambiguity(const Program& prog) {
        const auto& ps = prog.policies;
        for (std::size_t i = 0; i < ps.size(); ++i) {
            for (std::size_t j = i + 1; j < ps.size(); ++j) {
                const auto& a = ps[i];
                const auto& b = ps[j];
                if (a.kind != b.kind || a.priority != b.priority) continue;
                bool overlap = true, a_in_b = true, b_in_a = true;
                for (std::size_t d = 0; d < a.scope.size(); ++d) {
                    overlap &= (a.scope[d] & b.scope[d]) != 0;
                    a_in_b &= (a.scope[d] & ~b.scope[d]) == 0;
                    b_in_a &= (b.scope[d] & ~a.scope[d]) == 0;
                }
                if (!overlap || a_in_b != b_in_a) continue;  // disjoint, or one strictly inside the other
                const auto& later = b;
                auto& d = diagnostics_.report(
                    Code::E0501, later.file, later.decl->kind.span,
                    std::string(a_in_b ? "two `" : "`") + a.kind->name +
                        (a_in_b ? "` policies have the same scope" : "` policies overlap without an order") +
                        ": both may claim " + describe_overlap(a.scope, b.scope),
                    "narrow one scope, or add `priority N` to the policy that should win (higher wins)");
                d.notes.push_back({a.file, a.decl->kind.span, "the other policy"});
            }
        }
    }

    void report_unused() {
        for (const auto& g : globals_) {
            if (g.used || !ws_.files[g.file_index].requested) continue;
            if (g.kind == Global::Kind::let)
                diagnostics_.report(Code::W0001, g.file, g.name->span, "unused let " + ticked(g.name->name),
                                    "remove it, or use it in a rule");
            else
                diagnostics_.report(Code::W0002, g.file, g.name->span, "unused setting " + ticked(g.name->name),
                                    "no rule reads it, so changing it has no effect; remove it or read `setting." +
                                        g.name->name + "`");
        }
    }

    Workspace& ws_;
    common::DiagnosticBag& diagnostics_;
    const Schema& schema_;
    std::deque<Global> globals_;
    std::vector<std::vector<Global*>> file_globals_;
    std::vector<CheckedPolicy> policies_;
    std::vector<std::size_t> policy_file_;
    std::vector<CheckedTest> tests_;
    std::vector<std::size_t> test_file_;
};

}  // namespace

CheckResult check(Workspace& workspace, common::DiagnosticBag& diagnostics, const Schema& schema) {
    return Checker(workspace, diagnostics, schema).run();
}

}  // namespace switchyard::compiler
