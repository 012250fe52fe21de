// Lowering: a call of a function written in rules is inlined. Its arguments are computed into
// registers of the parameters' types, then its body is lowered in their place, once per call.
// No call instruction, no frames: the VM stays allocation-free, and since calls cannot be
// recursive (E0406) the code is finite and straight-line like every other expression, its size
// bounded by the bytecode's limits (E0700).
#include "compiler/lower_impl.hpp"

#include <stdexcept>

namespace switchyard::compiler {

namespace {

// A type as written in a checked program (the checker resolved it once already).
Type resolved(const dsl::TypeRef& ref, const stdlib::Schema& schema) {
    std::optional<Type> t;
    if (ref.name == "list" || ref.name == "set")
        t = resolved(ref.args.at(0), schema).wrapped(ref.name == "list" ? stdlib::Wrap::list : stdlib::Wrap::set);
    else
        t = schema.named_type(ref.name);
    if (t && ref.optional) t = t->wrapped(stdlib::Wrap::optional);
    if (!t) throw std::logic_error("lowering: an unchecked type `" + ref.name + "`");
    return *t;
}

}  // namespace

std::optional<std::uint16_t> FunctionLowering::parameter(std::string_view name) const {
    const auto& frame = parameters_.back();
    auto it = frame.find(name);
    if (it == frame.end()) return std::nullopt;
    return it->second;
}

Val FunctionLowering::inline_rule_function(const Expr& e, const dsl::Call& c, Dst dst) {
    const auto& fn = *static_cast<const dsl::FnDecl*>(e.annotation.target);
    std::map<std::string, std::uint16_t, std::less<>> frame;
    std::vector<std::uint16_t> registers;
    for (std::size_t a = 0; a < c.args.size(); ++a) {
        const auto& param = fn.params.at(c.args[a].param);
        // The parameter's declared type, which the body's instructions were typed against.
        std::uint16_t reg = out.alloc(resolved(param.type, s_.schema));
        into(*c.args[a].value, reg);
        frame.emplace(param.name.name, reg);
        registers.push_back(reg);
    }
    Val v = result(e, dst);
    parameters_.push_back(std::move(frame));
    into(*fn.body, v.reg);
    parameters_.pop_back();
    for (std::uint16_t reg : registers) out.release(reg);
    return v;
}

}  // namespace switchyard::compiler
