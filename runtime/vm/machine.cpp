#include "runtime/vm/machine.hpp"

#include <algorithm>
#include <cstring>

// SWITCHYARD_COMPUTED_GOTO (on by default with GCC and Clang) dispatches through a table of
// label addresses; off, the same loop is a portable `switch`.
#ifndef SWITCHYARD_COMPUTED_GOTO
#if defined(__GNUC__)
#define SWITCHYARD_COMPUTED_GOTO 1
#else
#define SWITCHYARD_COMPUTED_GOTO 0
#endif
#endif

namespace switchyard::vm {

using bytecode::Instr;
using bytecode::Op;

namespace {

std::int64_t wrapping_add(std::int64_t a, std::int64_t b) {
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(b));
}
std::int64_t wrapping_sub(std::int64_t a, std::int64_t b) {
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) - static_cast<std::uint64_t>(b));
}

// One allocation for a whole chain `a + b + c + ...`; a chain with one non-empty part is that part.
Value concat(Arena& arena, const Value* parts, std::size_t n) {
    std::size_t total = 0, nonempty = 0;
    const Value* only = parts;
    for (std::size_t k = 0; k < n; ++k) {
        total += parts[k].len;
        if (parts[k].len) {
            ++nonempty;
            only = parts + k;
        }
    }
    if (nonempty <= 1) return *only;
    char* out = arena.chars(total);
    char* at = out;
    for (std::size_t k = 0; k < n; ++k) {
        if (parts[k].len == 0) continue;  // an empty string may have no bytes at all (a null pointer)
        std::memcpy(at, parts[k].s, parts[k].len);
        at += parts[k].len;
    }
    return Value::string({out, total});
}

Value list_concat(Arena& arena, const Value& a, const Value& b) {
    if (a.len == 0) return b;
    if (b.len == 0) return a;
    Value* out = arena.values(std::size_t(a.len) + b.len);
    std::copy(a.begin(), a.end(), out);
    std::copy(b.begin(), b.end(), out + a.len);
    return Value::list(out, std::size_t(a.len) + b.len);
}

Value collection(Arena& arena, const Value* first, std::size_t n, bool unique) {
    Value* out = arena.values(n);
    std::size_t count = 0;
    for (std::size_t k = 0; k < n; ++k) {
        if (unique && std::any_of(out, out + count, [&](const Value& seen) { return equal(seen, first[k]); })) continue;
        out[count++] = first[k];
    }
    return Value::list(out, count);
}

bool contains(const Value& items, const Value& v) {
    return std::any_of(items.begin(), items.end(), [&](const Value& item) { return equal(item, v); });
}

bool in_constant_set(const Image& image, std::size_t set, const Value& v) {
    if (v.is_none()) return false;
    const auto& s = image.module().sets[set];
    switch (s.kind) {
        case bytecode::SetKind::mask: return v.i >= 0 && v.i < 64 && ((s.mask >> v.i) & 1);
        case bytecode::SetKind::integers: return std::binary_search(s.integers.begin(), s.integers.end(), v.i);
        case bytecode::SetKind::strings: {
            const auto& strings = image.strings_of_set(set);
            return std::binary_search(strings.begin(), strings.end(), v.text());
        }
    }
    return false;
}

}  // namespace

// The probes of a function by the instruction they end at: those ending at `pc` are
// order[first[pc] .. first[pc + 1]).
struct Machine::ProbeIndex {
    std::vector<std::uint32_t> first, order;

    explicit ProbeIndex(const bytecode::Function& f) : first(f.code.size() + 2, 0), order(f.probes.size()) {
        for (const auto& p : f.probes) ++first[p.end + 2];  // the verifier keeps `end` inside the code
        for (std::size_t pc = 2; pc < first.size(); ++pc) first[pc] += first[pc - 1];
        for (std::uint32_t k = 0; k < f.probes.size(); ++k) order[first[f.probes[k].end + 1]++] = k;
    }

    // Control goes from instruction `from` (just run) to `to`: each probe ending at `to` whose
    // code `from` is in (so the code ran, and was not jumped over) sees its register. At the
    // first instruction `from` is `to`, which only probes of empty code match.
    void observe(const bytecode::Function& f, std::size_t from, std::size_t to, const Value* R,
                 std::vector<Observation>& seen) const {
        for (auto k = first[to]; k < first[to + 1]; ++k) {
            const auto& p = f.probes[order[k]];
            if (p.start == p.end || (p.start <= from && from < p.end)) seen.push_back({order[k], R[p.reg]});
        }
    }
};

Machine::Machine(const Image& image) : image_(image), registers_(std::max<std::size_t>(image.frame_size(), 1)) {}

Outcome Machine::run(const bytecode::Function& f, const Inputs& in, std::int64_t budget, std::vector<TraceStep>* trace) {
    return loop<false>(f, in, budget, trace, nullptr, nullptr);
}

Outcome Machine::run_observed(const bytecode::Function& f, const Inputs& in, std::int64_t budget,
                              std::vector<TraceStep>* trace, std::vector<Observation>& seen) {
    ProbeIndex probes(f);
    return loop<true>(f, in, budget, trace, &probes, &seen);
}

template <bool Observe>
Outcome Machine::loop(const bytecode::Function& f, const Inputs& in, std::int64_t budget, std::vector<TraceStep>* trace,
                      [[maybe_unused]] const ProbeIndex* probes, [[maybe_unused]] std::vector<Observation>* seen) {
    Value* R = registers_.data();
    std::copy(in.facts, in.facts + f.inputs, R);
    const Instr* const code = f.code.data();
    const Instr* ip = code;
    const Instr* i = ip;
    NoFacts no_facts;
    HostContext host{arena_, in.queries ? *in.queries : no_facts, image_.schema(), image_.module().zones,
                     image_.module().contact_fields};
    auto rule_at = [&](const Instr* at) { return f.lines[std::size_t(at - code)].rule; };
    auto finish = [&](Failure failure) {
        Outcome out;
        out.rule = rule_at(i);
        out.failure = failure;
        return out;
    };

    // INVARIANT: what the verifier (verifier.cpp) has proved of every function before any of
    // them runs, and all that the loop below relies on: it checks no index, no tag, no bound
    // but those listed last.
    //  1. Indexes. Every register an instruction names is in its frame, and so in the register
    //     file (as large as the largest frame): R, W, U, both of P (R[a], R[a+1]), the windows
    //     of L (c registers from R[b]) and of A (one per parameter of the function in b). A K
    //     is a constant of the image; S a setting (`in.settings` holds one value per setting);
    //     T a constant set; H a schema function with a host implementation (image_.host(b) is
    //     bound); V a constructor; F a field of the record its object register holds.
    //  2. Control. Every jump target (J, and the instruction's own index + O, O > 0) is inside
    //     the code, and no path runs past the last instruction: each ends in `ret` or
    //     `no_match`, so `ip` never leaves the code. Backward jumps go only to a `next_item`.
    //  3. Writes before reads. Every register an instruction reads was written before, on every
    //     path to it (the inputs are written by the caller), so nothing reads a value left over
    //     from another run. An instruction that jumps writes nothing when it jumps.
    //  4. Types. Every value written fits its register's static type, and each instruction's
    //     registers hold what it reads of them: `.i` of a bool (conditions), a number, enum
    //     value or bool (arithmetic, the `_int` comparisons); the text of a string (the `_str`
    //     comparisons, every part of `concat`, which has at least one); `.items[c]` of a
    //     record that has field slot c (`get_field`; none or such a record for
    //     `get_field_opt`), a record value holding one item per field; `.len` and `.items` of
    //     a list or set (`in_list`, `list_builder`, `next_item`); an `int` loop index; host
    //     functions' arguments of their parameters' types. So no tag is checked before a read.
    //  5. Builders. A builder register is named only by `list_builder`, `list_push` and
    //     `list_finish`, and holds a Builder that `list_builder` made, on every path, before
    //     the other two use it.
    //  6. Rules. The line table has one entry per instruction, each naming a rule of `f.rules`
    //     or no_rule; `test_rule` runs only inside a rule.
    //  7. Probes (read only when Observe). Each probe's `end` is an instruction of the code, and
    //     its register is in the frame, not a builder, and written on every path to `end`.
    // Not promised, so checked here: the budget (hand-made code can reset a `where` loop's
    // index and loop forever), a builder's room (`list_push` past it fails as internal), and
    // a `next_item` index against its list (the code sets the index).
// Between two instructions, with Observe only: the probes whose code just ran see their values.
#define VM_OBSERVE \
    if constexpr (Observe) probes->observe(f, std::size_t(i - code), std::size_t(ip - code), R, *seen)
#if SWITCHYARD_COMPUTED_GOTO
// Label addresses are a GNU extension (GCC and Clang): the one place we use one.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#if defined(__clang__)
#pragma GCC diagnostic ignored "-Wgnu-label-as-value"
#endif
    static void* const labels[] = {
#define X(name, a, b, c, effect) &&op_##name,
#include "bytecode/opcodes.def"
#undef X
    };
#define VM_CASE(name) op_##name:
#define VM_NEXT                                          \
    do {                                                 \
        VM_OBSERVE;                                      \
        if (--budget < 0) goto out_of_budget;            \
        i = ip++;                                        \
        goto *labels[static_cast<std::size_t>(i->op)];   \
    } while (0)
    VM_NEXT;
#else
#define VM_CASE(name) case Op::name:
#define VM_NEXT continue
    for (;;) {
        VM_OBSERVE;
        if (--budget < 0) goto out_of_budget;
        i = ip++;
        switch (i->op) {
#endif

    VM_CASE(move) R[i->a] = R[i->b]; VM_NEXT;
    VM_CASE(load_const) R[i->a] = image_.constant(i->bc()); VM_NEXT;
    VM_CASE(load_setting) R[i->a] = in.settings[i->b]; VM_NEXT;
    VM_CASE(load_none) R[i->a] = Value::none(); VM_NEXT;
    VM_CASE(load_bool) R[i->a] = Value::boolean(i->b != 0); VM_NEXT;
    VM_CASE(get_field) R[i->a] = R[i->b].items[i->c]; VM_NEXT;
    VM_CASE(get_field_opt) R[i->a] = R[i->b].is_none() ? Value::none() : R[i->b].items[i->c]; VM_NEXT;
    VM_CASE(logical_not) R[i->a] = Value::boolean(!R[i->b].i); VM_NEXT;
    VM_CASE(negate) R[i->a] = Value::integer(wrapping_sub(0, R[i->b].i)); VM_NEXT;
    VM_CASE(add) R[i->a] = Value::integer(wrapping_add(R[i->b].i, R[i->c].i)); VM_NEXT;
    VM_CASE(sub) R[i->a] = Value::integer(wrapping_sub(R[i->b].i, R[i->c].i)); VM_NEXT;
    VM_CASE(concat) R[i->a] = concat(arena_, R + i->b, i->c); VM_NEXT;
    VM_CASE(list_concat) R[i->a] = list_concat(arena_, R[i->b], R[i->c]); VM_NEXT;
    VM_CASE(equal) R[i->a] = Value::boolean(equal(R[i->b], R[i->c])); VM_NEXT;
    VM_CASE(not_equal) R[i->a] = Value::boolean(!equal(R[i->b], R[i->c])); VM_NEXT;
    VM_CASE(equal_int) R[i->a] = Value::boolean(R[i->b].i == R[i->c].i); VM_NEXT;
    VM_CASE(not_equal_int) R[i->a] = Value::boolean(R[i->b].i != R[i->c].i); VM_NEXT;
    VM_CASE(less_int) R[i->a] = Value::boolean(R[i->b].i < R[i->c].i); VM_NEXT;
    VM_CASE(less_equal_int) R[i->a] = Value::boolean(R[i->b].i <= R[i->c].i); VM_NEXT;
    VM_CASE(equal_str) R[i->a] = Value::boolean(R[i->b].text() == R[i->c].text()); VM_NEXT;
    VM_CASE(not_equal_str) R[i->a] = Value::boolean(R[i->b].text() != R[i->c].text()); VM_NEXT;
    VM_CASE(less_str) R[i->a] = Value::boolean(R[i->b].text() < R[i->c].text()); VM_NEXT;
    VM_CASE(less_equal_str) R[i->a] = Value::boolean(R[i->b].text() <= R[i->c].text()); VM_NEXT;
    VM_CASE(in_list) R[i->a] = Value::boolean(contains(R[i->c], R[i->b])); VM_NEXT;
    VM_CASE(in_set) R[i->a] = Value::boolean(in_constant_set(image_, i->c, R[i->b])); VM_NEXT;
    VM_CASE(jump) ip = code + i->bc(); VM_NEXT;
    VM_CASE(jump_if_false) if (!R[i->a].i) ip = code + i->bc(); VM_NEXT;
    VM_CASE(jump_if_true) if (R[i->a].i) ip = code + i->bc(); VM_NEXT;
    VM_CASE(jump_if_none) if (R[i->a].is_none()) ip = code + i->bc(); VM_NEXT;
    VM_CASE(unwrap_or_jump) {
        if (R[i->b].is_none()) ip = i + i->c;
        else R[i->a] = R[i->b];
        VM_NEXT;
    }
    VM_CASE(test_rule) {
        bool holds = R[i->a].i != 0;
        if (trace) trace->push_back({rule_at(i), static_cast<std::int8_t>(holds)});
        if (!holds) ip = code + i->bc();
        VM_NEXT;
    }
    VM_CASE(ret) {
        Outcome out;
        out.value = R[i->a];
        out.rule = rule_at(i);
        if (trace && out.rule != bytecode::no_rule && f.rules[out.rule].otherwise) trace->push_back({out.rule, -1});
        return out;
    }
    VM_CASE(no_match) {
        // `otherwise -> next` is traced as the `otherwise` it is: the rule that deferred.
        auto rule = rule_at(i);
        if (trace && rule != bytecode::no_rule && f.rules[rule].otherwise) trace->push_back({rule, -1});
        return finish(Failure::no_match);
    }
    VM_CASE(call) R[i->a] = image_.host(i->b)(host, R + i->c, f.registers.data() + i->c); VM_NEXT;
    VM_CASE(construct) {
        std::size_t n = image_.schema().functions()[i->b].params.size();
        Value* args = arena_.values(n);
        std::copy(R + i->c, R + i->c + n, args);
        R[i->a] = Value::variant(i->b, args, n);
        VM_NEXT;
    }
    VM_CASE(get_arg) {
        auto p = image_.argument_of(R[i->b].ctor, i->c);
        R[i->a] = p < 0 ? Value::none() : R[i->b].items[p];
        VM_NEXT;
    }
    VM_CASE(make_list) R[i->a] = collection(arena_, R + i->b, i->c, false); VM_NEXT;
    VM_CASE(make_set) R[i->a] = collection(arena_, R + i->b, i->c, true); VM_NEXT;
    VM_CASE(list_builder) {
        Builder* b = arena_.make<Builder>();
        b->items = arena_.values(R[i->b].len);
        b->capacity = R[i->b].len;
        Value v;
        v.tag = Tag::builder;
        v.builder = b;
        R[i->a] = v;
        VM_NEXT;
    }
    VM_CASE(list_push) {
        Builder* b = R[i->a].builder;
        if (b->count >= b->capacity) return finish(Failure::internal);
        b->items[b->count++] = R[i->b];
        VM_NEXT;
    }
    VM_CASE(list_finish) {
        const Builder* b = R[i->b].builder;
        R[i->a] = Value::list(b->items, b->count);
        VM_NEXT;
    }
    VM_CASE(next_item) {
        const Value& items = R[i->b];
        Value& index = R[i->a + 1];
        if (index.i < 0 || index.i >= items.len) {
            ip = i + i->c;
        } else {
            R[i->a] = items.items[index.i];
            ++index.i;
        }
        VM_NEXT;
    }

#if SWITCHYARD_COMPUTED_GOTO
#pragma GCC diagnostic pop
#else
        }
    }
#endif
#undef VM_CASE
#undef VM_NEXT
#undef VM_OBSERVE

out_of_budget:
    return finish(Failure::budget);
}

}  // namespace switchyard::vm
