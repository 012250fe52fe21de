// What an instruction's operands name, read from their formats in opcodes.def: the registers
// it reads and writes (windows included), where it may jump, its other operands one by one.
// The footprint and the verifier see instructions only through these, so neither keeps a list
// of opcodes that a new opcode could be missing from.
#pragma once

#include "bytecode/module.hpp"
#include "stdlib/schema.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace switchyard::bytecode {

// The value of the first operand of `instr` in `format`, or nothing.
std::optional<std::uint16_t> operand_in(const Instr& instr, Operand format);

// Calls `each(format, value)` for each operand of `instr` but the unused ones, in order; an
// operand that spans b and c is one call, with the value bc.
template <typename F>
void for_each_operand(const Instr& instr, F&& each) {
    const auto& formats = info(instr.op).operands;
    const std::uint32_t values[3] = {instr.a, instr.b, instr.c};
    for (std::size_t k = 0; k < 3; ++k) {
        if (formats[k] == Operand::_) continue;
        if (spans_b_and_c(formats[k])) {
            each(formats[k], instr.bc());
            break;  // it was b, and c is its other half (module.cpp checks the table for that)
        }
        each(formats[k], values[k]);
    }
}

// A register an instruction names, and what it does with it.
struct RegisterUse {
    std::size_t reg = 0;
    bool read = false;
    bool written = false;
};

// How many registers the A window of `instr` spans: one per parameter of the schema function
// its H or V operand names; 0 when it names none of `schema`.
std::size_t argument_count(const Instr& instr, const stdlib::Schema& schema);

// Calls `each(RegisterUse)` for every register `instr` names, in operand order: R read; W
// written; U read and written; P its item R[a] written, then its index R[a+1] read and
// written; every register of the window of an L operand (as many as its N operand counts) and
// of an A operand (argument_count) read. Indexes are not checked against any frame.
template <typename F>
void for_each_register(const Instr& instr, const stdlib::Schema& schema, F&& each) {
    const auto& formats = info(instr.op).operands;
    const std::size_t values[3] = {instr.a, instr.b, instr.c};
    auto window = [&](std::size_t first, std::size_t count) {
        for (std::size_t k = 0; k < count; ++k) each(RegisterUse{first + k, true, false});
    };
    for (std::size_t k = 0; k < 3; ++k) {
        const std::size_t v = values[k];
        switch (formats[k]) {
            case Operand::R: each(RegisterUse{v, true, false}); break;
            case Operand::W: each(RegisterUse{v, false, true}); break;
            case Operand::U: each(RegisterUse{v, true, true}); break;
            case Operand::P:
                each(RegisterUse{v, false, true});
                each(RegisterUse{v + 1, true, true});
                break;
            case Operand::L: window(v, operand_in(instr, Operand::N).value_or(0)); break;
            case Operand::A: window(v, argument_count(instr, schema)); break;
            default: break;  // not a register
        }
    }
}

// The registers `instr` reads (for_each_register's reads), in operand order.
std::vector<std::size_t> registers_read(const Instr& instr, const stdlib::Schema& schema);

// Where `instr`, at index `pc`, may jump: its J target, or pc plus its O offset; nothing for
// an instruction with neither.
std::optional<std::size_t> jump_target(const Instr& instr, std::size_t pc);

}  // namespace switchyard::bytecode
