// The checker: declarations. Collects every file's top-level lets and settings, checks each
// file in import order (its settings, lets, policies and tests), then assembles one Program per
// root file. Expressions are checked by ExprChecker (checker_expressions.cpp, checker_names.cpp);
// policies as wholes (coverage, order) in checker_policies.cpp.
#include "compiler/checker.hpp"

#include "compiler/checker_impl.hpp"

#include <algorithm>
#include <deque>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

namespace switchyard::compiler {

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

namespace {

class Checker {
public:
    Checker(Workspace& ws, common::DiagnosticBag& diagnostics, const Schema& schema)
        : ws_(ws), diagnostics_(diagnostics), schema_(schema), file_globals_(ws.files.size()), zones_by_file_(ws.files.size()) {}

    CheckResult run() {
        collect_globals();
        for (Global& g : globals_)
            if (g.kind == Global::Kind::function) resolve_function_signature(g, schema_, diagnostics_);
        for (std::size_t f : ws_.order) check_file(f);
        report_recursion(functions(), diagnostics_);
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
                    globals_.push_back({s->contact_field ? Global::Kind::contact_field : Global::Kind::setting, &s->name, s,
                                        ws_.files[f].id, f, i});
                else if (const auto* fn = decls[i].as<dsl::FnDecl>())
                    globals_.push_back({Global::Kind::function, &fn->name, fn, ws_.files[f].id, f, i});
                else
                    continue;
                file_globals_[f].push_back(&globals_.back());
                global_of_decl_.emplace(globals_.back().decl, &globals_.back());
            }
        }
    }

    std::vector<Global*> functions() {
        std::vector<Global*> out;
        for (Global& g : globals_)
            if (g.kind == Global::Kind::function) out.push_back(&g);
        return out;
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
        if (n == "setting" || n == "it" || n == "next") what = "a reserved name";
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
            if (g->kind == Global::Kind::contact_field) resolve_contact_field_type(*g);
            if (g->kind != Global::Kind::setting) continue;
            const auto* decl = static_cast<const dsl::SettingDecl*>(g->decl);
            if (auto t = resolve_type_ref(decl->type, schema_, diagnostics_, g->file)) {
                Type base = *t;
                while (base.depth) base = base.inner();
                // People are the one record a setting holds: the configuration names employees,
                // and the server makes their records (engine::settings_json).
                bool people = base == *schema_.named_type("person");
                if ((base.base == TypeKind::record && !people) || base.base == TypeKind::variant) {
                    diagnostics_.report(Code::E0204, g->file, decl->type.span,
                                        "a setting cannot be of type `" + schema_.type_name(*t) + "`",
                                        "settings hold bool, int, string, size, duration, enums, people "
                                        "(`person?`, `list<person>`), and lists of those");
                } else {
                    g->type = *t;
                }
            }
        }
    }

    // A contact field has a type that [contact_fields] of the configuration can declare too
    // (the server compares the two when it loads the ruleset), optional or not.
    void resolve_contact_field_type(Global& g) {
        const auto* decl = static_cast<const dsl::SettingDecl*>(g.decl);
        auto t = resolve_type_ref(decl->type, schema_, diagnostics_, g.file);
        if (!t) return;
        Type plain = t->without_optional();
        if (plain == types::boolean || plain == types::integer || plain == types::string) {
            g.type = *t;
            return;
        }
        diagnostics_.report(Code::E0204, g.file, decl->type.span,
                            "a contact field cannot be of type `" + schema_.type_name(*t) + "`",
                            "contact fields hold bool, int or string, as [contact_fields] of the configuration "
                            "declares them, or one of those optional (`string?`)");
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
            if (const auto* s = decl.as<dsl::SettingDecl>()) check_setting(ec, *s);
            else if (const auto* l = decl.as<dsl::LetDecl>()) global_of(l)->type = ec.check(*l->value);
            else if (const auto* fn = decl.as<dsl::FnDecl>()) ec.check_function(*global_of(fn));
            else if (const auto* p = decl.as<dsl::PolicyDecl>()) check_policy(ec, *p, f);
            else if (const auto* t = decl.as<dsl::TestDecl>()) check_test(ec, *t, f, settings);
        }
        zones_by_file_[f] = std::move(ec.zones);
    }

    Global* global_of(const void* decl) { return global_of_decl_.at(decl); }

    void check_setting(ExprChecker& ec, const dsl::SettingDecl& s) {
        Global* g = global_of(&s);
        Type declared = g->type;
        Type t = ec.check(*s.default_value, declared.is_error() ? std::nullopt : std::optional<Type>(declared));
        const std::string what = s.contact_field ? "contact field" : "setting";
        if (!declared.is_error() && !assignable(t, declared)) {
            ec.error(Code::E0303, s.default_value->span,
                     "the default of " + ticked(s.name.name) + " is `" + ec.name(t) + "`, but the " + what + " is `" +
                         ec.name(declared) + "`");
        } else if (!t.is_error() && !is_constant(*s.default_value)) {
            ec.error(Code::E0303, s.default_value->span, "the default of a " + what + " must be a constant",
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
            if (rule.defers()) continue;  // no value: the next policy decides (check_deferrals)
            Type t = ec.check(*rule.result, kind->result);
            if (!assignable(t, kind->result))
                ec.error(Code::E0304, rule.result->span,
                         "`" + kind->name + "` policies yield `" + ec.name(kind->result) + "`, found `" + ec.name(t) + "`",
                         describe_result_help(*kind));
        }
        for (const auto& local : ec.locals)
            if (local.report_unused && !local.used && ws_.files[f].requested && !mentions(p.unparsed_names, local.name))
                diagnostics_.report(Code::W0001, ws_.files[f].id, local.span, "unused let " + ticked(local.name),
                                    "remove it, or use it in a rule");
        ec.kind = nullptr;
        ec.locals.clear();
        analyse_rules(schema_, diagnostics_, p, scope, ws_.files[f].id);
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
        if (let.name.name == "next")
            ec.error(Code::E0400, let.name.span, "`next` is a reserved name", "`-> next` defers to the next policy");
        ec.locals.push_back({let.name.name, t, let.name.span, false, true});
    }

    // ---- tests ----

    void check_test(ExprChecker& ec, const dsl::TestDecl& t, std::size_t f, const std::vector<Global*>& settings) {
        std::map<std::string, Span> given;
        FileId file = ws_.files[f].id;
        // `switchyard test` reports tests by name: two with one name could not be told apart.
        if (auto [first, fresh] = test_names_.emplace(t.name, std::pair{file, t.name_span}); !fresh) {
            auto& d = diagnostics_.report(Code::E0400, file, t.name_span, "test " + quoted(t.name) + " is declared twice",
                                          "name each test after what it shows");
            d.notes.push_back({first->second.first, first->second.second, "first declared here"});
        }
        if (std::none_of(t.items.begin(), t.items.end(), [](const auto& item) { return std::holds_alternative<dsl::Expect>(item.item); }))
            diagnostics_.report(Code::E0405, file, t.name_span, "test " + quoted(t.name) + " expects nothing: it cannot fail",
                                "add what the rules must decide: `expect KIND == VALUE`");
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

    static std::string quoted(const std::string& name) { return "\"" + name + "\""; }

    void check_given(ExprChecker& ec, const dsl::Given& g, const std::vector<Global*>& settings, FileId file) {
        if (g.fact.name == "setting") {
            const auto& rec = std::get<dsl::RecordLit>(g.value->node);
            for (const auto& field : rec.fields) {
                // `settings` is sorted by name (settings_of walks the environment in order).
                auto it = std::lower_bound(settings.begin(), settings.end(), field.name,
                                           [](Global* s, const std::string& n) { return s->name->name < n; });
                if (it == settings.end() || (*it)->name->name != field.name) {
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
        bool is_record = !fact->is_wrapped() && fact->base == TypeKind::record;
        if (is_record && g.assigned) {
            diagnostics_.report(Code::E0206, file, g.fact.span,
                                ticked(g.fact.name) + " is a record: give its fields in braces",
                                "write `given " + g.fact.name + " { field: value }`");
            return;
        }
        if (!is_record && !g.assigned) {
            diagnostics_.report(Code::E0206, file, g.fact.span,
                                ticked(g.fact.name) + " is a `" + schema_.type_name(*fact) + "`, not a record with fields",
                                "give its value: `given " + g.fact.name + " = " +
                                    (*fact == types::time ? std::string("2026-12-07T10:00+03:00") : std::string("…")) + "`");
            return;
        }
        if (g.assigned) ec.check_given_value(*g.value, *fact);
        else ec.check_record_literal(*g.value, *fact);
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
                if (g->kind == Global::Kind::function) continue;  // inlined where called: nothing to assemble
                if (g->kind == Global::Kind::setting)
                    prog.settings.push_back({static_cast<const dsl::SettingDecl*>(g->decl), g->file, g->type});
                else if (g->kind == Global::Kind::contact_field)
                    prog.contact_fields.push_back({static_cast<const dsl::SettingDecl*>(g->decl), g->file, g->type});
                else
                    prog.lets.push_back({static_cast<const dsl::LetDecl*>(g->decl), g->file, g->type});
            }
        }
        prog.name = named ? named->name.name : std::filesystem::path(ws_.files[root].path).stem().string();
        std::set<std::string> zones;
        for (std::size_t c : closure) zones.insert(zones_by_file_[c].begin(), zones_by_file_[c].end());
        prog.zones.assign(zones.begin(), zones.end());
        for (std::size_t i = 0; i < policies_.size(); ++i)
            if (in[policy_file_[i]]) prog.policies.push_back(policies_[i]);
        for (std::size_t i = 0; i < tests_.size(); ++i)
            if (in[test_file_[i]]) prog.tests.push_back(tests_[i]);
        check_policy_order(schema_, diagnostics_, prog.policies);
        check_deferrals(prog.policies, schema_, diagnostics_);
        return prog;
    }

    static bool mentions(const std::vector<std::string>& sorted_words, const std::string& name) {
        return std::binary_search(sorted_words.begin(), sorted_words.end(), name);
    }

    // Text skipped after a syntax error may read a name: the name counts as used in every file
    // that such a file sees.
    void mark_names_in_unparsed_text() {
        for (std::size_t f = 0; f < ws_.files.size(); ++f) {
            const auto& words = ws_.files[f].module.unparsed_names;
            if (words.empty()) continue;
            for (std::size_t seen : ws_.closure(f))
                for (Global* g : file_globals_[seen])
                    if (mentions(words, g->name->name)) g->used = true;
        }
    }

    void report_unused() {
        mark_names_in_unparsed_text();
        for (const auto& g : globals_) {
            if (g.used || !ws_.files[g.file_index].requested) continue;
            if (g.kind == Global::Kind::function)
                diagnostics_.report(Code::W0006, g.file, g.name->span, "unused function " + ticked(g.name->name),
                                    "remove it, or call it in a rule");
            else if (g.kind == Global::Kind::let)
                diagnostics_.report(Code::W0001, g.file, g.name->span, "unused let " + ticked(g.name->name),
                                    "remove it, or use it in a rule");
            else if (g.kind == Global::Kind::contact_field)
                diagnostics_.report(Code::W0007, g.file, g.name->span, "unused contact field " + ticked(g.name->name),
                                    "no rule reads it, so the server need not load it; remove it or read `contact.fields." +
                                        g.name->name + "`");
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
    std::vector<std::set<std::string>> zones_by_file_;  // the time zones each file names
    std::unordered_map<const void*, Global*> global_of_decl_;  // by declaration: a file may have thousands
    std::vector<CheckedPolicy> policies_;
    std::vector<std::size_t> policy_file_;
    std::vector<CheckedTest> tests_;
    std::map<std::string, std::pair<FileId, Span>> test_names_;  // every test of the run, by name: the first
    std::vector<std::size_t> test_file_;
};

}  // namespace

CheckResult check(Workspace& workspace, common::DiagnosticBag& diagnostics, const Schema& schema) {
    return Checker(workspace, diagnostics, schema).run();
}

}  // namespace switchyard::compiler
