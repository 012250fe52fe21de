// Lowering: the emitter. One function's instructions with their line table, the jumps patched
// once their targets are known, and its typed registers, reused once free. The limits of the
// bytecode's operands are met here, and reported as TooLarge.
#include "compiler/lower_impl.hpp"

namespace switchyard::compiler {

std::size_t Emitter::emit(Op op, std::uint16_t a, std::uint16_t b, std::uint16_t c) {
    f.code.push_back({op, 0, a, b, c});
    f.lines.push_back({line, rule});
    return f.code.size() - 1;
}

std::size_t Emitter::emit_wide(Op op, std::uint16_t a, std::uint32_t bc) {
    auto at = emit(op, a);
    f.code[at].set_bc(bc);
    return at;
}

void Emitter::patch_wide(std::size_t at, std::size_t target) { f.code[at].set_bc(static_cast<std::uint32_t>(target)); }

void Emitter::patch_forward(std::size_t at, std::size_t target) {
    if (target - at > bytecode::max_forward_offset)
        throw TooLarge{span, "an expression compiles to more than " + std::to_string(bytecode::max_forward_offset) +
                                 " instructions"};
    f.code[at].c = static_cast<std::uint16_t>(target - at);
}

std::uint16_t Emitter::alloc(RegType t) {
    auto& pool = free_[key(t)];
    if (!pool.empty()) {
        auto r = pool.back();
        pool.pop_back();
        return r;
    }
    return fresh(t);
}

std::uint16_t Emitter::alloc(Type t) { return alloc(RegType{t, false}); }

std::uint16_t Emitter::window(const std::vector<Type>& ts) {
    auto first = static_cast<std::uint16_t>(f.registers.size());
    for (Type t : ts) fresh({t, false});
    return first;
}

void Emitter::release(std::uint16_t r) { free_[key(f.registers[r])].push_back(r); }

std::uint16_t Emitter::fresh(RegType t) {
    if (f.registers.size() >= bytecode::max_registers)
        throw TooLarge{span, "the policy needs more than " + std::to_string(bytecode::max_registers) + " registers"};
    f.registers.push_back(t);
    return static_cast<std::uint16_t>(f.registers.size() - 1);
}

std::string Emitter::key(const RegType& t) {
    std::string k(8, '\0');
    k[0] = static_cast<char>(t.type.base);
    k[1] = static_cast<char>(t.type.decl & 0xff);
    k[2] = static_cast<char>(t.type.decl >> 8);
    k[3] = static_cast<char>(t.type.depth);
    for (std::size_t i = 0; i < 3; ++i) k[4 + i] = static_cast<char>(i < t.type.depth ? t.type.wraps[i] : Wrap::list);
    k[7] = t.builder ? 1 : 0;
    return k;
}

}  // namespace switchyard::compiler
