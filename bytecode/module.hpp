// The compiled ruleset: what the compiler writes, the disassembler prints and the VM loads.
// docs/bytecode.md describes the file; this is its in-memory form.
#pragma once

#include "stdlib/types.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::bytecode {

enum class Op : std::uint8_t {
#define X(name, a, b, c, effect) name,
#include "bytecode/opcodes.def"
#undef X
};

// The formats of an instruction's operands (see the legend at the top of opcodes.def). The
// register formats say what the instruction does with the register: R read, W written, U read
// and written, L and A the first of a window read, P a `where` loop's item and index.
enum class Operand : std::uint8_t { _, R, W, U, L, A, P, K, S, F, J, O, H, V, T, N, I };

// K and J take b and c together: one 32-bit operand, `bc`.
constexpr bool spans_b_and_c(Operand format) { return format == Operand::K || format == Operand::J; }

struct OpInfo {
    std::string_view name;
    std::array<Operand, 3> operands;
    std::string_view effect;
};

inline constexpr std::size_t op_count = 0
#define X(name, a, b, c, effect) +1
#include "bytecode/opcodes.def"
#undef X
    ;

const OpInfo& info(Op op);

// One instruction: eight bytes, three 16-bit operands; `bc` joins b and c for 32-bit operands.
struct Instr {
    Op op = Op::no_match;
    std::uint8_t reserved = 0;
    std::uint16_t a = 0;
    std::uint16_t b = 0;
    std::uint16_t c = 0;

    std::uint32_t bc() const { return (std::uint32_t(b) << 16) | c; }
    void set_bc(std::uint32_t v) {
        b = static_cast<std::uint16_t>(v >> 16);
        c = static_cast<std::uint16_t>(v & 0xffff);
    }
};
static_assert(sizeof(Instr) == 8);

// Named limits: each follows from an operand's width.
inline constexpr std::size_t max_registers = 0xffff;       // a register is a 16-bit operand
inline constexpr std::size_t max_constant_sets = 0x10000;  // `in_set` names its set in 16 bits
inline constexpr std::size_t max_settings = 0x10000;       // `load_setting` names its setting in 16 bits
inline constexpr std::size_t max_contact_fields = 0x10000;  // `get_field` names a field slot in 16 bits
inline constexpr std::size_t max_forward_offset = 0xffff;  // `unwrap_or_jump`, `next_item`
inline constexpr std::size_t max_rules_per_policy = 0xfffe;  // the line table's rule is 16 bits
inline constexpr std::uint16_t no_rule = 0xffff;             // an instruction outside any rule
inline constexpr std::size_t max_footprint_inputs = 64;      // Footprint::inputs has one bit per input

// A constant: a tree of values whose parts are earlier constants (so there are no cycles).
enum class ConstKind : std::uint8_t { none, boolean, integer, string, list, set, record, variant };

struct Constant {
    stdlib::Type type;
    ConstKind kind = ConstKind::none;
    std::int64_t number = 0;           // boolean, integer (also enum members), variant constructor
    std::string text;                  // string
    std::vector<std::uint32_t> parts;  // list and set items, record fields, variant arguments
};

// A constant set for `in_set`: enum and bool members as a bit mask, numbers and strings sorted.
enum class SetKind : std::uint8_t { mask, integers, strings };

struct ConstSet {
    SetKind kind = SetKind::mask;
    std::uint64_t mask = 0;
    std::vector<std::int64_t> integers;  // sorted, unique
    std::vector<std::string> strings;    // sorted by bytes, unique
};

// A setting; also a contact field (`contact_field NAME: TYPE = DEFAULT`), which has the same parts.
struct Setting {
    std::string name;
    stdlib::Type type;
    std::uint32_t default_value;  // constant index
    std::string description;
};

// A file of the program, with its text: the compiled file alone shows what it was compiled
// from (disasm's source lines, the server's list of the rulesets that served, diffs between them).
struct SourceFile {
    std::string path;
    std::uint64_t hash = 0;  // of the file's bytes
    std::string text;        // the file's bytes
};

// A register's type. A builder is the list under construction by `where`.
struct RegType {
    stdlib::Type type;
    bool builder = false;
    friend bool operator==(const RegType&, const RegType&) = default;
};

struct LineEntry {
    std::uint32_t line;  // 1-based, in the function's file
    std::uint16_t rule;  // index into Function::rules, or no_rule
};

struct Rule {
    std::uint32_t line;
    bool otherwise = false;
};

// Debug information for explanations: a value a person reading a decision wants to see (a
// `let`, or a part of a rule's condition), the register that holds it and the code that
// computes it. The interpreter looks at probes only when asked for values (`eval --explain`,
// `test`); the hot path never reads them. It records R[reg] when control reaches `end` right
// after running an instruction in [start, end): the code computing the value has just run, so
// a part skipped by `and`/`or` is not recorded. Empty code (the value already sits in a
// register, as for `not flag`) is recorded whenever control reaches `end`.
enum class ProbeKind : std::uint8_t { let, part };
inline constexpr std::uint16_t no_probe = 0xffff;
inline constexpr std::size_t max_probes_per_function = 0xfffe;  // a part names its parent in 16 bits

struct Probe {
    ProbeKind kind = ProbeKind::let;
    std::uint16_t rule = no_rule;      // a part: the rule whose condition it is part of
    std::uint16_t parent = no_probe;   // a part of a part (`a` in `(a or b) and c`): that part
    std::uint32_t start = 0;           // the code computing the value: instructions [start, end)
    std::uint32_t end = 0;
    std::uint16_t reg = 0;             // where the value is when control reaches `end`
    std::uint32_t line = 0;            // 1-based, in `file`
    std::uint16_t file = 0;            // a source: a top-level let may be declared in an imported file
    std::string text;                  // a let's name; a part as `fmt` prints it
    friend bool operator==(const Probe&, const Probe&) = default;
};

// What a function's code can read of the world outside its constants and settings: which of
// its inputs, and which fact queries it calls. The worker loads from its database only the
// facts that the policies chosen for an event can read. The compiler computes it
// (compute_footprint, bytecode/footprint.hpp) and the verifier refuses a file whose footprint
// is not exactly what its code reads.
struct Footprint {
    std::uint64_t inputs = 0;                 // bit b set: input register b is read by some instruction
    std::vector<std::uint16_t> fact_queries;  // schema function indexes of the fact queries called, sorted, unique
    friend bool operator==(const Footprint&, const Footprint&) = default;

    bool reads_input(std::size_t b) const;
    bool calls(std::uint16_t fn) const;
};

// A policy (or a test expectation): its inputs are in registers 0 .. inputs - 1.
struct Function {
    std::uint16_t kind = 0;                 // policy kind (schema index); for an expectation, unused
    std::vector<std::uint64_t> scope;       // per scope dimension, the members admitted
    std::int64_t priority = 0;
    std::uint32_t file = 0;                 // index into Module::sources
    std::uint32_t line = 0;                 // of the `policy` keyword
    stdlib::Type result;
    std::vector<RegType> registers;         // the frame: the inputs first
    std::uint16_t inputs = 0;
    Footprint footprint;                    // of a policy: the facts the worker must load for it
    std::vector<Rule> rules;
    std::vector<Instr> code;
    std::vector<LineEntry> lines;           // one per instruction
    std::vector<Probe> probes;              // a part after the part it is in; lets in the order computed
};

// A `test` block, compiled: its case (the `given`s, as case JSON) and one function per `expect`,
// whose inputs are the results of every policy kind, in schema order.
struct Test {
    std::string name;
    std::uint32_t file = 0;
    std::uint32_t line = 0;
    std::string case_json;
    std::vector<std::uint32_t> expects;  // indexes into Module::expectations
};

inline constexpr std::array<char, 8> magic = {'S', 'W', 'Y', 'D', 'R', 'U', 'L', 'E'};
// 2: functions carry their footprint; 3: time zones; 4: contact fields, and probes (the values
// explanations show); 5: the sources' text
inline constexpr std::uint32_t format_version = 5;

// From `from_ms` on (milliseconds since 1970 UTC), local time is UTC + `offset_s` seconds.
struct ZoneShift {
    std::int64_t from_ms;
    std::int32_t offset_s;
    friend bool operator==(const ZoneShift&, const ZoneShift&) = default;
};

// A time zone of the tz database as the compiler read it: the ruleset carries it, so a decision
// never depends on the tzdata of the machine that runs it. The first shift starts at the
// smallest int64 (the offset before the first transition); shifts are sorted by `from_ms`.
struct Zone {
    std::string name;  // `Europe/Moscow`
    std::vector<ZoneShift> shifts;
};

struct Module {
    std::string name;
    std::uint64_t source_hash = 0;   // of every source file's path and bytes
    std::uint64_t schema_hash = 0;   // stdlib::Schema::fingerprint() of the schema checked against
    std::vector<SourceFile> sources;
    std::vector<Constant> constants;
    std::vector<ConstSet> sets;
    std::vector<Setting> settings;
    std::vector<Function> policies;
    std::vector<Function> expectations;
    std::vector<Test> tests;
    std::vector<Zone> zones;  // sorted by name, unique
    // The fields of the schema's record that the rules declare (`contact.fields`), in order:
    // field slot i of a `contact_fields` value is contact_fields[i].
    std::vector<Setting> contact_fields;
};

// 64-bit FNV-1a: the content hashes of the header.
std::uint64_t fnv1a(std::string_view bytes, std::uint64_t seed = 0xcbf29ce484222325ull);

}  // namespace switchyard::bytecode
