// Helpers of the differential tests: checking generated rules, pretty JSON for failure reports.
#pragma once

#include "compiler/checker.hpp"
#include "compiler/workspace.hpp"
#include "stdlib/schema.hpp"

#include <boost/json.hpp>

#include <ostream>
#include <sstream>
#include <string>

namespace switchyard::testing {

// One rule file held in memory, loaded and checked in place (the program points into the workspace).
struct CheckedText {
    compiler::Workspace ws;
    compiler::CheckResult result;
    std::vector<common::Diagnostic> diagnostics;
    bool has_errors = false;

    CheckedText(const std::string& path, const std::string& text) {
        common::DiagnosticBag bag;
        ws = compiler::workspace_from_text(path, text, bag);
        result = compiler::check(ws, bag, stdlib::builtin_schema());
        diagnostics = bag.sorted(ws.sources);
        has_errors = bag.has_errors();
    }
    CheckedText(const CheckedText&) = delete;
    CheckedText& operator=(const CheckedText&) = delete;

    const compiler::Program& program() const { return result.programs.at(0); }

    std::string rendered() const {
        std::ostringstream out;
        common::render_text(diagnostics, ws.sources, out);
        return out.str();
    }
};

// Indented JSON, keys in their stored order, so that two outputs can be compared by eye.
inline void write_pretty(std::ostream& out, const boost::json::value& v, const std::string& indent = "") {
    const std::string inner = indent + "  ";
    if (v.is_object() && !v.get_object().empty()) {
        out << "{\n";
        bool first = true;
        for (const auto& [key, value] : v.get_object()) {
            out << (first ? "" : ",\n") << inner << boost::json::serialize(boost::json::string(key)) << ": ";
            write_pretty(out, value, inner);
            first = false;
        }
        out << "\n" << indent << "}";
    } else if (v.is_array() && !v.get_array().empty()) {
        out << "[\n";
        bool first = true;
        for (const auto& item : v.get_array()) {
            out << (first ? "" : ",\n") << inner;
            write_pretty(out, item, inner);
            first = false;
        }
        out << "\n" << indent << "]";
    } else {
        out << boost::json::serialize(v);
    }
}

inline std::string pretty(const boost::json::value& v) {
    std::ostringstream out;
    write_pretty(out, v);
    return out.str();
}

}  // namespace switchyard::testing
