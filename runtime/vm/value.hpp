// The values the VM computes with: 16 bytes, no ownership. Strings, lists and records point
// into memory owned by someone else: the loaded ruleset (constants), the caller (facts) or the
// evaluation's arena (what rules build while they run).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace switchyard::vm {

// What a value holds. Numbers of every kind (int, size, duration, time, enum members) are
// `integer`: the static type says which, and the verifier has checked the types.
enum class Tag : std::uint8_t { none, boolean, integer, string, record, list, variant, builder };

struct Value;

// A list under construction by `where`: room for `capacity` items.
struct Builder {
    Value* items;
    std::uint32_t count;
    std::uint32_t capacity;
};

struct Value {
    Tag tag = Tag::none;
    std::uint8_t reserved = 0;
    std::uint16_t ctor = 0;  // variant: the constructor's function index
    std::uint32_t len = 0;   // string bytes, list items, record fields, variant arguments
    union {
        std::int64_t i = 0;
        const char* s;
        const Value* items;
        Builder* builder;
    };

    static Value none() { return {}; }
    static Value boolean(bool b) { return with(Tag::boolean, [&](Value& v) { v.i = b ? 1 : 0; }); }
    static Value integer(std::int64_t n) { return with(Tag::integer, [&](Value& v) { v.i = n; }); }
    static Value string(std::string_view text) {
        return with(Tag::string, [&](Value& v) {
            v.s = text.data();
            v.len = static_cast<std::uint32_t>(text.size());
        });
    }
    static Value list(const Value* items, std::size_t n) {
        return with(Tag::list, [&](Value& v) {
            v.items = items;
            v.len = static_cast<std::uint32_t>(n);
        });
    }
    static Value record(const Value* fields, std::size_t n) {
        Value v = list(fields, n);
        v.tag = Tag::record;
        return v;
    }
    static Value variant(std::uint16_t ctor, const Value* args, std::size_t n) {
        Value v = list(args, n);
        v.tag = Tag::variant;
        v.ctor = ctor;
        return v;
    }

    bool is_none() const { return tag == Tag::none; }
    bool truth() const { return i != 0; }
    std::string_view text() const { return {s, len}; }
    const Value* begin() const { return items; }
    const Value* end() const { return items + len; }
    const Value& operator[](std::size_t k) const { return items[k]; }

private:
    template <typename F>
    static Value with(Tag tag, F fill) {
        Value v;
        v.tag = tag;
        fill(v);
        return v;
    }
};
static_assert(sizeof(Value) == 16);

// Structural equality (docs/cases.md): records field by field, lists item by item.
bool equal(const Value& a, const Value& b);
// A hash that agrees with equal(): equal values hash alike.
std::size_t hash_of(const Value& v);

// A bump allocator for one evaluation at a time. `reset` keeps the blocks, so in steady state
// an evaluation allocates nothing from the heap.
class Arena {
public:
    // `first_block`: the size of the first block; later ones double. Small for arenas that hold
    // one case, so that many cases stay close together in memory.
    explicit Arena(std::size_t first_block = 64 * 1024) : first_block_(first_block) {}
    Arena(const Arena&) = delete;
    Arena& operator=(const Arena&) = delete;

    Value* values(std::size_t n) { return static_cast<Value*>(bytes(n * sizeof(Value), alignof(Value))); }
    char* chars(std::size_t n) { return static_cast<char*>(bytes(n, 1)); }
    template <typename T>
    T* make() {
        static_assert(std::is_trivially_destructible_v<T>);
        return new (bytes(sizeof(T), alignof(T))) T{};
    }
    std::string_view copy(std::string_view text);
    void reset();
    std::size_t reserved_bytes() const;

private:
    void* bytes(std::size_t n, std::size_t align);
    void* grow(std::size_t n, std::size_t align);

    struct Block {
        std::unique_ptr<std::byte[]> data;
        std::size_t size;
    };
    std::vector<Block> blocks_;
    std::size_t current_ = 0;  // the block being filled
    std::size_t used_ = 0;     // bytes used in it
    std::size_t first_block_;
};

}  // namespace switchyard::vm
