#include "bytecode/disasm.hpp"

#include "bytecode/footprint.hpp"

#include <cstdio>
#include <sstream>

namespace switchyard::bytecode {

namespace {

std::string hex(std::uint64_t v) {
    char buf[20];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
    return buf;
}

std::string pad(std::string s, std::size_t width) {
    if (s.size() < width) s.resize(width, ' ');
    return s;
}

class Lister {
public:
    Lister(const Module& m, const stdlib::Schema& schema, const SourceReader& read) : m_(m), schema_(schema) {
        for (const auto& src : m.sources) {
            std::vector<std::string> lines;
            if (read) {
                if (auto text = read(src)) {
                    std::istringstream in(*text);
                    for (std::string line; std::getline(in, line);) lines.push_back(line);
                }
            }
            lines_.push_back(std::move(lines));
        }
    }

    std::string run() {
        out_ << "ruleset " << m_.name << "\n";
        out_ << "  format " << format_version << ", schema " << hex(m_.schema_hash) << ", sources " << hex(m_.source_hash) << "\n";
        out_ << "\nsources\n";
        for (std::size_t i = 0; i < m_.sources.size(); ++i)
            out_ << "  " << i << "  " << m_.sources[i].path << "  " << hex(m_.sources[i].hash) << "\n";
        out_ << "\nsettings\n";
        for (const auto& s : m_.settings)
            out_ << "  " << s.name << ": " << schema_.type_name(s.type) << " = " << constant(s.default_value) << "\n";
        if (!m_.contact_fields.empty()) out_ << "\ncontact fields\n";  // most rulesets declare none
        for (const auto& s : m_.contact_fields)
            out_ << "  " << s.name << ": " << schema_.type_name(s.type) << " = " << constant(s.default_value) << "\n";
        out_ << "\nconstants\n";
        for (std::size_t k = 0; k < m_.constants.size(); ++k)
            out_ << "  k" << k << "  " << schema_.type_name(m_.constants[k].type) << "  " << constant(static_cast<std::uint32_t>(k)) << "\n";
        out_ << "\nsets\n";
        for (std::size_t s = 0; s < m_.sets.size(); ++s) out_ << "  t" << s << "  " << set(m_.sets[s]) << "\n";
        for (const auto& f : m_.policies) function(f, "policy " + schema_.kinds().at(f.kind).name + scope(f), false);
        for (const auto& t : m_.tests) {
            out_ << "\ntest \"" << t.name << "\"  " << where(t.file, t.line) << "\n  given " << t.case_json << "\n";
            for (auto e : t.expects) function(m_.expectations.at(e), "expect", true);
        }
        return out_.str();
    }

private:
    std::string where(std::uint32_t file, std::uint32_t line) const {
        return (file < m_.sources.size() ? m_.sources[file].path : "?") + ":" + std::to_string(line);
    }

    std::string source_line(std::uint32_t file, std::uint32_t line) const {
        if (file >= lines_.size() || line == 0 || line > lines_[file].size()) return {};
        std::string text = lines_[file][line - 1];
        auto start = text.find_first_not_of(' ');
        return start == std::string::npos ? std::string() : text.substr(start);
    }

    std::string constant(std::uint32_t k) const {
        if (k >= m_.constants.size()) return "k?";
        const auto& c = m_.constants[k];
        stdlib::Type t = c.type.without_optional();
        switch (c.kind) {
            case ConstKind::none: return "none";
            case ConstKind::boolean: return c.number ? "true" : "false";
            case ConstKind::integer:
                if (t.base == stdlib::TypeKind::enumeration && t.decl < schema_.enums().size() && c.number >= 0 &&
                    std::size_t(c.number) < schema_.enums()[t.decl].members.size())
                    return schema_.enums()[t.decl].members[std::size_t(c.number)];
                return std::to_string(c.number);
            case ConstKind::string: return "\"" + c.text + "\"";
            case ConstKind::variant: {
                std::string s = c.number >= 0 && std::size_t(c.number) < schema_.functions().size()
                                    ? schema_.functions()[std::size_t(c.number)].name
                                    : "?";
                return s + parts(c, "(", ")");
            }
            case ConstKind::record: return parts(c, "{", "}");
            case ConstKind::set: return parts(c, "{", "}");
            case ConstKind::list: return parts(c, "[", "]");
        }
        return "?";
    }

    std::string parts(const Constant& c, const char* open, const char* close) const {
        std::string s = open;
        for (std::size_t i = 0; i < c.parts.size(); ++i) s += (i ? ", " : "") + constant(c.parts[i]);
        return s + close;
    }

    std::string set(const ConstSet& s) const {
        switch (s.kind) {
            case SetKind::mask: return "mask " + hex(s.mask);
            case SetKind::integers: {
                std::string out = "integers {";
                for (std::size_t i = 0; i < s.integers.size(); ++i) out += (i ? ", " : "") + std::to_string(s.integers[i]);
                return out + "}";
            }
            case SetKind::strings: {
                std::string out = "strings {";
                for (std::size_t i = 0; i < s.strings.size(); ++i) out += (i ? ", \"" : "\"") + s.strings[i] + "\"";
                return out + "}";
            }
        }
        return "?";
    }

    std::string scope(const Function& f) const {
        std::string s;
        const auto& dims = schema_.dimensions();
        for (std::size_t d = 0; d < dims.size() && d < f.scope.size(); ++d) {
            const auto& members = schema_.enums()[dims[d].enum_index].members;
            std::string values;
            std::size_t n = 0;
            for (std::size_t i = 0; i < members.size(); ++i)
                if ((f.scope[d] >> i) & 1) values += (n++ ? ", " : "") + members[i];
            if (n != members.size()) s += " " + dims[d].keyword + " " + values;
        }
        return s + (f.priority ? " priority " + std::to_string(f.priority) : "");
    }

    std::string operand(Operand kind, std::uint32_t v, const Function& f) const {
        switch (kind) {
            case Operand::R:
            case Operand::W:
            case Operand::U:
            case Operand::L:
            case Operand::A:
            case Operand::P: return "r" + std::to_string(v);
            case Operand::K: return "k" + std::to_string(v) + " (" + constant(v) + ")";
            case Operand::S: return v < m_.settings.size() ? "setting." + m_.settings[v].name : "s" + std::to_string(v);
            case Operand::F: return "." + std::to_string(v);
            case Operand::J: return "->" + std::to_string(v);
            case Operand::O: return "+" + std::to_string(v);
            case Operand::H:
            case Operand::V: return v < schema_.functions().size() ? schema_.functions()[v].name : "f" + std::to_string(v);
            case Operand::T: return "t" + std::to_string(v);
            case Operand::N:
            case Operand::I: return std::to_string(v);
            case Operand::_: return {};
        }
        (void)f;
        return {};
    }

    std::string field_name(const Function& f, const Instr& i) const {
        if (i.b >= f.registers.size()) return {};
        stdlib::Type t = f.registers[i.b].type.without_optional();
        if (t.depth || t.base != stdlib::TypeKind::record || t.decl >= schema_.records().size()) return {};
        if (schema_.records()[t.decl].declared_by_rules)
            return i.c < m_.contact_fields.size() ? "." + m_.contact_fields[i.c].name : std::string();
        const auto& fields = schema_.records()[t.decl].fields;
        return i.c < fields.size() ? "." + fields[i.c].name : std::string();
    }

    void instruction(const Function& f, std::size_t pc) {
        const Instr& i = f.code[pc];
        const OpInfo& op = info(i.op);
        std::vector<std::string> parts;
        std::uint32_t values[3] = {i.a, i.b, i.c};
        bool wide = spans_b_and_c(op.operands[1]);
        for (std::size_t k = 0; k < 3; ++k) {
            if (op.operands[k] == Operand::_ || (wide && k == 2)) continue;
            std::uint32_t v = wide && k == 1 ? i.bc() : values[k];
            std::string text = op.operands[k] == Operand::F ? field_name(f, i) : operand(op.operands[k], v, f);
            if (op.operands[k] == Operand::O) text = "->" + std::to_string(pc + v);
            parts.push_back(text.empty() ? "." + std::to_string(v) : text);
        }
        std::string args;
        for (std::size_t k = 0; k < parts.size(); ++k) args += (k ? ", " : "") + parts[k];
        char num[32];
        std::snprintf(num, sizeof num, "%5zu", pc);
        out_ << "  " << num << "  " << pad(std::string(op.name), 15) << args << "\n";
    }

    void function(const Function& f, const std::string& title, bool expectation) {
        out_ << "\n" << title << "  " << where(f.file, f.line) << "\n";
        out_ << "  " << describe(f.footprint, input_names(f, expectation, schema_), schema_) << "\n";
        out_ << "  registers " << f.registers.size() << " (inputs " << f.inputs << ")";
        for (std::size_t r = 0; r < f.registers.size(); ++r)
            out_ << (r % 6 == 0 ? "\n   " : "") << " r" << r << ":" << schema_.type_name(f.registers[r].type)
                 << (f.registers[r].builder ? "(builder)" : "");
        out_ << "\n";
        std::uint32_t last_line = 0;
        std::uint16_t last_rule = no_rule;
        for (std::size_t pc = 0; pc < f.code.size(); ++pc) {
            const auto& l = pc < f.lines.size() ? f.lines[pc] : LineEntry{0, no_rule};
            if (l.rule != last_rule && l.rule != no_rule && l.rule < f.rules.size())
                out_ << "  rule " << l.rule << (f.rules[l.rule].otherwise ? " (otherwise)" : "") << "\n";
            if (l.line != last_line || l.rule != last_rule) {
                std::string text = source_line(f.file, l.line);
                out_ << "         ; " << where(f.file, l.line) << (text.empty() ? "" : "  " + text) << "\n";
            }
            last_line = l.line;
            last_rule = l.rule;
            instruction(f, pc);
        }
        probes(f);
    }

    // The debug information explanations read: what each value is, and where the code has it.
    void probes(const Function& f) {
        if (f.probes.empty()) return;
        out_ << "  probes " << f.probes.size() << "\n";
        for (std::size_t k = 0; k < f.probes.size(); ++k) {
            const auto& p = f.probes[k];
            out_ << "    p" << k << "  " << (p.kind == ProbeKind::let ? "let  " : "part ") << "r" << p.reg << " at "
                 << p.end << " after [" << p.start << ", " << p.end << ")";
            if (p.kind == ProbeKind::part) out_ << " rule " << p.rule;
            if (p.parent != no_probe) out_ << " in p" << p.parent;
            out_ << "  " << where(f.file, p.line) << "  " << p.text << "\n";
        }
    }

    const Module& m_;
    const stdlib::Schema& schema_;
    std::vector<std::vector<std::string>> lines_;
    std::ostringstream out_;
};

}  // namespace

std::string disassemble(const Module& module, const stdlib::Schema& schema, const SourceReader& read_source) {
    return Lister(module, schema, read_source).run();
}

}  // namespace switchyard::bytecode
