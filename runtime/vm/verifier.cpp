// The verifier: a compiled ruleset is checked in full before anything runs, so that the
// interpreter may trust its input. See verify() in image.hpp for what is checked.
#include "bytecode/footprint.hpp"
#include "runtime/vm/host.hpp"
#include "runtime/vm/image.hpp"

#include <algorithm>
#include <map>

namespace switchyard::vm {

using bytecode::Function;
using bytecode::Instr;
using bytecode::Op;
using bytecode::RegType;
using stdlib::Type;
using stdlib::TypeKind;
using stdlib::Wrap;

namespace {

struct Rejected {
    std::string message;
};

[[noreturn]] void reject(std::string message) { throw Rejected{std::move(message)}; }

bool is_numeric(Type t) {
    if (t.depth) return false;
    switch (t.base) {
        case TypeKind::integer:
        case TypeKind::size:
        case TypeKind::duration:
        case TypeKind::time: return true;
        default: return false;
    }
}

bool is_integer_like(Type t) {
    return is_numeric(t) || (t.depth == 0 && (t.base == TypeKind::enumeration || t.base == TypeKind::boolean));
}

bool is_sequence(Type t) { return t.is(Wrap::list) || t.is(Wrap::set); }

// Can a value of type `from` be stored where `to` is expected? The representations agree:
// a `T` is a valid `T?`, `[]` a valid list of anything, and any scalar a valid `any`.
bool fits(Type from, Type to) {
    if (from == to) return true;
    if (from.depth == 0 && from.base == TypeKind::nothing) return true;  // no value has it: `none` is `nothing?`
    if (to.depth == 0 && to.base == TypeKind::any) return !is_sequence(from.without_optional());
    if (to.is_optional()) return fits(from.without_optional(), to.inner());
    if (from.is_optional() || from.depth == 0 || to.depth == 0 || from.outer() != to.outer()) return false;
    Type item = from.inner();
    if (item.depth == 0 && item.base == TypeKind::nothing) return true;  // `[]`, `{}`
    return fits(item, to.inner());
}

bool valid_type(Type t, const stdlib::Schema& schema) {
    if (t.depth > stdlib::max_type_nesting) return false;
    for (std::size_t i = 0; i < t.depth; ++i)
        if (t.wraps[i] == Wrap::collection) return false;
    switch (t.base) {
        case TypeKind::enumeration: return t.decl < schema.enums().size();
        case TypeKind::record: return t.decl < schema.records().size();
        case TypeKind::variant: return t.decl < schema.variants().size();
        case TypeKind::boolean:
        case TypeKind::integer:
        case TypeKind::string:
        case TypeKind::size:
        case TypeKind::duration:
        case TypeKind::time:
        case TypeKind::nothing:
        case TypeKind::any: return true;
        default: return false;
    }
}

class FunctionVerifier {
public:
    FunctionVerifier(const bytecode::Module& m, const stdlib::Schema& schema, const Function& f)
        : m_(m), schema_(schema), f_(f), assigned_(f.registers.size(), false) {}

    void run() {
        check_frame();
        if (f_.code.empty()) reject("the function has no code");
        if (f_.lines.size() != f_.code.size()) reject("the line table does not have one entry per instruction");
        for (const auto& l : f_.lines)
            if (l.rule != bytecode::no_rule && l.rule >= f_.rules.size()) reject("the line table names a rule that does not exist");
        collect_loop_heads();
        for (pc_ = 0; pc_ < f_.code.size(); ++pc_) step();
        if (reachable_) reject("the last instruction falls off the end of the code");
    }

private:
    using Bits = std::vector<bool>;

    void check_frame() {
        if (f_.registers.size() > bytecode::max_registers) reject("too many registers");
        if (f_.inputs > f_.registers.size()) reject("more inputs than registers");
        for (const auto& r : f_.registers) check_type(r.type, "a register");
        for (std::size_t i = 0; i < f_.inputs; ++i) assigned_[i] = true;
    }

    void check_type(Type t, std::string_view what) const {
        if (!valid_type(t, schema_)) reject(std::string(what) + " has an invalid type");
    }

    // Targets of backward jumps: the state there must be remembered for the jumps that return.
    void collect_loop_heads() {
        for (std::size_t pc = 0; pc < f_.code.size(); ++pc) {
            if (auto t = absolute_target(f_.code[pc]); t && *t <= pc) {
                if (f_.code[*t].op != Op::next_item) reject(where(pc) + "a backward jump must go to a `next_item`");
                loop_heads_[*t];
            }
        }
    }

    std::optional<std::size_t> absolute_target(const Instr& i) const {
        switch (i.op) {
            case Op::jump:
            case Op::jump_if_false:
            case Op::jump_if_true:
            case Op::jump_if_none:
            case Op::test_rule: return i.bc();
            default: return std::nullopt;
        }
    }

    std::string where(std::size_t pc) const {
        return "instruction " + std::to_string(pc) + " (" + std::string(bytecode::info(f_.code[pc].op).name) + "): ";
    }
    [[noreturn]] void fail(const std::string& message) const { reject(where(pc_) + message); }

    // ---- register discipline ----

    const RegType& reg(std::size_t r) const {
        if (r >= f_.registers.size()) fail("register " + std::to_string(r) + " is out of range");
        return f_.registers[r];
    }
    Type plain(std::size_t r) const {
        const auto& t = reg(r);
        if (t.builder) fail("register " + std::to_string(r) + " holds a list under construction");
        return t.type;
    }
    Type use(std::size_t r) const {
        Type t = plain(r);
        if (!assigned_[r]) fail("register " + std::to_string(r) + " is read before it is written");
        return t;
    }
    void def(std::size_t r, Type produced) {
        Type t = plain(r);
        if (!fits(produced, t))
            fail("register " + std::to_string(r) + " is `" + schema_.type_name(t) + "` but receives `" +
                 schema_.type_name(produced) + "`");
        assigned_[r] = true;
    }

    // ---- control flow ----

    void branch_to(std::size_t target) {
        if (target >= f_.code.size()) fail("jump target " + std::to_string(target) + " is outside the code");
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
    void branch_forward(std::size_t offset) {
        if (offset == 0) fail("a forward jump of 0");
        branch_to(pc_ + offset);
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

    void step() {
        enter();
        reachable_ = true;
        const Instr& i = f_.code[pc_];
        check(i);
    }

    // ---- the instructions ----

    void check(const Instr& i) {
        const Type boolean = stdlib::types::boolean;
        switch (i.op) {
            case Op::move: def(i.a, use(i.b)); break;
            case Op::load_const:
                if (i.bc() >= m_.constants.size()) fail("constant " + std::to_string(i.bc()) + " is out of range");
                def(i.a, m_.constants[i.bc()].type);
                break;
            case Op::load_setting:
                if (i.b >= m_.settings.size()) fail("setting " + std::to_string(i.b) + " is out of range");
                def(i.a, m_.settings[i.b].type);
                break;
            case Op::load_none:
                if (!plain(i.a).is_optional()) fail("`none` into a register that is not optional");
                assigned_[i.a] = true;
                break;
            case Op::load_bool:
                if (i.b > 1) fail("a bool immediate must be 0 or 1");
                def(i.a, boolean);
                break;
            case Op::get_field:
            case Op::get_field_opt: get_field(i); break;
            case Op::logical_not: expect(use(i.b), boolean, "`not`"), def(i.a, boolean); break;
            case Op::negate: {
                Type t = use(i.b);
                if (!is_numeric(t)) fail("`-` needs a number");
                def(i.a, t);
                break;
            }
            case Op::add:
            case Op::sub: arithmetic(i); break;
            case Op::concat:
                if (i.c == 0) fail("joins no strings");
                for (std::size_t k = 0; k < i.c; ++k) expect(use(std::size_t(i.b) + k), stdlib::types::string, "`+`");
                def(i.a, stdlib::types::string);
                break;
            case Op::list_concat: {
                Type target = plain(i.a);
                if (!target.is(Wrap::list) || !fits(use(i.b), target) || !fits(use(i.c), target))
                    fail("list `+` needs lists of the target's type");
                assigned_[i.a] = true;
                break;
            }
            case Op::equal:
            case Op::not_equal: use(i.b), use(i.c), def(i.a, boolean); break;
            case Op::equal_int:
            case Op::not_equal_int:
                if (!is_integer_like(use(i.b)) || !is_integer_like(use(i.c))) fail("needs two numbers, enum values or bools");
                def(i.a, boolean);
                break;
            case Op::less_int:
            case Op::less_equal_int:
                if (!is_numeric(use(i.b)) || !is_numeric(use(i.c))) fail("needs two numbers");
                def(i.a, boolean);
                break;
            case Op::equal_str:
            case Op::not_equal_str:
            case Op::less_str:
            case Op::less_equal_str:
                expect(use(i.b), stdlib::types::string, "a string comparison");
                expect(use(i.c), stdlib::types::string, "a string comparison");
                def(i.a, boolean);
                break;
            case Op::in_list:
                use(i.b);
                if (!is_sequence(use(i.c))) fail("`in` needs a list or set");
                def(i.a, boolean);
                break;
            case Op::in_set: in_set(i); break;
            case Op::jump:
                branch_to(i.bc());
                reachable_ = false;
                break;
            case Op::jump_if_false:
            case Op::jump_if_true:
            case Op::test_rule:
                expect(use(i.a), boolean, "a condition");
                if (i.op == Op::test_rule && f_.lines[pc_].rule == bytecode::no_rule) fail("a rule test outside any rule");
                branch_to(i.bc());
                break;
            case Op::jump_if_none:
                if (!use(i.a).is_optional()) fail("the value tested for `none` is not optional");
                branch_to(i.bc());
                break;
            case Op::unwrap_or_jump: {
                Type t = use(i.b);
                if (!t.is_optional()) fail("the value unwrapped is not optional");
                branch_forward(i.c);
                def(i.a, t.inner());
                break;
            }
            case Op::ret:
                if (!fits(use(i.a), f_.result)) fail("the result is not of the function's result type");
                reachable_ = false;
                break;
            case Op::no_match: reachable_ = false; break;
            case Op::call: call(i); break;
            case Op::construct: construct(i); break;
            case Op::make_list:
            case Op::make_set: make_collection(i); break;
            case Op::list_builder: {
                const RegType& target = reg(i.a);
                if (!target.builder || !is_sequence(target.type)) fail("the target is not a builder");
                if (!is_sequence(use(i.b))) fail("the source is not a list or set");
                assigned_[i.a] = true;
                break;
            }
            case Op::list_push: {
                const RegType& target = reg(i.a);
                if (!target.builder || !assigned_[i.a]) fail("pushing to something that is not a started builder");
                if (!fits(use(i.b), target.type.inner())) fail("the item does not fit the list");
                break;
            }
            case Op::list_finish: {
                const RegType& source = reg(i.b);
                if (!source.builder || !assigned_[i.b]) fail("finishing something that is not a started builder");
                def(i.a, source.type);
                break;
            }
            case Op::next_item: next_item(i); break;
        }
    }

    void expect(Type t, Type want, std::string_view what) const {
        if (!(t == want)) fail(std::string(what) + " needs `" + schema_.type_name(want) + "`, found `" + schema_.type_name(t) + "`");
    }

    void get_field(const Instr& i) {
        Type object = use(i.b);
        bool optional = i.op == Op::get_field_opt;
        if (optional != object.is_optional()) fail(optional ? "the object is not optional" : "the object may be none");
        Type rec = object.without_optional();
        if (rec.depth || rec.base != TypeKind::record) fail("field access on something that is not a record");
        const auto& decl = schema_.record_of(rec);
        if (i.c >= decl.fields.size()) fail("field slot " + std::to_string(i.c) + " is out of range for `" + decl.name + "`");
        Type field = decl.fields[i.c].type;
        def(i.a, optional ? field.optional() : field);
    }

    void arithmetic(const Instr& i) {
        Type l = use(i.b), r = use(i.c);
        if (!is_numeric(l) || !is_numeric(r)) fail("arithmetic needs numbers");
        bool elapsed = i.op == Op::sub && l == stdlib::types::time && r == stdlib::types::time;
        def(i.a, elapsed ? stdlib::types::duration : l);
    }

    void in_set(const Instr& i) {
        if (i.c >= m_.sets.size()) fail("constant set " + std::to_string(i.c) + " is out of range");
        Type v = use(i.b).without_optional();
        const auto& set = m_.sets[i.c];
        bool ok = set.kind == bytecode::SetKind::strings ? v == stdlib::types::string : is_integer_like(v);
        if (!ok) fail("the value does not match the kind of the set");
        def(i.a, stdlib::types::boolean);
    }

    void call(const Instr& i) {
        if (i.b >= schema_.functions().size()) fail("function " + std::to_string(i.b) + " is out of range");
        const auto& fn = schema_.functions()[i.b];
        if (fn.role == stdlib::FunctionRole::constructor || !find_host_function(fn.name))
            fail("`" + fn.name + "` is not a host function");
        for (std::size_t p = 0; p < fn.params.size(); ++p) {
            Type arg = use(std::size_t(i.c) + p);
            if (!matches(fn.params[p].type, arg))
                fail("argument " + std::to_string(p + 1) + " of `" + fn.name + "` has the wrong type");
        }
        def(i.a, fn.result);
    }

    // A parameter pattern of the schema (`collection<T>`, `any`) against an argument type.
    bool matches(Type param, Type arg) const {
        if (param.is(Wrap::collection)) return is_sequence(arg);
        if (param.depth == 0 && param.base == TypeKind::any) return !is_sequence(arg);
        return fits(arg, param);
    }

    void construct(const Instr& i) {
        if (i.b >= schema_.functions().size()) fail("function " + std::to_string(i.b) + " is out of range");
        const auto& fn = schema_.functions()[i.b];
        if (fn.role != stdlib::FunctionRole::constructor) fail("`" + fn.name + "` is not a constructor");
        for (std::size_t p = 0; p < fn.params.size(); ++p) {
            Type arg = use(std::size_t(i.c) + p);
            const auto& param = fn.params[p];
            bool ok = fn.variadic_first && p == 0 ? is_key_list(arg)
                                                  : fits(arg, param.optional ? param.type.optional() : param.type);
            if (!ok) fail("argument " + std::to_string(p + 1) + " of `" + fn.name + "` has the wrong type");
        }
        def(i.a, fn.result);
    }

    // `thread`'s keys: strings and numbers, each possibly none.
    static bool is_key_list(Type t) {
        if (!t.is(Wrap::list)) return false;
        Type k = t.inner().without_optional();
        return k.depth == 0 && (k.base == TypeKind::string || k.base == TypeKind::any || is_numeric(k));
    }

    void make_collection(const Instr& i) {
        Type target = plain(i.a);
        if (!(i.op == Op::make_list ? target.is(Wrap::list) : target.is(Wrap::set))) fail("the target is not a list or set");
        for (std::size_t k = 0; k < i.c; ++k)
            if (!fits(use(std::size_t(i.b) + k), target.inner())) fail("an item does not fit the collection");
        assigned_[i.a] = true;
    }

    void next_item(const Instr& i) {
        Type source = use(i.b);
        if (!is_sequence(source)) fail("iterating over something that is not a list or set");
        if (!(use(std::size_t(i.a) + 1) == stdlib::types::integer)) fail("the loop index is not an int");
        branch_forward(i.c);
        def(i.a, source.inner());
    }

    const bytecode::Module& m_;
    const stdlib::Schema& schema_;
    const Function& f_;
    Bits assigned_;
    std::size_t pc_ = 0;
    bool reachable_ = true;
    std::map<std::size_t, Bits> pending_;
    std::map<std::size_t, Bits> loop_heads_;
};

class ModuleVerifier {
public:
    ModuleVerifier(const bytecode::Module& m, const stdlib::Schema& schema) : m_(m), schema_(schema) {}

    void run() {
        if (m_.schema_hash != schema_.fingerprint())
            reject("the ruleset was compiled against another schema (a different switchyard version): compile the rules again");
        for (std::size_t k = 0; k < m_.constants.size(); ++k) constant(k);
        for (std::size_t s = 0; s < m_.sets.size(); ++s) set(s);
        for (const auto& s : m_.settings) setting(s);
        for (std::size_t p = 0; p < m_.policies.size(); ++p) policy(p);
        for (std::size_t e = 0; e < m_.expectations.size(); ++e) expectation(e);
        for (const auto& t : m_.tests) test(t);
    }

private:
    void constant(std::size_t k) {
        const auto& c = m_.constants[k];
        auto bad = [&](const std::string& why) { reject("constant " + std::to_string(k) + ": " + why); };
        Type t = c.type;
        if (!valid_type(t, schema_)) bad("an invalid type");
        for (auto p : c.parts)
            if (p >= k) bad("refers to a later constant");
        auto part_type = [&](std::size_t n) { return m_.constants[c.parts[n]].type; };
        switch (c.kind) {
            case bytecode::ConstKind::none:
                if (!t.is_optional()) bad("`none` of a type that is not optional");
                break;
            case bytecode::ConstKind::boolean:
                if (!(t.without_optional() == stdlib::types::boolean) || c.number < 0 || c.number > 1) bad("not a bool");
                break;
            case bytecode::ConstKind::integer: {
                Type b = t.without_optional();
                if (!is_integer_like(b)) bad("not a number");
                if (b.base == TypeKind::enumeration &&
                    (b.decl >= schema_.enums().size() || c.number < 0 ||
                     std::size_t(c.number) >= schema_.enums()[b.decl].members.size()))
                    bad("not a member of its enum");
                if (b.base == TypeKind::boolean && (c.number < 0 || c.number > 1)) bad("not a bool");
                break;
            }
            case bytecode::ConstKind::string:
                if (!(t.without_optional() == stdlib::types::string)) bad("not a string");
                break;
            case bytecode::ConstKind::list:
            case bytecode::ConstKind::set: {
                Type b = t.without_optional();
                bool list = c.kind == bytecode::ConstKind::list;
                if (!(list ? b.is(Wrap::list) : b.is(Wrap::set))) bad("a collection of the wrong type");
                for (std::size_t n = 0; n < c.parts.size(); ++n)
                    if (!fits(part_type(n), b.inner())) bad("an item of the wrong type");
                break;
            }
            case bytecode::ConstKind::record: {
                Type b = t.without_optional();
                if (b.depth || b.base != TypeKind::record || b.decl >= schema_.records().size()) bad("not a record");
                const auto& rec = schema_.records()[b.decl];
                if (c.parts.size() != rec.fields.size()) bad("a record with the wrong number of fields");
                for (std::size_t n = 0; n < c.parts.size(); ++n)
                    if (!fits(part_type(n), rec.fields[n].type)) bad("a field of the wrong type");
                break;
            }
            case bytecode::ConstKind::variant: {
                if (c.number < 0 || std::size_t(c.number) >= schema_.functions().size()) bad("an unknown constructor");
                const auto& fn = schema_.functions()[std::size_t(c.number)];
                if (fn.role != stdlib::FunctionRole::constructor || !(fn.result == t.without_optional()))
                    bad("not a constructor of its type");
                if (c.parts.size() != fn.params.size()) bad("the wrong number of arguments");
                for (std::size_t n = 0; n < c.parts.size(); ++n) {
                    const auto& p = fn.params[n];
                    bool ok = fn.variadic_first && n == 0 ? part_type(n).is(Wrap::list)
                                                          : fits(part_type(n), p.optional ? p.type.optional() : p.type);
                    if (!ok) bad("an argument of the wrong type");
                }
                break;
            }
        }
    }

    void set(std::size_t s) {
        const auto& set = m_.sets[s];
        auto bad = [&](const std::string& why) { reject("constant set " + std::to_string(s) + ": " + why); };
        if (!std::is_sorted(set.integers.begin(), set.integers.end()) ||
            std::adjacent_find(set.integers.begin(), set.integers.end()) != set.integers.end())
            bad("its numbers are not sorted and unique");
        if (!std::is_sorted(set.strings.begin(), set.strings.end()) ||
            std::adjacent_find(set.strings.begin(), set.strings.end()) != set.strings.end())
            bad("its strings are not sorted and unique");
    }

    void setting(const bytecode::Setting& s) {
        if (s.default_value >= m_.constants.size()) reject("setting `" + s.name + "`: its default is out of range");
        if (!valid_type(s.type, schema_) || !fits(m_.constants[s.default_value].type, s.type))
            reject("setting `" + s.name + "`: its default does not fit its type");
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
    try {
        ModuleVerifier(module, schema).run();
    } catch (const Rejected& r) {
        return r.message;
    }
    return std::nullopt;
}

}  // namespace switchyard::vm
