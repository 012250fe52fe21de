// Reading and writing compiled ruleset files (docs/bytecode.md). Reading checks the structure
// only: every length against the bytes that remain, every enum value against its range. What
// the code means (indexes, jumps, register types) is the verifier's job (runtime/vm).
#pragma once

#include "bytecode/module.hpp"

#include <string>
#include <string_view>
#include <variant>

namespace switchyard::bytecode {

std::string write(const Module& module);

struct ReadError {
    std::size_t offset;   // where in the file reading stopped
    std::string message;  // what was wrong there
};

// `check_checksum` is false only for the fuzzer, which must get past the checksum to reach the
// verifier.
std::variant<Module, ReadError> read(std::string_view bytes, bool check_checksum = true);

// The checksum stored in the header: computed over everything after it.
std::uint64_t checksum_of(std::string_view file);
// Recomputes and stores the checksum of a file (for tools and tests that edit bytes).
void reseal(std::string& file);

}  // namespace switchyard::bytecode
