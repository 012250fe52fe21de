// Lowering: a checked program to a compiled ruleset. This file lowers the module (its sources,
// settings, policies and tests); lower_impl.hpp lists the files that do the rest.
#include "compiler/lower.hpp"

#include "bytecode/footprint.hpp"
#include "compiler/lower_impl.hpp"
#include "compiler/timezones.hpp"

#include <boost/json.hpp>

namespace switchyard::compiler {

namespace {

class Lowering {
public:
    Lowering(const Workspace& ws, const Program& program, common::DiagnosticBag& diagnostics, const stdlib::Schema& schema)
        : ws_(ws),
          program_(program),
          diagnostics_(diagnostics),
          state_{ws, schema, module_, Constants(module_), {}, {}, {}, {}, {}} {}

    std::optional<bytecode::Module> run(const LowerOptions& options) {
        module_.name = program_.name;
        module_.schema_hash = state_.schema.fingerprint();
        sources();
        settings();
        contact_fields();
        for (const auto& p : program_.policies) guarded(p.file, p.decl->kind.span, [&] { policy(p); });
        if (options.include_tests)
            for (const auto& t : program_.tests) guarded(t.file, t.decl->name_span, [&] { test(t); });
        zones();
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
            module_.sources.push_back({file.path, bytecode::fnv1a(text), std::string(text)});
            hash = bytecode::fnv1a(file.path, hash);
            hash = bytecode::fnv1a(text, hash);
        }
        module_.source_hash = hash;
        for (const auto& l : program_.lets) state_.let_files[l.decl] = l.file;
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

    // The fields of `contact.fields`, in the program's order: field slot i is the i-th.
    void contact_fields() {
        if (program_.contact_fields.size() > bytecode::max_contact_fields) {
            const auto& f = program_.contact_fields[bytecode::max_contact_fields];
            diagnostics_.report(Code::E0700, f.file, f.decl->name.span,
                                "the ruleset declares more than " + std::to_string(bytecode::max_contact_fields) +
                                    " contact fields",
                                "a field slot is a 16-bit operand of `get_field`");
            failed_ = true;
            return;
        }
        for (const auto& f : program_.contact_fields) {
            auto k = state_.fold(*f.decl->default_value);
            state_.contact_fields[f.decl] = static_cast<std::uint16_t>(module_.contact_fields.size());
            module_.contact_fields.push_back({f.decl->name.name, f.type, k ? *k : state_.constants.none(f.type.optional()),
                                              f.decl->description.value_or("")});
        }
    }

    // The zones the rules name, as the checker read them: the ruleset carries them.
    void zones() {
        for (const auto& name : program_.zones)
            if (auto zone = read_zone(name); auto* z = std::get_if<bytecode::Zone>(&zone)) module_.zones.push_back(std::move(*z));
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
