// Lowering: the probes (bytecode::Probe), the debug information that lets an explanation show
// the value of each `let` and of each part of a rule's condition. They cost the hot path
// nothing: the code is the same with or without them, and the interpreter reads them only
// when asked for values. A probe names the code that computes its value and the register
// that holds it when that code has run, so what an explanation shows is what the VM computed.
#include "compiler/lower_impl.hpp"

#include "dsl/formatter.hpp"

namespace switchyard::compiler {

namespace {

// The operands of a chain of one operator: `a and b and c` is three parts, not `(a and b)`
// and `c`, since that is how a person reads it. A link that folds to a constant (`false and
// b`) is one part: its operands have no code.
template <typename Folds>
void chain(const Expr& e, dsl::BinaryOp op, std::vector<const Expr*>& parts, const Folds& folds) {
    const auto* b = e.as<dsl::Binary>();
    if (b && b->op == op && !folds(e)) {
        chain(*b->lhs, op, parts, folds);
        chain(*b->rhs, op, parts, folds);
        return;
    }
    parts.push_back(&e);
}

}  // namespace

std::uint16_t FunctionLowering::add_probe(bytecode::Probe probe, Span span) {
    auto& probes = out.f.probes;
    if (probes.size() >= bytecode::max_probes_per_function)
        throw TooLarge{span, "the policy has more than " + std::to_string(bytecode::max_probes_per_function) +
                                 " lets and condition parts"};
    probes.push_back(std::move(probe));
    return static_cast<std::uint16_t>(probes.size() - 1);
}

// A let's value: in `reg` once the code from `start` to here has run, declared in `file`.
void FunctionLowering::add_let_probe(const dsl::LetDecl& decl, common::FileId file, std::size_t start, std::uint16_t reg,
                                     Span at) {
    bytecode::Probe p;
    p.kind = bytecode::ProbeKind::let;
    p.rule = out.rule;
    p.start = static_cast<std::uint32_t>(start);
    p.end = static_cast<std::uint32_t>(out.here());
    p.reg = reg;
    p.line = s_.line_of(file, decl.name.span);
    p.file = static_cast<std::uint16_t>(s_.files.at(file));
    p.text = decl.name.name;
    add_probe(std::move(p), at);
}

void FunctionLowering::probe_let(const LetSlot& slot, std::size_t start) {
    add_let_probe(*slot.decl, file_, start, slot.reg, slot.decl->name.span);
}

// A top-level let has no register of its own: it is computed (or its constant loaded) where a
// policy reads it, and that value is the let's. Its declaration may be in another file.
void FunctionLowering::probe_top_level_let(const Expr& name, std::size_t start, Val v) {
    const auto& decl = *static_cast<const dsl::LetDecl*>(name.annotation.target);
    if (auto file = s_.let_files.find(&decl); file != s_.let_files.end()) add_let_probe(decl, file->second, start, v.reg, name.span);
}

// The parts of a condition an admin wants to see separately: the operands of `and` and `or`,
// the operand of `not`. Nothing inside a comparison or a call: there the facts read (`read`)
// already say what went in. A constant has no parts: no code computes them.
std::vector<const Expr*> FunctionLowering::parts_of(const Expr& e) {
    std::vector<const Expr*> parts;
    if (s_.fold(e)) return parts;
    if (const auto* b = e.as<dsl::Binary>(); b && (b->op == dsl::BinaryOp::logical_and || b->op == dsl::BinaryOp::logical_or)) {
        auto folds = [this](const Expr& x) { return s_.fold(x).has_value(); };
        chain(*b->lhs, b->op, parts, folds);
        chain(*b->rhs, b->op, parts, folds);
    } else if (const auto* u = e.as<dsl::Unary>(); u && u->op == dsl::UnaryOp::logical_not) {
        parts.push_back(u->operand.get());
    }
    return parts;
}

// Probes for the parts of `e`, each before its own parts, so a part's parent comes first. Their
// code is not known yet: expr() fills it in as it lowers each part.
void FunctionLowering::plan_parts(const Expr& e, std::uint16_t parent) {
    for (const Expr* part : parts_of(e)) {
        bytecode::Probe p;
        p.kind = bytecode::ProbeKind::part;
        p.rule = out.rule;
        p.parent = parent;
        p.line = s_.line_of(file_, part->span);
        p.file = static_cast<std::uint16_t>(out.f.file);
        p.text = dsl::print_expr(*part);
        auto index = add_probe(std::move(p), part->span);
        parts_[part] = index;
        plan_parts(*part, index);
    }
}

// `e` has just been lowered from instruction `start` on, into `v`: if it is a planned part, its
// value is in v.reg whenever control reaches here() from that code.
void FunctionLowering::probe_part(const Expr& e, std::size_t start, Val v) {
    auto planned = parts_.find(&e);
    if (planned == parts_.end()) return;
    auto& p = out.f.probes[planned->second];
    p.start = static_cast<std::uint32_t>(start);
    p.end = static_cast<std::uint32_t>(out.here());
    p.reg = v.reg;
    parts_.erase(planned);
}

// A planned part that was never lowered would have no code, and its probe would show a
// register's stale value: refused here rather than shown.
void FunctionLowering::check_parts_lowered(Span condition) const {
    if (!parts_.empty()) throw TooLarge{condition, "internal error: a part of the condition was not lowered"};
}

}  // namespace switchyard::compiler
