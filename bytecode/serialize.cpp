#include "bytecode/serialize.hpp"

#include <cstring>
#include <limits>

namespace switchyard::bytecode {

namespace {

// Header layout: magic (8), version (4), checksum (8), then the checksummed payload.
constexpr std::size_t checksum_offset = magic.size() + 4;
constexpr std::size_t payload_offset = checksum_offset + 8;
// The fewest bytes a function takes (all its vectors empty), for Reader::count: kind 2, scope
// 4, priority 8, file 4, line 4, result 7, registers 4, inputs 2, footprint 8 + 4, rules 4,
// code 4, lines 4, probes 4.
constexpr std::size_t min_function_size = 63;
// The fewest bytes a probe takes: kind 1, rule 2, parent 2, start 4, end 4, register 2, line 4,
// file 2, text 4.
constexpr std::size_t min_probe_size = 25;

class Writer {
public:
    std::string out;

    void u8(std::uint8_t v) { out.push_back(static_cast<char>(v)); }
    void u16(std::uint16_t v) { raw(v); }
    void u32(std::uint32_t v) { raw(v); }
    void u64(std::uint64_t v) { raw(v); }
    void i64(std::int64_t v) { raw(static_cast<std::uint64_t>(v)); }
    void str(std::string_view s) {
        u32(static_cast<std::uint32_t>(s.size()));
        out.append(s);
    }
    void type(const stdlib::Type& t) {
        u8(static_cast<std::uint8_t>(t.base));
        u16(t.decl);
        u8(t.depth);
        for (auto w : t.wraps) u8(static_cast<std::uint8_t>(w));
    }
    template <typename T, typename F>
    void vec(const std::vector<T>& items, F each) {
        u32(static_cast<std::uint32_t>(items.size()));
        for (const auto& item : items) each(item);
    }

    void function(const Function& f) {
        u16(f.kind);
        vec(f.scope, [&](std::uint64_t bits) { u64(bits); });
        i64(f.priority);
        u32(f.file);
        u32(f.line);
        type(f.result);
        vec(f.registers, [&](const RegType& r) {
            type(r.type);
            u8(r.builder ? 1 : 0);
        });
        u16(f.inputs);
        u64(f.footprint.inputs);
        vec(f.footprint.fact_queries, [&](std::uint16_t fn) { u16(fn); });
        vec(f.rules, [&](const Rule& r) {
            u32(r.line);
            u8(r.otherwise ? 1 : 0);
        });
        vec(f.code, [&](const Instr& i) {
            u8(static_cast<std::uint8_t>(i.op));
            u8(0);
            u16(i.a);
            u16(i.b);
            u16(i.c);
        });
        vec(f.lines, [&](const LineEntry& l) {
            u32(l.line);
            u16(l.rule);
        });
        vec(f.probes, [&](const Probe& p) {
            u8(static_cast<std::uint8_t>(p.kind));
            u16(p.rule);
            u16(p.parent);
            u32(p.start);
            u32(p.end);
            u16(p.reg);
            u32(p.line);
            u16(p.file);
            str(p.text);
        });
    }

private:
    // Little-endian, whatever the host.
    template <typename T>
    void raw(T v) {
        for (std::size_t i = 0; i < sizeof(T); ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    }
};

struct Failure {
    ReadError error;
};

class Reader {
public:
    explicit Reader(std::string_view bytes, std::size_t start) : bytes_(bytes), pos_(start) {}

    std::size_t pos() const { return pos_; }
    bool at_end() const { return pos_ == bytes_.size(); }

    [[noreturn]] void fail(std::string message) const { throw Failure{{pos_, std::move(message)}}; }

    std::uint8_t u8(std::string_view what) { return raw<std::uint8_t>(what); }
    std::uint16_t u16(std::string_view what) { return raw<std::uint16_t>(what); }
    std::uint32_t u32(std::string_view what) { return raw<std::uint32_t>(what); }
    std::uint64_t u64(std::string_view what) { return raw<std::uint64_t>(what); }
    std::int64_t i64(std::string_view what) { return static_cast<std::int64_t>(raw<std::uint64_t>(what)); }
    bool flag(std::string_view what) {
        auto v = u8(what);
        if (v > 1) fail(std::string(what) + " must be 0 or 1, found " + std::to_string(v));
        return v == 1;
    }
    std::string str(std::string_view what) {
        auto n = u32(what);
        if (n > remaining()) fail(std::string(what) + ": length " + std::to_string(n) + " runs past the end of the file");
        std::string s(bytes_.substr(pos_, n));
        pos_ += n;
        return s;
    }
    stdlib::Type type(std::string_view what) {
        stdlib::Type t;
        auto base = u8(what);
        if (base > static_cast<std::uint8_t>(stdlib::TypeKind::type_var)) fail(std::string(what) + ": unknown type kind " + std::to_string(base));
        t.base = static_cast<stdlib::TypeKind>(base);
        t.decl = u16(what);
        t.depth = u8(what);
        if (t.depth > stdlib::max_type_nesting) fail(std::string(what) + ": type nested " + std::to_string(t.depth) + " deep");
        for (auto& w : t.wraps) {
            auto v = u8(what);
            if (v > static_cast<std::uint8_t>(stdlib::Wrap::collection)) fail(std::string(what) + ": unknown type wrapper " + std::to_string(v));
            w = static_cast<stdlib::Wrap>(v);
        }
        return t;
    }
    // A count of items that take at least `min_size` bytes each: refused when the file cannot
    // hold that many, so that a hostile count cannot make us allocate.
    std::uint32_t count(std::string_view what, std::size_t min_size) {
        auto n = u32(what);
        if (std::uint64_t(n) * min_size > remaining())
            fail(std::string(what) + ": count " + std::to_string(n) + " runs past the end of the file");
        return n;
    }
    template <typename F>
    auto vec(std::string_view what, std::size_t min_size, F each) {
        auto n = count(what, min_size);
        std::vector<decltype(each())> items;
        items.reserve(n);
        for (std::uint32_t i = 0; i < n; ++i) items.push_back(each());
        return items;
    }

    Function function() {
        Function f;
        f.kind = u16("policy kind");
        f.scope = vec("scope", 8, [&] { return u64("scope"); });
        f.priority = i64("priority");
        f.file = u32("file index");
        f.line = u32("line");
        f.result = type("result type");
        f.registers = vec("registers", 8, [&] {
            RegType r;
            r.type = type("register type");
            r.builder = flag("register builder flag");
            return r;
        });
        f.inputs = u16("input count");
        f.footprint.inputs = u64("footprint inputs");
        f.footprint.fact_queries = vec("footprint fact queries", 2, [&] { return u16("footprint fact query"); });
        f.rules = vec("rules", 5, [&] {
            Rule r;
            r.line = u32("rule line");
            r.otherwise = flag("rule otherwise flag");
            return r;
        });
        f.code = vec("code", 8, [&] { return instruction(); });
        f.lines = vec("line table", 6, [&] {
            LineEntry l;
            l.line = u32("line table");
            l.rule = u16("line table");
            return l;
        });
        f.probes = vec("probes", min_probe_size, [&] { return probe(); });
        return f;
    }

private:
    std::size_t remaining() const { return bytes_.size() - pos_; }

    // What a probe's indexes name (its rule, parent, code range and register) is the verifier's to check.
    Probe probe() {
        Probe p;
        auto kind = u8("probe kind");
        if (kind > static_cast<std::uint8_t>(ProbeKind::part)) fail("unknown probe kind " + std::to_string(kind));
        p.kind = static_cast<ProbeKind>(kind);
        p.rule = u16("probe rule");
        p.parent = u16("probe parent");
        p.start = u32("probe start");
        p.end = u32("probe end");
        p.reg = u16("probe register");
        p.line = u32("probe line");
        p.file = u16("probe file");
        p.text = str("probe text");
        return p;
    }

    Instr instruction() {
        Instr i;
        auto op = u8("opcode");
        if (op >= op_count) fail("unknown opcode " + std::to_string(op));
        i.op = static_cast<Op>(op);
        if (u8("instruction") != 0) fail("reserved instruction byte is not 0");
        i.a = u16("operand");
        i.b = u16("operand");
        i.c = u16("operand");
        return i;
    }

    template <typename T>
    T raw(std::string_view what) {
        if (remaining() < sizeof(T)) fail("the file ends inside " + std::string(what));
        T v = 0;
        for (std::size_t i = 0; i < sizeof(T); ++i)
            v = static_cast<T>(v | (static_cast<T>(static_cast<unsigned char>(bytes_[pos_ + i])) << (8 * i)));
        pos_ += sizeof(T);
        return v;
    }

    std::string_view bytes_;
    std::size_t pos_;
};

Constant read_constant(Reader& r) {
    Constant c;
    c.type = r.type("constant type");
    auto kind = r.u8("constant kind");
    if (kind > static_cast<std::uint8_t>(ConstKind::variant)) r.fail("unknown constant kind " + std::to_string(kind));
    c.kind = static_cast<ConstKind>(kind);
    c.number = r.i64("constant");
    c.text = r.str("constant text");
    c.parts = r.vec("constant parts", 4, [&] { return r.u32("constant part"); });
    return c;
}

ConstSet read_set(Reader& r) {
    ConstSet s;
    auto kind = r.u8("set kind");
    if (kind > static_cast<std::uint8_t>(SetKind::strings)) r.fail("unknown set kind " + std::to_string(kind));
    s.kind = static_cast<SetKind>(kind);
    s.mask = r.u64("set mask");
    s.integers = r.vec("set integers", 8, [&] { return r.i64("set integer"); });
    s.strings = r.vec("set strings", 4, [&] { return r.str("set string"); });
    return s;
}

// A setting and a contact field are written alike; `what` names which in errors.
Setting read_setting(Reader& r, const std::string& what) {
    Setting s;
    s.name = r.str(what + " name");
    s.type = r.type(what + " type");
    s.default_value = r.u32(what + " default");
    s.description = r.str(what + " description");
    return s;
}

Module read_module(Reader& r) {
    Module m;
    m.schema_hash = r.u64("schema hash");
    m.source_hash = r.u64("source hash");
    m.name = r.str("ruleset name");
    m.sources = r.vec("sources", 16, [&] {
        SourceFile s;
        s.path = r.str("source path");
        s.hash = r.u64("source hash");
        s.text = r.str("source text");
        return s;
    });
    m.constants = r.vec("constants", 24, [&] { return read_constant(r); });
    m.sets = r.vec("constant sets", 17, [&] { return read_set(r); });
    m.settings = r.vec("settings", 19, [&] { return read_setting(r, "setting"); });
    m.policies = r.vec("policies", min_function_size, [&] { return r.function(); });
    m.expectations = r.vec("expectations", min_function_size, [&] { return r.function(); });
    m.tests = r.vec("tests", 20, [&] {
        Test t;
        t.name = r.str("test name");
        t.file = r.u32("test file");
        t.line = r.u32("test line");
        t.case_json = r.str("test case");
        t.expects = r.vec("test expectations", 4, [&] { return r.u32("test expectation"); });
        return t;
    });
    m.zones = r.vec("zones", 8, [&] {
        Zone z;
        z.name = r.str("zone name");
        z.shifts = r.vec("zone shifts", 12, [&] {
            ZoneShift s;
            s.from_ms = r.i64("zone shift start");
            s.offset_s = static_cast<std::int32_t>(r.u32("zone offset"));
            return s;
        });
        return z;
    });
    m.contact_fields = r.vec("contact fields", 19, [&] { return read_setting(r, "contact field"); });
    if (!r.at_end()) r.fail("unexpected bytes after the last section");
    return m;
}

// Versions are not read across: an older file lacks what this reader needs (version 1 has no
// footprints), and a newer one may mean something else by the same bytes.
std::string version_mismatch(std::uint32_t version) {
    std::string found = "format version " + std::to_string(version);
    if (version < format_version) return found + ": compiled by an older switchyard: compile the rules again";
    return found + ": compiled by a newer switchyard (this one reads version " + std::to_string(format_version) +
           "): compile the rules again with this one";
}

void store_u64(std::string& file, std::size_t at, std::uint64_t v) {
    for (std::size_t i = 0; i < 8; ++i) file[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

}  // namespace

std::string write(const Module& m) {
    Writer w;
    w.out.append(magic.data(), magic.size());
    w.u32(format_version);
    w.u64(0);  // the checksum, stored below
    w.u64(m.schema_hash);
    w.u64(m.source_hash);
    w.str(m.name);
    w.vec(m.sources, [&](const SourceFile& s) {
        w.str(s.path);
        w.u64(s.hash);
        w.str(s.text);
    });
    w.vec(m.constants, [&](const Constant& c) {
        w.type(c.type);
        w.u8(static_cast<std::uint8_t>(c.kind));
        w.i64(c.number);
        w.str(c.text);
        w.vec(c.parts, [&](std::uint32_t p) { w.u32(p); });
    });
    w.vec(m.sets, [&](const ConstSet& s) {
        w.u8(static_cast<std::uint8_t>(s.kind));
        w.u64(s.mask);
        w.vec(s.integers, [&](std::int64_t v) { w.i64(v); });
        w.vec(s.strings, [&](const std::string& v) { w.str(v); });
    });
    auto setting = [&](const Setting& s) {
        w.str(s.name);
        w.type(s.type);
        w.u32(s.default_value);
        w.str(s.description);
    };
    w.vec(m.settings, setting);
    w.vec(m.policies, [&](const Function& f) { w.function(f); });
    w.vec(m.expectations, [&](const Function& f) { w.function(f); });
    w.vec(m.tests, [&](const Test& t) {
        w.str(t.name);
        w.u32(t.file);
        w.u32(t.line);
        w.str(t.case_json);
        w.vec(t.expects, [&](std::uint32_t e) { w.u32(e); });
    });
    w.vec(m.zones, [&](const Zone& z) {
        w.str(z.name);
        w.vec(z.shifts, [&](const ZoneShift& s) {
            w.i64(s.from_ms);
            w.u32(static_cast<std::uint32_t>(s.offset_s));
        });
    });
    w.vec(m.contact_fields, setting);
    reseal(w.out);
    return std::move(w.out);
}

std::uint64_t checksum_of(std::string_view file) {
    return file.size() < payload_offset ? 0 : fnv1a(file.substr(payload_offset));
}

void reseal(std::string& file) {
    if (file.size() >= payload_offset) store_u64(file, checksum_offset, checksum_of(file));
}

std::variant<Module, ReadError> read(std::string_view bytes, bool check_checksum) {
    try {
        if (bytes.size() < magic.size() || std::memcmp(bytes.data(), magic.data(), magic.size()) != 0)
            return ReadError{0, "not a compiled Switchyard ruleset (the file does not start with SWYDRULE)"};
        Reader r(bytes, magic.size());
        auto version = r.u32("the format version");
        if (version != format_version) return ReadError{magic.size(), version_mismatch(version)};
        auto stored = r.u64("the checksum");
        if (check_checksum && stored != checksum_of(bytes))
            return ReadError{checksum_offset, "checksum mismatch: the file is corrupted or was cut short"};
        return read_module(r);
    } catch (const Failure& f) {
        return f.error;
    }
}

}  // namespace switchyard::bytecode
