#include "bytecode/module.hpp"

#include <algorithm>

namespace switchyard::bytecode {

namespace {
constexpr OpInfo op_table[] = {
#define X(name, a, b, c, effect) {#name, {Operand::a, Operand::b, Operand::c}, effect},
#include "bytecode/opcodes.def"
#undef X
};
static_assert(std::size(op_table) == op_count);

// A 32-bit operand (K, J) is b and c together: in both, never in a.
constexpr bool wide_operands_are_b_and_c() {
    for (const auto& op : op_table) {
        const auto& f = op.operands;
        if (spans_b_and_c(f[0]) || spans_b_and_c(f[1]) != spans_b_and_c(f[2]) || (spans_b_and_c(f[1]) && f[1] != f[2]))
            return false;
    }
    return true;
}
static_assert(wide_operands_are_b_and_c());
}  // namespace

const OpInfo& info(Op op) { return op_table[static_cast<std::size_t>(op)]; }

bool Footprint::reads_input(std::size_t b) const { return b < max_footprint_inputs && ((inputs >> b) & 1) != 0; }

bool Footprint::calls(std::uint16_t fn) const {
    return std::binary_search(fact_queries.begin(), fact_queries.end(), fn);
}

std::uint64_t fnv1a(std::string_view bytes, std::uint64_t seed) {
    std::uint64_t h = seed;
    for (unsigned char c : bytes) {
        h ^= c;
        h *= 0x100000001b3ull;
    }
    return h;
}

}  // namespace switchyard::bytecode
