#include "bytecode/module.hpp"

namespace switchyard::bytecode {

namespace {
constexpr OpInfo op_table[] = {
#define X(name, a, b, c, effect) {#name, {Operand::a, Operand::b, Operand::c}, effect},
#include "bytecode/opcodes.def"
#undef X
};
static_assert(std::size(op_table) == op_count);
}  // namespace

const OpInfo& info(Op op) { return op_table[static_cast<std::size_t>(op)]; }

std::uint64_t fnv1a(std::string_view bytes, std::uint64_t seed) {
    std::uint64_t h = seed;
    for (unsigned char c : bytes) {
        h ^= c;
        h *= 0x100000001b3ull;
    }
    return h;
}

}  // namespace switchyard::bytecode
