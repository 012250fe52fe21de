// The verifier: a compiled ruleset is checked in full before anything runs, so that the
// interpreter may trust its input. What it guarantees the interpreter is written once, as the
// INVARIANT above the dispatch loop in machine.cpp; verify() in image.hpp sums up the checks.
#include "bytecode/footprint.hpp"
#include "bytecode/operands.hpp"
#include "runtime/vm/host.hpp"
#include "runtime/vm/image.hpp"
#include "runtime/vm/verifier_data.hpp"
#include "runtime/vm/verifier_types.hpp"

#include <algorithm>
#include <limits>
#include <map>

namespace switchyard::vm {

using bytecode::Function;
using bytecode::Instr;
using bytecode::Op;
using bytecode::Operand;
using stdlib::Type;
using stdlib::TypeKind;
using stdlib::Wrap;
using namespace verifier_types;

namespace {

// One function's code, in two passes over its instructions. The first reads every operand by
// its format (opcodes.def): whatever an operand names must exist, and jumps must stay inside
// the code. The second follows the paths through the code: every register an instruction
// reads must be written on every path to it, and each opcode's type rule says what types its
// registers must hold and what it writes. The interpreter relies on both: see the INVARIANT
// above its dispatch loop (machine.cpp).
class FunctionVerifier {
public:
    FunctionVerifier(const bytecode::Module& m, const stdlib::Schema& schema, const Function& f)
        : m_(m), schema_(schema), f_(f), assigned_(f.registers.size(), false) {}

    void run() {
        check_frame();
        check_line_table();
        check_probes();
        for (pc_ = 0; pc_ < f_.code.size(); ++pc_) check_operands(f_.code[pc_]);
        for (pc_ = 0; pc_ < f_.code.size(); ++pc_) follow(f_.code[pc_]);
        if (reachable_) reject("the last instruction falls off the end of the code");
    }

private:
    using Bits = std::vector<bool>;

    void check_frame() {
        if (f_.registers.size() > bytecode::max_registers) reject("too many registers");
        if (f_.inputs > f_.registers.size()) reject("more inputs than registers");
        for (const auto& r : f_.registers)
            if (!valid_type(r.type, schema_)) reject("a register has an invalid type");
        for (std::size_t i = 0; i < f_.inputs; ++i) assigned_[i] = true;
    }

    void check_line_table() const {
        if (f_.code.empty()) reject("the function has no code");
        if (f_.lines.size() != f_.code.size()) reject("the line table does not have one entry per instruction");
        for (const auto& l : f_.lines)
            if (l.rule != bytecode::no_rule && l.rule >= f_.rules.size()) reject("the line table names a rule that does not exist");
    }

    // Probes (the values explanations show): the interpreter reads R[reg] of a probe when control
    // reaches its `end`, so `follow` also proves that register written on every path there.
    void check_probes() {
        for (std::size_t p = 0; p < f_.probes.size(); ++p) {
            const auto& probe = f_.probes[p];
            std::string name = "probe " + std::to_string(p) + ": ";
            if (probe.start > probe.end || probe.end >= f_.code.size()) reject(name + "its code is outside the function's");
            if (probe.reg >= f_.registers.size() || f_.registers[probe.reg].builder)
                reject(name + "its register is out of range or a list under construction");
            if (probe.rule != bytecode::no_rule && probe.rule >= f_.rules.size()) reject(name + "it names a rule that does not exist");
            if (probe.parent != bytecode::no_probe && probe.parent >= p) reject(name + "its parent does not come before it");
            if (probe.file >= m_.sources.size()) reject(name + "its source file is out of range");
            probes_at_[probe.end].push_back(p);
        }
    }

    std::string where(std::size_t pc) const {
        return "instruction " + std::to_string(pc) + " (" + std::string(bytecode::info(f_.code[pc].op).name) + "): ";
    }
    [[noreturn]] void fail(const std::string& message) const { reject(where(pc_) + message); }

    // ---- the first pass: what each operand names, by its format ----

    void check_operands(const Instr& i) {
        bytecode::for_each_register(i, schema_, [&](bytecode::RegisterUse use) {
            if (use.reg >= f_.registers.size()) fail("register " + std::to_string(use.reg) + " is out of range");
        });
        bytecode::for_each_operand(i, [&](Operand format, std::uint32_t value) { check_operand(i, format, value); });
    }

    void check_operand(const Instr& i, Operand format, std::uint32_t v) {
        switch (format) {
            case Operand::K: check_index(v, m_.constants.size(), "constant"); break;
            case Operand::S: check_index(v, m_.settings.size(), "setting"); break;
            case Operand::T: check_index(v, m_.sets.size(), "constant set"); break;
            case Operand::F: check_field_slot(i, v); break;
            case Operand::H: check_host_function(function(v)); break;
            case Operand::V:
                if (function(v).role != stdlib::FunctionRole::constructor) fail("`" + function(v).name + "` is not a constructor");
                break;
            case Operand::J: check_jump(v); break;
            case Operand::O:
                if (v == 0) fail("a forward jump of 0");
                check_jump(pc_ + v);
                break;
            default: break;  // registers (checked above, windows included), counts, immediates
        }
    }

    void check_index(std::size_t index, std::size_t count, std::string_view what) const {
        if (index >= count) fail(std::string(what) + " " + std::to_string(index) + " is out of range");
    }

    const stdlib::FunctionDecl& function(std::uint32_t index) const {
        check_index(index, schema_.functions().size(), "function");
        return schema_.functions()[index];
    }

    // A call goes to a schema function the VM implements (not a constructor: `construct` builds those).
    void check_host_function(const stdlib::FunctionDecl& fn) const {
        if (fn.role == stdlib::FunctionRole::constructor || !find_host_function(fn.name))
            fail("`" + fn.name + "` is not a host function");
    }

    // A field slot names a field of the record in the instruction's object register (its R
    // operand), which may be optional.
    void check_field_slot(const Instr& i, std::uint32_t slot) const {
        auto object = bytecode::operand_in(i, Operand::R);
        Type rec = object ? f_.registers[*object].type.without_optional() : Type{};
        if (rec.depth || rec.base != TypeKind::record) fail("field access on something that is not a record");
        const auto& decl = schema_.record_of(rec);
        // The fields of `contact_fields` are the ruleset's own (its contact fields section).
        std::size_t fields = decl.declared_by_rules ? m_.contact_fields.size() : decl.fields.size();
        if (slot >= fields) fail("field slot " + std::to_string(slot) + " is out of range for `" + decl.name + "`");
    }

    // A jump lands inside the code; backward only onto a loop's head, the instruction that
    // holds a `where` loop's pair (a P operand: `next_item`), whose state the second pass
    // remembers for the jumps that return.
    void check_jump(std::size_t target) {
        if (target >= f_.code.size()) fail("jump target " + std::to_string(target) + " is outside the code");
        if (target > pc_) return;
        if (!bytecode::operand_in(f_.code[target], Operand::P)) fail("a backward jump must go to a `next_item`");
        loop_heads_[target];
    }

    // ---- the second pass: the paths through the code ----

    // What an instruction's type rule found: the register it writes, if any, and whether the
    // next instruction runs after it.
    struct Effect {
        std::optional<std::size_t> written;
        bool continues = true;
    };

    void follow(const Instr& i) {
        enter();
        if (auto at = probes_at_.find(pc_); at != probes_at_.end())
            for (auto p : at->second)
                if (!assigned_[f_.probes[p].reg]) fail("probe " + std::to_string(p) + " reads a register before it is written");
        bytecode::for_each_register(i, schema_, [&](bytecode::RegisterUse use) {
            if (use.read && !assigned_[use.reg]) fail("register " + std::to_string(use.reg) + " is read before it is written");
        });
        Effect effect = type_rule(i);
        // An instruction that jumps writes nothing on the way (`unwrap_or_jump`, `next_item`
        // write only when they go on), so the jump takes the state from before the write.
        if (auto target = bytecode::jump_target(i, pc_)) branch_to(*target);
        if (effect.written) assigned_[*effect.written] = true;
        reachable_ = effect.continues;
    }

    // The state on entry to `pc_`: the fall-through state met with every jump that lands here.
    void enter() {
        auto it = pending_.find(pc_);
        if (it != pending_.end()) {
            if (reachable_)
                for (std::size_t r = 0; r < assigned_.size(); ++r) assigned_[r] = assigned_[r] && it->second[r];
            else
                assigned_ = std::move(it->second);
            pending_.erase(it);
            reachable_ = true;
        } else if (!reachable_) {
            std::fill(assigned_.begin(), assigned_.end(), true);  // dead code: nothing to protect
        }
        if (auto head = loop_heads_.find(pc_); head != loop_heads_.end()) head->second = assigned_;
    }

    void branch_to(std::size_t target) {
        if (target <= pc_) {
            const Bits& head = loop_heads_.at(target);
            for (std::size_t r = 0; r < head.size(); ++r)
                if (head[r] && !assigned_[r]) fail("a register assigned at the loop head is not assigned on the way back");
            return;
        }
        auto [it, fresh] = pending_.emplace(target, assigned_);
        if (!fresh)
            for (std::size_t r = 0; r < assigned_.size(); ++r) it->second[r] = it->second[r] && assigned_[r];
    }

    // ---- the type rules ----

    // The type a register holds; a builder (a list under construction) only for the builder rules.
    Type value(std::size_t r) const {
        if (f_.registers[r].builder) fail("register " + std::to_string(r) + " holds a list under construction");
        return f_.registers[r].type;
    }
    // Writes a value of type `produced` into `r`, which must be able to hold it.
    Effect stores(std::size_t r, Type produced) const {
        Type t = value(r);
        if (!fits(produced, t))
            fail("register " + std::to_string(r) + " is `" + schema_.type_name(t) + "` but receives `" +
                 schema_.type_name(produced) + "`");
        return {r};
    }
    // Writes `r`, whose type the rule has checked itself.
    static Effect fills(std::size_t r) { return {r}; }
    static Effect goes_on() { return {}; }
    static Effect ends() { return {std::nullopt, false}; }

    void expect(Type t, Type want, std::string_view what) const {
        if (!(t == want)) fail(std::string(what) + " needs `" + schema_.type_name(want) + "`, found `" + schema_.type_name(t) + "`");
    }

    // What types the registers of `i` must hold, and what it writes. Indexes are in range
    // (the first pass) and reads are written (follow).
    Effect type_rule(const Instr& i) const {
        const Type boolean = stdlib::types::boolean;
        switch (i.op) {
            case Op::move: return stores(i.a, value(i.b));
            case Op::load_const: return stores(i.a, m_.constants[i.bc()].type);
            case Op::load_setting: return stores(i.a, m_.settings[i.b].type);
            case Op::load_none:
                if (!value(i.a).is_optional()) fail("`none` into a register that is not optional");
                return fills(i.a);
            case Op::load_bool:
                if (i.b > 1) fail("a bool immediate must be 0 or 1");
                return stores(i.a, boolean);
            case Op::get_field:
            case Op::get_field_opt: return get_field(i);
            case Op::get_arg: return get_arg(i);
            case Op::logical_not:
                expect(value(i.b), boolean, "`not`");
                return stores(i.a, boolean);
            case Op::negate:
                if (!is_numeric(value(i.b))) fail("`-` needs a number");
                return stores(i.a, value(i.b));
            case Op::add:
            case Op::sub: return arithmetic(i);
            case Op::concat:
                if (i.c == 0) fail("joins no strings");
                for (std::size_t k = 0; k < i.c; ++k) expect(value(std::size_t(i.b) + k), stdlib::types::string, "`+`");
                return stores(i.a, stdlib::types::string);
            case Op::list_concat:
                if (!value(i.a).is(Wrap::list) || !fits(value(i.b), value(i.a)) || !fits(value(i.c), value(i.a)))
                    fail("list `+` needs lists of the target's type");
                return fills(i.a);
            case Op::equal:
            case Op::not_equal:
                value(i.b);  // any values but builders
                value(i.c);
                return stores(i.a, boolean);
            case Op::equal_int:
            case Op::not_equal_int:
                if (!is_integer_like(value(i.b)) || !is_integer_like(value(i.c))) fail("needs two numbers, enum values or bools");
                return stores(i.a, boolean);
            case Op::less_int:
            case Op::less_equal_int:
                if (!is_ordered(value(i.b)) || !is_ordered(value(i.c))) fail("needs two numbers, dates or times of day");
                return stores(i.a, boolean);
            case Op::equal_str:
            case Op::not_equal_str:
            case Op::less_str:
            case Op::less_equal_str:
                expect(value(i.b), stdlib::types::string, "a string comparison");
                expect(value(i.c), stdlib::types::string, "a string comparison");
                return stores(i.a, boolean);
            case Op::in_list:
                value(i.b);
                if (!is_sequence(value(i.c))) fail("`in` needs a list or set");
                return stores(i.a, boolean);
            case Op::in_set: return in_set(i);
            case Op::jump: return ends();
            case Op::jump_if_false:
            case Op::jump_if_true:
            case Op::test_rule:
                expect(value(i.a), boolean, "a condition");
                if (i.op == Op::test_rule && f_.lines[pc_].rule == bytecode::no_rule) fail("a rule test outside any rule");
                return goes_on();
            case Op::jump_if_none:
                if (!value(i.a).is_optional()) fail("the value tested for `none` is not optional");
                return goes_on();
            case Op::unwrap_or_jump:
                if (!value(i.b).is_optional()) fail("the value unwrapped is not optional");
                return stores(i.a, value(i.b).inner());
            case Op::ret:
                if (!fits(value(i.a), f_.result)) fail("the result is not of the function's result type");
                return ends();
            case Op::no_match: return ends();
            case Op::call: return call(i);
            case Op::construct: return construct(i);
            case Op::make_list:
            case Op::make_set: return make_collection(i);
            case Op::list_builder:
                if (!f_.registers[i.a].builder || !is_sequence(f_.registers[i.a].type)) fail("the target is not a builder");
                if (!is_sequence(value(i.b))) fail("the source is not a list or set");
                return fills(i.a);
            case Op::list_push:
                if (!f_.registers[i.a].builder) fail("pushing to something that is not a started builder");
                if (!fits(value(i.b), f_.registers[i.a].type.inner())) fail("the item does not fit the list");
                return goes_on();
            case Op::list_finish:
                if (!f_.registers[i.b].builder) fail("finishing something that is not a started builder");
                return stores(i.a, f_.registers[i.b].type);
            case Op::next_item: return next_item(i);
        }
        fail("an unknown opcode");  // the reader refuses them; this keeps the switch total
    }

    Effect get_field(const Instr& i) const {
        Type object = value(i.b);
        bool optional = i.op == Op::get_field_opt;
        if (optional != object.is_optional()) fail(optional ? "the object is not optional" : "the object may be none");
        const auto& decl = schema_.record_of(object.without_optional());
        Type field = decl.declared_by_rules ? m_.contact_fields[i.c].type : decl.fields[i.c].type;
        return stores(i.a, optional ? field.optional() : field);
    }

    Effect get_arg(const Instr& i) const {
        Type result = value(i.b);
        if (!result.is_scalar(TypeKind::variant)) fail("`get_arg` needs a result, not optional");
        auto fields = schema_.result_fields(result.decl);
        if (i.c >= fields.size()) fail("result field " + std::to_string(i.c) + " is out of range");
        return stores(i.a, fields[i.c].type);
    }

    Effect arithmetic(const Instr& i) const {
        Type l = value(i.b), r = value(i.c);
        if (!is_numeric(l) || !is_numeric(r)) fail("arithmetic needs numbers");
        bool elapsed = i.op == Op::sub && l == stdlib::types::time && r == stdlib::types::time;
        return stores(i.a, elapsed ? stdlib::types::duration : l);
    }

    Effect in_set(const Instr& i) const {
        Type v = value(i.b).without_optional();
        bool strings = m_.sets[i.c].kind == bytecode::SetKind::strings;
        if (!(strings ? v == stdlib::types::string : is_integer_like(v))) fail("the value does not match the kind of the set");
        return stores(i.a, stdlib::types::boolean);
    }

    Effect call(const Instr& i) const {
        const auto& fn = schema_.functions()[i.b];
        for (std::size_t p = 0; p < fn.params.size(); ++p)
            if (!matches(fn.params[p].optional ? fn.params[p].type.optional() : fn.params[p].type, value(std::size_t(i.c) + p)))
                fail("argument " + std::to_string(p + 1) + " of `" + fn.name + "` has the wrong type");
        return stores(i.a, fn.result);
    }

    // A parameter pattern of the schema (`collection<T>`, `any`) against an argument type.
    static bool matches(Type param, Type arg) {
        if (param.is(Wrap::collection)) return is_sequence(arg);
        if (param.depth == 0 && param.base == TypeKind::any) return !is_sequence(arg);
        return fits(arg, param);
    }

    Effect construct(const Instr& i) const {
        const auto& fn = schema_.functions()[i.b];
        for (std::size_t p = 0; p < fn.params.size(); ++p) {
            Type arg = value(std::size_t(i.c) + p);
            const auto& param = fn.params[p];
            bool ok = fn.variadic_first && p == 0 ? is_key_list(arg)
                                                  : fits(arg, param.optional ? param.type.optional() : param.type);
            if (!ok) fail("argument " + std::to_string(p + 1) + " of `" + fn.name + "` has the wrong type");
        }
        return stores(i.a, fn.result);
    }

    // `thread`'s keys: strings and numbers, each possibly none.
    static bool is_key_list(Type t) {
        if (!t.is(Wrap::list)) return false;
        Type k = t.inner().without_optional();
        return k.depth == 0 && (k.base == TypeKind::string || k.base == TypeKind::any || is_ordered(k));
    }

    Effect make_collection(const Instr& i) const {
        Type target = value(i.a);
        if (!(i.op == Op::make_list ? target.is(Wrap::list) : target.is(Wrap::set))) fail("the target is not a list or set");
        for (std::size_t k = 0; k < i.c; ++k)
            if (!fits(value(std::size_t(i.b) + k), target.inner())) fail("an item does not fit the collection");
        return fills(i.a);
    }

    Effect next_item(const Instr& i) const {
        Type source = value(i.b);
        if (!is_sequence(source)) fail("iterating over something that is not a list or set");
        if (!(value(std::size_t(i.a) + 1) == stdlib::types::integer)) fail("the loop index is not an int");
        return stores(i.a, source.inner());
    }

    const bytecode::Module& m_;
    const stdlib::Schema& schema_;
    const Function& f_;
    Bits assigned_;
    std::size_t pc_ = 0;
    bool reachable_ = true;
    std::map<std::size_t, Bits> pending_;
    std::map<std::size_t, Bits> loop_heads_;
    std::map<std::size_t, std::vector<std::size_t>> probes_at_;  // by end: the probes read there
};

class ModuleVerifier {
public:
    ModuleVerifier(const bytecode::Module& m, const stdlib::Schema& schema) : m_(m), schema_(schema) {}

    void run() {
        if (m_.schema_hash != schema_.fingerprint())
            reject("the ruleset was compiled against another schema (a different switchyard version): compile the rules again");
        if (auto why = verifier_data::verify_data(m_, schema_)) reject(std::move(*why));
        for (std::size_t p = 0; p < m_.policies.size(); ++p) policy(p);
        for (std::size_t e = 0; e < m_.expectations.size(); ++e) expectation(e);
        for (const auto& t : m_.tests) test(t);
        zones();
    }

private:
    // The time functions look zones up by binary search and their offsets by the shift in force.
    void zones() const {
        for (std::size_t z = 0; z < m_.zones.size(); ++z) {
            const auto& zone = m_.zones[z];
            auto bad = [&](const std::string& why) { reject("zone `" + zone.name + "`: " + why); };
            if (z > 0 && !(m_.zones[z - 1].name < zone.name)) bad("zones are not sorted by name, or one is repeated");
            if (zone.shifts.empty() || zone.shifts.front().from_ms != std::numeric_limits<std::int64_t>::min())
                bad("its first shift must start at the smallest time");
            for (std::size_t i = 0; i < zone.shifts.size(); ++i) {
                if (i > 0 && zone.shifts[i].from_ms <= zone.shifts[i - 1].from_ms) bad("its shifts are not in time order");
                if (zone.shifts[i].offset_s < -24 * 3600 || zone.shifts[i].offset_s > 24 * 3600)
                    bad("an offset is more than a day");
            }
        }
    }

    void policy(std::size_t p) {
        const auto& f = m_.policies[p];
        std::string name = "policy " + std::to_string(p);
        if (f.kind >= schema_.kinds().size()) reject(name + ": unknown policy kind");
        const auto& kind = schema_.kinds()[f.kind];
        name = "`" + kind.name + "` policy " + std::to_string(p);
        if (f.file < m_.sources.size()) name += " (" + m_.sources[f.file].path + ":" + std::to_string(f.line) + ")";
        else reject(name + ": its source file is out of range");
        if (!(f.result == kind.result)) reject(name + ": its result type is not its kind's");
        if (f.scope.size() != schema_.dimensions().size()) reject(name + ": its scope does not name every dimension");
        for (std::size_t d = 0; d < f.scope.size(); ++d) {
            auto members = schema_.enums()[schema_.dimensions()[d].enum_index].members.size();
            if (members < 64 && (f.scope[d] >> members) != 0) reject(name + ": its scope names unknown values");
        }
        if (f.inputs != kind.bindings.size()) reject(name + ": its inputs are not its kind's facts");
        for (std::size_t b = 0; b < f.inputs && b < f.registers.size(); ++b)
            if (!(f.registers[b].type == kind.bindings[b].type) || f.registers[b].builder)
                reject(name + ": input " + std::to_string(b) + " is not of the type of `" + kind.bindings[b].name + "`");
        body(name, f, false);
    }

    void expectation(std::size_t e) {
        const auto& f = m_.expectations[e];
        std::string name = "expectation " + std::to_string(e);
        if (f.file >= m_.sources.size()) reject(name + ": its source file is out of range");
        if (!(f.result == stdlib::types::boolean)) reject(name + ": it does not yield a bool");
        const auto& kinds = schema_.kinds();
        if (f.inputs != kinds.size()) reject(name + ": its inputs are not the results of every kind");
        for (std::size_t k = 0; k < f.inputs && k < f.registers.size(); ++k)
            if (!(f.registers[k].type == kinds[k].result) || f.registers[k].builder)
                reject(name + ": input " + std::to_string(k) + " is not the result of `" + kinds[k].name + "`");
        body(name, f, true);
    }

    // The code, then the footprint: recomputed from the code once it is known to be sound, it
    // must be exactly the one the file declares, since the worker loads facts by it.
    void body(const std::string& name, const Function& f, bool expectation) {
        try {
            FunctionVerifier(m_, schema_, f).run();
        } catch (const Rejected& r) {
            reject(name + ": " + r.message);
        }
        if (auto why = bytecode::footprint_mismatch(f, bytecode::input_names(f, expectation, schema_), schema_))
            reject(name + ": " + *why);
    }

    void test(const bytecode::Test& t) {
        if (t.file >= m_.sources.size()) reject("test \"" + t.name + "\": its source file is out of range");
        for (auto e : t.expects)
            if (e >= m_.expectations.size()) reject("test \"" + t.name + "\": an expectation is out of range");
    }

    const bytecode::Module& m_;
    const stdlib::Schema& schema_;
};

}  // namespace

std::optional<std::string> verify(const bytecode::Module& module, const stdlib::Schema& schema) {
    return first_rejection([&] { ModuleVerifier(module, schema).run(); });
}

}  // namespace switchyard::vm
