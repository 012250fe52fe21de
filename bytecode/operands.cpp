#include "bytecode/operands.hpp"

namespace switchyard::bytecode {

std::optional<std::uint16_t> operand_in(const Instr& instr, Operand format) {
    const auto& formats = info(instr.op).operands;
    const std::uint16_t values[3] = {instr.a, instr.b, instr.c};
    for (std::size_t k = 0; k < 3; ++k)
        if (formats[k] == format) return values[k];
    return std::nullopt;
}

std::size_t argument_count(const Instr& instr, const stdlib::Schema& schema) {
    auto fn = operand_in(instr, Operand::H);
    if (!fn) fn = operand_in(instr, Operand::V);
    if (!fn || *fn >= schema.functions().size()) return 0;
    return schema.functions()[*fn].params.size();
}

std::vector<std::size_t> registers_read(const Instr& instr, const stdlib::Schema& schema) {
    std::vector<std::size_t> read;
    for_each_register(instr, schema, [&](RegisterUse use) {
        if (use.read) read.push_back(use.reg);
    });
    return read;
}

std::optional<std::size_t> jump_target(const Instr& instr, std::size_t pc) {
    std::optional<std::size_t> target;
    for_each_operand(instr, [&](Operand format, std::uint32_t value) {
        if (format == Operand::J) target = value;
        if (format == Operand::O) target = pc + value;
    });
    return target;
}

}  // namespace switchyard::bytecode
