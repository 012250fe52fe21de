// The verifier's type relations: which register types an instruction accepts, and which
// values fit which types; and how its checks refuse. Seen by verifier.cpp and verifier_data.cpp only.
#pragma once

#include "stdlib/schema.hpp"

#include <optional>
#include <string>
#include <utility>

namespace switchyard::vm::verifier_types {

// A check that fails throws the reason, which stops the whole verification at the first problem.
struct Rejected {
    std::string message;
};
[[noreturn]] inline void reject(std::string message) { throw Rejected{std::move(message)}; }

// Why `checks` refused (the first problem), or nothing when they all passed.
template <typename Checks>
std::optional<std::string> first_rejection(Checks&& checks) {
    try {
        checks();
    } catch (const Rejected& r) {
        return r.message;
    }
    return std::nullopt;
}

// `int`, `size`, `duration`, `time`: what arithmetic takes.
bool is_numeric(stdlib::Type t);
// What `less_int` compares: numbers, and dates and times of day (integers with no arithmetic).
bool is_ordered(stdlib::Type t);
// What `equal_int` and integer sets take: the ordered types, enum values and bools.
bool is_integer_like(stdlib::Type t);
bool is_sequence(stdlib::Type t);
// Can a value of type `from` be stored where `to` is expected? The representations agree:
// a `T` is a valid `T?`, `[]` a valid list of anything, and any scalar a valid `any`.
bool fits(stdlib::Type from, stdlib::Type to);
// A type a compiled ruleset may name: no signature-only wrapper, indexes the schema has.
bool valid_type(stdlib::Type t, const stdlib::Schema& schema);

}  // namespace switchyard::vm::verifier_types
