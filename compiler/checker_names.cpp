// The checker: what names, fields and calls refer to. Locals, facts, lets, settings, enum
// members and constructors are resolved in that order; a call's arguments are bound to the
// function's parameters, and the binding recorded for lowering.
#include "compiler/checker_impl.hpp"
#include "compiler/timezones.hpp"

#include "common/text.hpp"

#include <algorithm>

namespace switchyard::compiler {

Local* ExprChecker::find_local(std::string_view id) {
    for (auto it = locals.rbegin(); it != locals.rend(); ++it)
        if (it->name == id) return &*it;
    return nullptr;
}

Global* ExprChecker::visible_global(std::string_view id) const {
    auto it = env_.find(id);
    if (it == env_.end() || it->second->kind != Global::Kind::let) return nullptr;
    Global* g = it->second;
    if (g->file_index == file_index && g->order >= decl_order) return nullptr;  // declared later
    return g;
}

bool ExprChecker::is_value_name(std::string_view id) {
    return find_local(id) || (kind && kind->find_binding(id)) || visible_global(id) || kind_result(id);
}

std::optional<Type> ExprChecker::kind_result(std::string_view id) const {
    if (!in_expect) return std::nullopt;
    if (const auto* k = schema_.find_kind(id)) return k->result;
    return std::nullopt;
}

// `attach`, `new_task`, `group`: an enum member or a constructor without arguments.
std::optional<Type> ExprChecker::resolve_member(const Expr& e, std::string_view id, std::optional<Type> hint) {
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

std::optional<Type> ExprChecker::resolve_unique_member(const Expr& e, std::string_view id) {
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

std::vector<std::string_view> ExprChecker::name_candidates(std::optional<Type> hint) const {
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

Type ExprChecker::visit(const Expr& e, const dsl::Name& n, std::optional<Type> expected) {
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

void ExprChecker::report_unknown_name(const Expr& e, std::string_view id, std::optional<Type> hint) {
    auto it = env_.find(id);
    if (it != env_.end() && it->second->kind == Global::Kind::let) {
        error(Code::E0200, e.span, ticked(id) + " is used before it is declared",
              "move `let " + std::string(id) + "` above this use");
        return;
    }
    if (it != env_.end() && it->second->kind == Global::Kind::function) {
        error(Code::E0200, e.span, ticked(id) + " is a function", "call it: `" + std::string(id) + "(...)`");
        return;
    }
    if (it != env_.end() && it->second->kind == Global::Kind::contact_field) {
        error(Code::E0200, e.span, ticked(id) + " is a contact field",
              "write `contact.fields." + std::string(id) + "` in a policy that reads `contact`");
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
            std::string help = kind ? "`" + kind->name + "` policies read " + reads
                                    : "facts such as `" + std::string(id) + "` are read inside policies";
            if (function)  // a function is pure: what it needs comes in through its parameters
                help = "a function reads only its parameters: add one, and pass `" + std::string(id) + "` in the call";
            error(Code::E0200, e.span, ticked(id) + " is not available " + where, help);
            return;
        }
    }
    if (schema_.find_function(id)) {
        error(Code::E0200, e.span, ticked(id) + " is a function", "call it: `" + std::string(id) + "(...)`");
        return;
    }
    auto help = did_you_mean(id, name_candidates(hint));
    // Where an enum's value is expected, its values are the answer: say them all.
    if (hint && hint->base == TypeKind::enumeration) {
        const auto& en = schema_.enum_of(*hint);
        help += (help.empty() ? "" : " ") + ticked(en.name) + " is one of " + common::join(en.members, ", ");
    }
    error(Code::E0200, e.span, "unknown name " + ticked(id), help);
}

Type ExprChecker::visit(const Expr& e, const dsl::Field& f, std::optional<Type>) {
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
    if (!optional && base.is_scalar(TypeKind::variant)) return result_field(e, f, base);
    if (base.is_wrapped() || base.base != TypeKind::record) {
        std::string help = base.is_collection() ? "use `where` to pick items, or `count(...)`, `any(...)`" : "";
        error(Code::E0305, f.name_span, "`." + f.name + "` needs a record, but this is `" + name(object) + "`", help);
        return types::error;
    }
    const auto& rec = schema_.record_of(base);
    if (rec.declared_by_rules) {
        Type t = contact_field(e, f);
        return optional && !t.is_error() ? t.optional() : t;
    }
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

// `routing.project`, `delivery.reason`: an argument of the result's constructor, by name;
// `none` when its constructor has no such parameter.
Type ExprChecker::result_field(const Expr& e, const dsl::Field& f, Type result) {
    auto fields = schema_.result_fields(result.decl);
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (fields[i].name != f.name) continue;
        e.annotation.ref = dsl::RefKind::field;
        e.annotation.index = static_cast<std::uint32_t>(i);
        return fields[i].type;
    }
    std::vector<std::string_view> names;
    for (const auto& field : fields) names.push_back(field.name);
    std::string known;
    for (const auto& n : names) known += (known.empty() ? "`" : ", `") + std::string(n) + "`";
    auto suggestion = did_you_mean(f.name, names);
    error(Code::E0201, f.name_span, "`" + name(result) + "` has no field " + ticked(f.name),
          names.empty() ? "its constructors take no arguments: compare it with one (`== send`)"
                        : (suggestion.empty() ? "" : suggestion + " ") + "its fields are the arguments of its constructors: " + known);
    return types::error;
}

Type ExprChecker::setting_field(const Expr& e, const dsl::Field& f) {
    f.object->annotation.ref = dsl::RefKind::setting;
    // The environment, not a scan of `settings_`: a ruleset may have thousands of settings.
    if (auto it = env_.find(f.name); it != env_.end() && it->second->kind == Global::Kind::setting) {
        Global* s = it->second;
        s->used = true;
        e.annotation.ref = dsl::RefKind::setting;
        e.annotation.target = s->decl;
        return s->type;
    }
    std::vector<std::string_view> names;
    for (Global* s : settings_) names.push_back(s->name->name);
    error(Code::E0201, f.name_span, "unknown setting " + ticked(f.name),
          names.empty() ? "declare it: `setting " + f.name + ": bool = false`" : did_you_mean(f.name, names));
    return types::error;
}

// `contact.fields.tier`: a field the rules declare with `contact_field`, not the schema. The
// annotation names the declaration; lowering turns it into the field's place in the ruleset.
Type ExprChecker::contact_field(const Expr& e, const dsl::Field& f) {
    if (auto it = env_.find(f.name); it != env_.end() && it->second->kind == Global::Kind::contact_field) {
        Global* g = it->second;
        g->used = true;
        e.annotation.ref = dsl::RefKind::contact_field;
        e.annotation.target = g->decl;
        return g->type;
    }
    auto names = contact_field_names();
    error(Code::E0201, f.name_span, "unknown contact field " + ticked(f.name),
          names.empty() ? "declare it: `contact_field " + f.name + ": string = \"\"`, and in [contact_fields] of the configuration"
                        : did_you_mean(f.name, names));
    return types::error;
}

std::vector<std::string_view> ExprChecker::contact_field_names() const {
    std::vector<std::string_view> names;
    for (const auto& [n, g] : env_)
        if (g->kind == Global::Kind::contact_field) names.push_back(n);
    return names;
}

// Matches an argument type against a parameter pattern, binding the type variable `T`.
bool ExprChecker::matches(Type param, Type arg, std::optional<Type>& bound) const {
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

Type ExprChecker::visit(const Expr& e, const dsl::Call& c, std::optional<Type>) {
    if (Global* fn = visible_function(c.callee)) return call_rule_function(e, c, *fn);
    auto index = schema_.find_function(c.callee);
    if (!index) {
        for (const auto& a : c.args) check(*a.value);
        auto names = schema_.function_names();
        for (const auto& [n, g] : env_)
            if (g->kind == Global::Kind::function) names.push_back(n);
        std::string help = did_you_mean(c.callee, names);
        error(Code::E0202, c.callee_span, "unknown function " + ticked(c.callee), help);
        return types::error;
    }
    const auto& fn = schema_.functions()[*index];
    e.annotation.ref = dsl::RefKind::function;
    e.annotation.index = static_cast<std::uint32_t>(*index);
    bind_arguments(e, c, fn);
    if (fn.name == "matches") check_pattern_argument(c);
    return fn.result;
}

void ExprChecker::bind_arguments(const Expr& e, const dsl::Call& c, const stdlib::FunctionDecl& fn) {
    std::vector<bool> given(fn.params.size(), false);
    std::optional<Type> bound;
    std::size_t next_positional = 0;
    // Only error help shows the signature: build it then, not for every call.
    auto signature = [&] { return fn.signature(schema_); };
    for (const auto& arg : c.args) arg.param = dsl::unbound_argument;
    for (std::size_t a = 0; a < c.args.size(); ++a) {
        const auto& arg = c.args[a];
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
        arg.param = static_cast<std::uint32_t>(*p);
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
        else if (param.time_zone)
            check_time_zone(*arg.value);
    }
    for (std::size_t i = 0; i < fn.params.size(); ++i) {
        if (!given[i] && !fn.params[i].optional)
            error(Code::E0301, e.span, "missing argument " + ticked(fn.params[i].name) + " of " + ticked(fn.name),
                  "the signature is `" + signature() + "`");
    }
}

// The compiler puts the zone into the compiled ruleset, so it must be known now: a string
// written in the rules, directly or through lets.
void ExprChecker::check_time_zone(const Expr& arg) {
    const Expr* e = &arg;
    for (int hops = 0; hops < 32 && e->annotation.ref == dsl::RefKind::let && e->annotation.target; ++hops)
        e = static_cast<const dsl::LetDecl*>(e->annotation.target)->value.get();
    const auto* literal = e->as<dsl::StringLit>();
    if (!literal) {
        error(Code::E0207, arg.span, "the time zone must be written in the rules",
              "write its name, such as \"Europe/Moscow\", or a `let` that holds one: the compiled ruleset carries the "
              "zone's rules");
        return;
    }
    auto zone = read_zone(literal->value);
    if (const auto* why = std::get_if<std::string>(&zone)) {
        const auto& all = zone_names();
        std::vector<std::string_view> names(all.begin(), all.end());
        error(Code::E0207, arg.span, *why, did_you_mean(literal->value, names));
        return;
    }
    zones.insert(literal->value);
}

}  // namespace switchyard::compiler
