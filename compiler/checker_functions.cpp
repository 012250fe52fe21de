// The checker: functions written in rules. `fn name(p: T, ...) -> R = body` is checked like a
// top-level let whose names include its parameters; a call is bound like a built-in call (by
// position or by name), so its errors read alike. Bodies cannot read facts (they are checked
// outside any policy), and calls may not form a cycle, so inlining them terminates.
#include "compiler/checker_impl.hpp"

#include <algorithm>
#include <set>

namespace switchyard::compiler {

namespace {

const dsl::FnDecl& declaration(const Global& fn) { return *static_cast<const dsl::FnDecl*>(fn.decl); }

// `a` -> `b` -> `a`
std::string describe_cycle(const std::vector<const Global*>& cycle) {
    std::string text;
    for (const Global* g : cycle) text += (text.empty() ? "" : " -> ") + ticked(g->name->name);
    return text + " -> " + ticked(cycle.front()->name->name);
}

// Depth-first search over the calls; a call back into the current path closes a cycle.
class CycleFinder {
public:
    explicit CycleFinder(common::DiagnosticBag& diagnostics) : diagnostics_(diagnostics) {}

    void visit(const Global* fn) {
        if (done_.count(fn)) return;
        auto on_path = std::find(path_.begin(), path_.end(), fn);
        if (on_path != path_.end()) {
            report(std::vector<const Global*>(on_path, path_.end()));
            return;
        }
        path_.push_back(fn);
        for (const Global* callee : fn->callees) visit(callee);
        path_.pop_back();
        done_.insert(fn);
    }

private:
    // Reported once per cycle, at the function of the cycle declared first in the search.
    void report(const std::vector<const Global*>& cycle) {
        const Global* first = cycle.front();
        std::string others;
        for (std::size_t i = 1; i < cycle.size(); ++i) others += (i > 1 ? ", " : "") + ticked(cycle[i]->name->name);
        std::string message = ticked(first->name->name) + " calls itself" +
                              (cycle.size() == 1 ? "" : " through " + others + ": " + describe_cycle(cycle));
        auto& d = diagnostics_.report(Code::E0406, first->file, first->name->span, message,
                                      "functions cannot be recursive: every call must end, and the cost of a "
                                      "policy must be known before it runs");
        for (std::size_t i = 1; i < cycle.size(); ++i)
            d.notes.push_back({cycle[i]->file, cycle[i]->name->span, ticked(cycle[i]->name->name) + " is part of it"});
    }

    common::DiagnosticBag& diagnostics_;
    std::vector<const Global*> path_;
    std::set<const Global*> done_;
};

}  // namespace

void resolve_function_signature(Global& fn, const Schema& schema, common::DiagnosticBag& diagnostics) {
    const auto& decl = declaration(fn);
    stdlib::FunctionDecl signature{decl.name.name, {}, types::error, stdlib::FunctionRole::builtin, false, {}};
    for (const auto& p : decl.params) {
        auto t = resolve_type_ref(p.type, schema, diagnostics, fn.file);
        signature.params.push_back({p.name.name, t.value_or(types::error), false});
    }
    if (auto t = resolve_type_ref(decl.result, schema, diagnostics, fn.file)) signature.result = *t;
    fn.type = signature.result;
    fn.signature = std::move(signature);
}

void report_recursion(const std::vector<Global*>& functions, common::DiagnosticBag& diagnostics) {
    CycleFinder finder(diagnostics);
    for (const Global* fn : functions) finder.visit(fn);
}

// The body sees the parameters, settings, the lets above it and the functions of the program;
// no facts (it is checked outside any policy), so it is pure.
void ExprChecker::check_function(Global& fn) {
    const auto& decl = declaration(fn);
    kind = nullptr;
    locals.clear();
    for (std::size_t i = 0; i < decl.params.size(); ++i) {
        const auto& p = decl.params[i];
        bool again = std::any_of(decl.params.begin(), decl.params.begin() + static_cast<std::ptrdiff_t>(i),
                                 [&](const dsl::Param& q) { return q.name.name == p.name.name; });
        if (again) error(Code::E0400, p.name.span, ticked(p.name.name) + " is declared twice", "rename one parameter");
        if (p.name.name == "it" || p.name.name == "setting")
            error(Code::E0400, p.name.span, ticked(p.name.name) + " is a reserved name", "choose another name");
        locals.push_back({p.name.name, fn.signature->params[i].type, p.name.span});
    }
    function = &fn;
    Type declared = fn.signature->result;
    Type body = check(*decl.body, declared.is_error() ? std::nullopt : std::optional<Type>(declared));
    function = nullptr;
    locals.clear();
    if (!declared.is_error() && !body.is_error() && !assignable(body, declared))
        error(Code::E0300, decl.body->span,
              ticked(decl.name.name) + " returns `" + name(declared) + "`, but its body is `" + name(body) + "`",
              "change the result type after `->`, or the body");
}

Global* ExprChecker::visible_function(std::string_view id) const {
    auto it = env_.find(id);
    if (it == env_.end() || it->second->kind != Global::Kind::function || !it->second->signature) return nullptr;
    return it->second;
}

Type ExprChecker::call_rule_function(const Expr& e, const dsl::Call& c, Global& fn) {
    fn.used = true;
    if (function) function->callees.push_back(&fn);
    e.annotation.ref = dsl::RefKind::rule_function;
    e.annotation.target = fn.decl;
    bind_arguments(e, c, *fn.signature);
    return fn.signature->result;
}

}  // namespace switchyard::compiler
