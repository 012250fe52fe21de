// Lowering's private declarations, shared by its files and seen by no other module (compiled
// into switchyard_compiler only). As Lua keeps the code generator (lcode.c) apart from the parser
// that drives it (lparser.c), lowering is cut along the same seams:
//   lower.cpp           the module: sources, settings, one function per policy and expectation
//   lower_fold.cpp      the constant pool, and constant folding (ModuleState::fold)
//   lower_rule_function.cpp  calls of functions written in rules, inlined
//   lower_emitter.cpp   one function's instructions, registers and line table (Emitter)
//   lower_function.cpp  rules and expressions to instructions (FunctionLowering)
//   lower_case.cpp      a test's `given` values as case JSON (CaseWriter)
//   lower_probes.cpp    the probes: which values explanations show, and where the code has them
#pragma once

#include "bytecode/module.hpp"
#include "compiler/workspace.hpp"
#include "dsl/ast.hpp"
#include "stdlib/schema.hpp"

#include <boost/json/fwd.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

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

// A limit of the bytecode was exceeded while lowering one policy.
struct TooLarge {
    Span span;
    std::string what;
};

// The checker types `none` as `none`; registers and constants hold it as `nothing?`, which fits
// every optional.
Type normalize(Type t);
Type type_of(const Expr& e);
bool is_numeric(Type t);
bool is_integer_like(Type t);
bool is_string(Type t);

// ---- the constant pool, shared by every function of the module ----

class Constants {
public:
    explicit Constants(bytecode::Module& m) : m_(m) {}

    std::uint32_t add(Constant c);
    std::uint32_t none(Type t = normalize(types::none)) { return add({t, ConstKind::none, 0, {}, {}}); }
    std::uint32_t boolean(bool b) { return add({types::boolean, ConstKind::boolean, b ? 1 : 0, {}, {}}); }
    std::uint32_t integer(Type t, std::int64_t v) { return add({t, ConstKind::integer, v, {}, {}}); }
    std::uint32_t string(std::string s) { return add({types::string, ConstKind::string, 0, std::move(s), {}}); }
    std::uint32_t compound(Type t, ConstKind kind, std::vector<std::uint32_t> parts, std::int64_t number = 0) {
        return add({t, kind, number, {}, std::move(parts)});
    }

    const Constant& at(std::uint32_t k) const { return m_.constants[k]; }

    // Structural equality of two constants, ignoring their static types (`[]` is `[]`).
    bool same(std::uint32_t a, std::uint32_t b) const;
    // A text equal for two constants exactly when same() says they are: what a set literal's
    // members are deduplicated by, in linear time.
    std::string identity(std::uint32_t k) const;

private:
    static std::string key_of(const Constant& c);

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
    std::map<const void*, std::uint16_t> contact_fields;  // SettingDecl (a `contact_field`) -> field slot
    std::map<common::FileId, std::uint32_t> files;  // -> index into module.sources
    std::map<const dsl::LetDecl*, common::FileId> let_files;  // each top-level let: the file declaring it
    std::map<const Expr*, std::optional<std::uint32_t>> folded;

    std::uint32_t line_of(common::FileId file, Span span) const { return ws.sources.file(file).locate(span.begin).line; }

    // ---- constant folding: the value of an expression that reads no fact and no setting ----

    std::optional<std::uint32_t> fold(const Expr& e);

    std::optional<std::uint32_t> fold_node(const Expr&, const dsl::IntLit& n);
    std::optional<std::uint32_t> fold_node(const Expr&, const dsl::StringLit& n);
    std::optional<std::uint32_t> fold_node(const Expr&, const dsl::BoolLit& n);
    std::optional<std::uint32_t> fold_node(const Expr&, const dsl::NoneLit&);
    std::optional<std::uint32_t> fold_node(const Expr&, const dsl::SizeLit& n);
    std::optional<std::uint32_t> fold_node(const Expr&, const dsl::DurationLit& n);
    std::optional<std::uint32_t> fold_node(const Expr&, const dsl::DateLit& n);
    std::optional<std::uint32_t> fold_node(const Expr&, const dsl::TimeOfDayLit& n);
    std::optional<std::uint32_t> fold_node(const Expr&, const dsl::TimeLit& n);
    std::optional<std::uint32_t> fold_node(const Expr& e, const dsl::Name&);
    std::optional<std::uint32_t> fold_node(const Expr& e, const dsl::Field&);
    std::optional<std::uint32_t> fold_node(const Expr& e, const dsl::Call& c);
    std::optional<std::uint32_t> fold_node(const Expr&, const dsl::Unary& u);
    std::optional<std::uint32_t> fold_node(const Expr& e, const dsl::Binary& b);
    std::optional<std::uint32_t> fold_node(const Expr& e, const dsl::ListLit& l);
    std::optional<std::uint32_t> fold_node(const Expr& e, const dsl::SetLit& s);
    std::optional<std::uint32_t> fold_node(const Expr&, const dsl::RecordLit&);
    std::optional<std::uint32_t> fold_node(const Expr&, const dsl::Where&);
    std::optional<std::uint32_t> fold_node(const Expr&, const dsl::IfElse& i);

    std::optional<std::uint32_t> fold_items(const Expr& e, const std::vector<dsl::ExprPtr>& items, ConstKind kind);

    std::uint32_t bare_constructor(std::size_t function);

    static Type key_list_type();
};

// The arguments of a checked call, per parameter of `fn`, as the checker bound them (each
// argument's `param`): several for the variadic first parameter, none for an optional one left out.
std::vector<std::vector<const Expr*>> arguments_by_parameter(const dsl::Call& c,
                                                             const stdlib::FunctionDecl& fn);

// ---- one function: registers, code, line table ----

class Emitter {
public:
    bytecode::Function f;
    std::uint32_t line = 0;
    std::uint16_t rule = bytecode::no_rule;
    Span span;  // what a TooLarge points at

    std::size_t here() const { return f.code.size(); }

    std::size_t emit(Op op, std::uint16_t a = 0, std::uint16_t b = 0, std::uint16_t c = 0);
    std::size_t emit_wide(Op op, std::uint16_t a, std::uint32_t bc);
    void patch_wide(std::size_t at, std::size_t target);
    void patch_forward(std::size_t at, std::size_t target);

    std::uint16_t alloc(RegType t);
    std::uint16_t alloc(Type t);
    // Consecutive registers (arguments of a call, items of a list).
    std::uint16_t window(const std::vector<Type>& ts);
    void release(std::uint16_t r);
    std::uint16_t fresh(RegType t);

private:
    static std::string key(const RegType& t);
    std::map<std::string, std::vector<std::uint16_t>> free_;
};

// A value in a register; temporaries go back to the pool once used.
struct Val {
    std::uint16_t reg;
    bool temp;
};

// ---- one policy or expectation: rules and expressions to instructions ----

class FunctionLowering {
public:
    FunctionLowering(ModuleState& state, common::FileId file) : s_(state), file_(file) {}

    Emitter out;

    void input(const std::string& name, Type t);
    void set_lets(const std::vector<dsl::LetDecl>& lets);
    void rules(const std::vector<dsl::Rule>& rules);
    void expectation(const Expr& condition, std::uint32_t line);

private:
    struct LetSlot {
        const dsl::LetDecl* decl;
        std::uint16_t reg;
        bool computed;
    };
    using Dst = std::optional<std::uint16_t>;

    std::vector<bool> computed_flags() const;
    void restore_flags(const std::vector<bool>& flags);
    LetSlot* find_let(std::string_view name);
    void collect_lets(const Expr& e, std::set<std::size_t>& used);
    void compute_lets_for(const Expr& e);
    void compute_let(LetSlot& slot);

    // Probes (lower_probes.cpp): a let's when it is computed; a condition's parts planned before
    // it is lowered, and given their code and register by expr() as each part is lowered.
    void probe_let(const LetSlot& slot, std::size_t start);
    void probe_top_level_let(const Expr& name, std::size_t start, Val v);
    void add_let_probe(const dsl::LetDecl& decl, common::FileId file, std::size_t start, std::uint16_t reg, Span at);
    void plan_parts(const Expr& condition, std::uint16_t parent);
    std::vector<const Expr*> parts_of(const Expr& e);
    std::uint16_t add_probe(bytecode::Probe probe, Span span);
    void probe_part(const Expr& e, std::size_t start, Val v);
    void check_parts_lowered(Span condition) const;

    void release(Val v);
    Val temp(Type t);
    void into(const Expr& e, std::uint16_t dst);
    Val expr(const Expr& e, Dst dst = std::nullopt);
    Val result(Type t, Dst dst);
    Val result(const Expr& e, Dst dst);
    Val load_constant(std::uint32_t k, Type t, Dst dst);

    Val lower(const Expr& e, const dsl::IntLit&, Dst);
    Val lower(const Expr& e, const dsl::StringLit&, Dst);
    Val lower(const Expr& e, const dsl::BoolLit&, Dst);
    Val lower(const Expr& e, const dsl::NoneLit&, Dst);
    Val lower(const Expr& e, const dsl::SizeLit&, Dst);
    Val lower(const Expr& e, const dsl::DurationLit&, Dst);
    Val lower(const Expr& e, const dsl::DateLit&, Dst);
    Val lower(const Expr& e, const dsl::TimeOfDayLit&, Dst);
    Val lower(const Expr& e, const dsl::TimeLit&, Dst);
    Val lower(const Expr& e, const dsl::RecordLit&, Dst);
    Val unreachable(const Expr& e);

    Val lower(const Expr& e, const dsl::Name& n, Dst dst);
    Val lower(const Expr& e, const dsl::Field& f, Dst dst);
    Val lower(const Expr& e, const dsl::Call& c, Dst dst);
    // A function written in rules is inlined (lower_rule_function.cpp).
    Val inline_rule_function(const Expr& e, const dsl::Call& c, Dst dst);
    std::optional<std::uint16_t> parameter(std::string_view name) const;
    Val construct(const Expr& e, const stdlib::FunctionDecl& fn, std::uint16_t index,
                  const std::vector<std::vector<const Expr*>>& params, Dst dst);
    void keys(const std::vector<const Expr*>& keys, std::uint16_t dst);
    static Type key_type(const Expr& k);
    void release_window(std::uint16_t first, std::size_t n);

    Val lower(const Expr& e, const dsl::Unary& u, Dst dst);
    Val lower(const Expr& e, const dsl::Binary& b, Dst dst);
    Val short_circuit(const dsl::Binary& b, Dst dst);
    Val compare(Op op, const Expr& lhs, const Expr& rhs, Dst dst);
    Val equality(const dsl::Binary& b, Dst dst);
    Val ordering(const dsl::Binary& b, bool swap, bool or_equal, Dst dst);
    Val membership(const dsl::Binary& b, Dst dst);
    std::optional<std::uint16_t> constant_set(const Expr& rhs);
    Val arithmetic(const Expr& e, const dsl::Binary& b, Dst dst);
    Val concat_chain(const Expr& e, Dst dst);
    void collect_concat(const Expr& e, std::vector<const Expr*>& parts);
    Val coalesce(const Expr& e, const dsl::Binary& b, Dst dst);

    Val lower(const Expr& e, const dsl::ListLit& l, Dst dst);
    Val lower(const Expr& e, const dsl::SetLit& s, Dst dst);
    Val collection(const Expr& e, const std::vector<dsl::ExprPtr>& items, Op op, Dst dst);
    Val lower(const Expr& e, const dsl::Where& w, Dst dst);
    Val lower(const Expr& e, const dsl::IfElse& i, Dst dst);

    ModuleState& s_;
    common::FileId file_;
    std::map<std::string, std::uint16_t, std::less<>> inputs_;
    std::vector<LetSlot> lets_;
    std::vector<std::uint16_t> its_;
    std::map<const Expr*, std::uint16_t> parts_;  // the parts planned and not lowered yet: their probes
    // The parameters of the rule functions being inlined, innermost last: a body sees only its own.
    std::vector<std::map<std::string, std::uint16_t, std::less<>>> parameters_;
};

// ---- tests: `given` values as case JSON ----

class CaseWriter {
public:
    explicit CaseWriter(ModuleState& s) : s_(s) {}

    boost::json::value value(const Expr& e);
    boost::json::value constant(std::uint32_t k);

private:
    ModuleState& s_;
};

}  // namespace switchyard::compiler
