#include "cli/commands.hpp"

#include "bytecode/disasm.hpp"
#include "bytecode/serialize.hpp"
#include "cli/cli.hpp"
#include "compiler/lower.hpp"
#include "runtime/engine/engine.hpp"

#include <boost/json.hpp>

#include <fstream>
#include <ostream>
#include <sstream>

namespace switchyard::cli {

std::optional<std::string> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::optional<std::string> source_text(const bytecode::SourceFile& src) {
    if (bytecode::fnv1a(src.text) == src.hash) return src.text;
    auto text = read_file(src.path);
    if (!text || bytecode::fnv1a(*text) != src.hash) return std::nullopt;
    return text;
}

void report_load_errors(const std::vector<compiler::LoadError>& errors, std::ostream& err) {
    for (const auto& e : errors) err << "switchyard: error: cannot read `" << e.path << "`: " << e.reason << '\n';
}

Compiled compile_paths(const std::vector<std::string>& paths, bool include_tests, std::ostream& out, std::ostream& err) {
    common::DiagnosticBag bag;
    std::vector<compiler::LoadError> load_errors;
    Compiled c{compiler::load_workspace(paths, bag, load_errors), {}};
    report_load_errors(load_errors, err);
    if (!load_errors.empty()) throw Failed{exit_usage};
    auto checked = compiler::check(c.ws, bag);
    std::optional<bytecode::Module> module;
    if (!bag.has_errors() && checked.programs.size() > 1) {
        err << "switchyard: error: these files make " << checked.programs.size()
            << " rulesets, one per file that no other imports:";
        for (const auto& p : checked.programs) err << ' ' << c.ws.files[p.root].path;
        err << "\nname the root file (the one that imports the others), or import them from one file\n";
        throw Failed{exit_usage};
    }
    if (!bag.has_errors() && !checked.programs.empty())
        module = compiler::lower(c.ws, checked.programs.front(), bag, {include_tests});
    auto diagnostics = bag.sorted(c.ws.sources);
    if (!diagnostics.empty()) common::render_text(diagnostics, c.ws.sources, out, {false});
    if (!module) {
        if (diagnostics.empty()) err << "switchyard: error: no rule files found\n";
        throw Failed{diagnostics.empty() ? exit_usage : exit_problems};
    }
    c.module = std::move(*module);
    return c;
}

config::Config read_configuration(const std::string& path, std::ostream& err) {
    try {
        return config::load(path);
    } catch (const config::ConfigError& e) {
        err << e.what() << '\n';
        throw Failed{exit_usage};
    }
}

std::shared_ptr<const vm::Image> load_image(bytecode::Module module, std::ostream& err) {
    auto loaded = vm::load_module(std::move(module));
    if (auto* problem = std::get_if<std::string>(&loaded)) {
        err << "switchyard: error: the compiled ruleset was refused: " << *problem << '\n';
        throw Failed{exit_problems};
    }
    return std::get<std::shared_ptr<const vm::Image>>(loaded);
}

std::shared_ptr<const vm::Image> load_ruleset_file(const std::string& path, std::ostream& err) {
    auto bytes = read_file(path);
    if (!bytes) {
        err << "switchyard: error: cannot read `" << path << "`\n";
        throw Failed{exit_usage};
    }
    auto loaded = vm::load(*bytes);
    if (auto* problem = std::get_if<std::string>(&loaded)) {
        err << "switchyard: error: `" << path << "` is refused: " << *problem << '\n';
        throw Failed{exit_problems};
    }
    return std::get<std::shared_ptr<const vm::Image>>(loaded);
}

std::variant<boost::json::value, JsonError> parse_json_text(std::string_view text) {
    boost::json::stream_parser parser;
    boost::system::error_code ec;
    std::size_t used = parser.write_some(text.data(), text.size(), ec);
    if (!ec) parser.finish(ec);
    if (ec) {
        JsonError error{1, 1, "invalid JSON: " + ec.message()};
        for (std::size_t i = 0; i < used && i < text.size(); ++i) {
            bool newline = text[i] == '\n';
            error.line += newline ? 1 : 0;
            error.column = newline ? 1 : error.column + 1;
        }
        return error;
    }
    return parser.release();
}

void pretty(std::ostream& out, const boost::json::value& v, std::string indent) {
    switch (v.kind()) {
        case boost::json::kind::object: {
            const auto& o = v.get_object();
            if (o.empty()) {
                out << "{}";
                return;
            }
            out << "{\n";
            std::size_t i = 0;
            for (const auto& [key, value] : o) {
                out << indent << "  " << boost::json::serialize(boost::json::string(key)) << ": ";
                pretty(out, value, indent + "  ");
                out << (++i < o.size() ? ",\n" : "\n");
            }
            out << indent << "}";
            return;
        }
        case boost::json::kind::array: {
            const auto& a = v.get_array();
            if (a.empty()) {
                out << "[]";
                return;
            }
            out << "[\n";
            for (std::size_t i = 0; i < a.size(); ++i) {
                out << indent << "  ";
                pretty(out, a[i], indent + "  ");
                out << (i + 1 < a.size() ? ",\n" : "\n");
            }
            out << indent << "]";
            return;
        }
        default: out << boost::json::serialize(v);
    }
}


std::pair<std::string, std::uint32_t> split_rule_location(const std::string& rule) {
    auto colon = rule.rfind(':');
    return {rule.substr(0, colon), static_cast<std::uint32_t>(std::stoul(rule.substr(colon + 1)))};
}

std::string trimmed(std::string_view line) {
    auto start = line.find_first_not_of(" \t");
    return std::string(start == std::string_view::npos ? line : line.substr(start));
}

namespace {

// A bool as a trace column: `true ` and `false` line up.
std::string_view truth(const boost::json::value& v) { return v.as_bool() ? "true " : "false"; }

// The parts of a condition, a line each under its rule, their own parts indented under them.
void write_parts(std::ostream& out, const boost::json::array& parts, const std::string& indent) {
    for (const auto& part : parts) {
        const auto& p = part.as_object();
        out << indent;
        if (const auto* value = p.if_contains("value")) out << truth(*value);
        else out << "(not evaluated)";
        out << "  " << p.at("part").as_string().c_str() << '\n';
        if (const auto* inner = p.if_contains("parts")) write_parts(out, inner->as_array(), indent + "  ");
    }
}

// The lets a policy computed, a line each: `let name = value  (file:line)`.
void write_lets(std::ostream& out, const boost::json::object& o, std::string_view indent) {
    const auto* lets = o.if_contains("lets");
    if (!lets) return;
    for (const auto& let : lets->as_array())
        out << indent << "  let " << let.at("let").as_string().c_str() << " = " << boost::json::serialize(let.at("value"))
            << "  (" << let.at("at").as_string().c_str() << ")\n";
}

// The rules a policy tried, each with its condition's value and its source line, and the
// values of its condition's parts.
void write_trace(std::ostream& out, const boost::json::array& steps, const RuleSource& source_of, std::string_view indent) {
    for (const auto& step : steps) {
        const auto& s = step.as_object();
        std::string rule = s.at("rule").as_string().c_str();
        out << indent << "  " << rule << "  ";
        if (s.contains("condition")) out << truth(s.at("condition"));
        else out << "otherwise";
        if (auto source = source_of(rule); !source.empty()) out << "  " << source;
        out << '\n';
        if (const auto* parts = s.if_contains("parts")) write_parts(out, parts->as_array(), std::string(indent) + "    ");
    }
}

}  // namespace

void write_decisions(std::ostream& out, const boost::json::array& decisions, const RuleSource& source_of,
                     std::string_view indent) {
    for (const auto& d : decisions) {
        const auto& o = d.as_object();
        out << indent << o.at("kind").as_string().c_str();
        if (o.contains("value")) out << " = " << boost::json::serialize(o.at("value"));
        else out << ": " << o.at("error").as_string().c_str();
        out << "  (policy " << o.at("policy").as_string().c_str() << ")\n";
        if (!o.contains("trace")) continue;
        if (const auto* read = o.if_contains("read")) {
            out << indent << "  read:";
            const char* separator = " ";
            for (const auto& [path, value] : read->as_object()) {
                out << separator << path << " = " << boost::json::serialize(value);
                separator = ", ";
            }
            out << '\n';
        }
        // The policies that deferred (`-> next`) first, each with the rules it tried.
        if (const auto* deferred = o.if_contains("deferred")) {
            for (const auto& deferral : deferred->as_array()) {
                out << indent << "  deferred by policy " << deferral.at("policy").as_string().c_str() << ":\n";
                write_lets(out, deferral.as_object(), indent);
                write_trace(out, deferral.at("trace").as_array(), source_of, indent);
            }
            out << indent << "  then policy " << o.at("policy").as_string().c_str() << ":\n";
        }
        write_lets(out, o, indent);
        write_trace(out, o.at("trace").as_array(), source_of, indent);
    }
}

int run_compile(const CompileOptions& options, std::ostream& out, std::ostream& err) {
    return guarded([&] {
        auto c = compile_paths(options.paths, false, out, err);
        load_image(c.module, err);  // never write a file the loader would refuse
        std::string bytes = bytecode::write(c.module);
        std::ofstream file(options.output, std::ios::binary | std::ios::trunc);
        file << bytes;
        file.close();
        if (!file) {
            err << "switchyard: error: cannot write `" << options.output << "`\n";
            return int(exit_usage);
        }
        auto count = [](std::size_t n, const char* one, const char* many) { return std::to_string(n) + " " + (n == 1 ? one : many); };
        out << "compiled ruleset " << c.module.name << " (" << count(c.module.sources.size(), "file", "files") << ", "
            << count(c.module.policies.size(), "policy", "policies") << ", "
            << count(c.module.settings.size(), "setting", "settings") << ") to "
            << options.output << " (" << bytes.size() << " bytes)\n";
        return int(exit_ok);
    });
}

int run_disasm(const DisasmOptions& options, std::ostream& out, std::ostream& err) {
    return guarded([&] {
        auto bytes = read_file(options.file);
        if (!bytes) {
            err << "switchyard: error: cannot read `" << options.file << "`\n";
            return int(exit_usage);
        }
        auto read = bytecode::read(*bytes);
        if (auto* e = std::get_if<bytecode::ReadError>(&read)) {
            err << "switchyard: error: `" << options.file << "` is refused: at byte " << e->offset << ": " << e->message << '\n';
            return int(exit_problems);
        }
        const auto& module = std::get<bytecode::Module>(read);
        // Everything the loader checks, policy overlaps included.
        auto loaded = vm::load_module(module);
        auto* refused = std::get_if<std::string>(&loaded);
        auto problem = refused ? std::optional<std::string>(*refused) : std::nullopt;
        // An unverified module may hold any index: it is not listed.
        if (problem) {
            err << "switchyard: error: `" << options.file << "` is refused by the verifier: " << *problem << '\n';
            return int(exit_problems);
        }
        out << "; " << options.file << ": verified\n";
        out << bytecode::disassemble(module, stdlib::builtin_schema(), source_text);
        return int(exit_ok);
    });
}


}  // namespace switchyard::cli
