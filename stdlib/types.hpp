// Types of the rules language. A Type is a small value: a base (a primitive or a declared
// enum, record or variant) wrapped in at most three of list / set / optional.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

namespace switchyard::stdlib {

enum class TypeKind : std::uint8_t {
    error,     // the type of an expression that failed to check; accepted everywhere, reported once
    nothing,   // the element type of `[]` and `{}`: fits any list or set
    none,      // the type of the literal `none`: fits any optional
    boolean,
    integer,
    string,
    size,      // bytes
    duration,  // milliseconds
    time,      // milliseconds since the Unix epoch, UTC
    date,      // a calendar day: days since 1970-01-01
    time_of_day,  // milliseconds since midnight, 0 to 24 h (24:00 is the end of a day)
    enumeration,
    record,
    variant,   // a policy result built by constructors (`reject("too big")`, `send`)
    any,       // signatures only: any value that can key a conversation
    type_var,  // signatures only: the `T` of `count(list<T>)`
};

enum class Wrap : std::uint8_t { list, set, optional, collection /* signatures only: list or set */ };

inline constexpr std::size_t max_type_nesting = 3;

struct Type {
    TypeKind base = TypeKind::error;
    std::uint16_t decl = 0;  // index into the schema's enums, records or variants
    std::uint8_t depth = 0;
    std::array<Wrap, max_type_nesting> wraps{};  // wraps[depth - 1] is the outermost

    static constexpr Type of(TypeKind kind, std::uint16_t decl = 0) { return Type{kind, decl, 0, {}}; }

    bool is_error() const { return base == TypeKind::error && depth == 0; }
    bool is_wrapped() const { return depth > 0; }
    std::optional<Wrap> outer() const { return depth ? std::optional<Wrap>(wraps[depth - 1]) : std::nullopt; }
    bool is(Wrap w) const { return depth && wraps[depth - 1] == w; }
    bool is_optional() const { return is(Wrap::optional); }
    bool is_collection() const { return is(Wrap::list) || is(Wrap::set) || is(Wrap::collection); }
    bool is_scalar(TypeKind kind) const { return depth == 0 && base == kind; }
    // The type inside the outermost wrapper (the element of a list, the value of an optional).
    Type inner() const {
        Type t = *this;
        if (t.depth) --t.depth;
        return t;
    }
    Type without_optional() const { return is_optional() ? inner() : *this; }
    // Wrapping fails (nullopt) past max_type_nesting; optional of optional is the optional itself.
    std::optional<Type> wrapped(Wrap w) const {
        if (w == Wrap::optional && is_optional()) return *this;
        if (depth == max_type_nesting) return std::nullopt;
        Type t = *this;
        t.wraps[t.depth++] = w;
        return t;
    }
    Type optional() const { return wrapped(Wrap::optional).value_or(*this); }

    friend bool operator==(const Type& a, const Type& b) {
        if (a.base != b.base || a.decl != b.decl || a.depth != b.depth) return false;
        for (std::size_t i = 0; i < a.depth; ++i)
            if (a.wraps[i] != b.wraps[i]) return false;
        return true;
    }
};

namespace types {
inline constexpr Type error = Type::of(TypeKind::error);
inline constexpr Type nothing = Type::of(TypeKind::nothing);
inline constexpr Type none = Type::of(TypeKind::none);
inline constexpr Type boolean = Type::of(TypeKind::boolean);
inline constexpr Type integer = Type::of(TypeKind::integer);
inline constexpr Type string = Type::of(TypeKind::string);
inline constexpr Type size = Type::of(TypeKind::size);
inline constexpr Type duration = Type::of(TypeKind::duration);
inline constexpr Type time = Type::of(TypeKind::time);
inline constexpr Type date = Type::of(TypeKind::date);
inline constexpr Type time_of_day = Type::of(TypeKind::time_of_day);
}  // namespace types

}  // namespace switchyard::stdlib
