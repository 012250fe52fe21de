// Reading TOML: positions of toml++ turned into diagnostics, and typed access to the keys of a
// table that reports every value of the wrong type, unknown key and missing key, and goes on.
// Private to runtime/config: no other code sees toml++.
#pragma once

#include "runtime/config/checks.hpp"
#include "runtime/config/config.hpp"

#include <toml++/toml.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::config::detail {

// The problems of one file, as diagnostics into its text. Every problem is collected and all of
// them are thrown at once, so that an admin fixes a file in one pass instead of one restart per
// mistake.
class Report {
public:
    Report(const std::string& path, std::string_view text);

    common::Diagnostic& add(common::Code code, const toml::source_region& at, std::string message,
                            std::string help = {});
    // A problem of the whole file (a missing table): its first character.
    void add_at_start(common::Code code, std::string message, std::string help = {});
    common::Span span_of(const toml::source_region& at) const;
    common::FileId file() const { return file_; }
    const std::shared_ptr<common::SourceMap>& sources() const { return sources_; }

    // A ConfigError of every problem, sorted by position, when there is any.
    void throw_if_any() const;

private:
    std::shared_ptr<common::SourceMap> sources_;
    common::FileId file_ = 0;
    common::DiagnosticBag bag_;
};

// A table and the dotted name its keys are called by in messages (`integrations.channels`).
struct Section {
    const toml::table* table = nullptr;
    std::string name;

    std::string key(std::string_view k) const { return name.empty() ? std::string(k) : name + "." + std::string(k); }
    const toml::node* get(std::string_view k) const { return table->get(k); }
};

// A value together with where it was written, for checks made after reading.
template <typename T>
struct Located {
    T value;
    toml::source_region at;
};

// `a string`, `an array of tables`: what a node is, for "expected X, found Y".
std::string found(const toml::node& n);

// A TOML value as case JSON (docs/cases.md); dates and times become the text a case reads.
boost::json::value to_json(const toml::node& n);

// Typed access to the keys of a table: every value of the wrong type, unknown key and missing
// key becomes a problem, and the caller gets nothing for it and goes on.
class TableReader {
public:
    explicit TableReader(Report& report) : report_(report) {}

protected:
    common::Diagnostic& problem(common::Code code, const toml::source_region& at, std::string message,
                                std::string help = {}) {
        return report_.add(code, at, std::move(message), std::move(help));
    }
    // A check's fault with the value at `at`, under the key that holds it.
    void fault(const Section& s, std::string_view key, const toml::source_region& at, Fault f) {
        problem(f.code, at, s.key(key) + ": " + f.message, std::move(f.help));
    }
    // The value a check accepted, or nothing when it reported its fault.
    template <typename T>
    std::optional<T> accept(const Section& s, std::string_view key, const toml::source_region& at, Checked<T> checked) {
        if (auto* f = std::get_if<Fault>(&checked)) {
            fault(s, key, at, std::move(*f));
            return std::nullopt;
        }
        return std::get<T>(std::move(checked));
    }
    void note(common::Diagnostic& d, const toml::source_region& at, std::string message) {
        d.notes.push_back({report_.file(), report_.span_of(at), std::move(message)});
    }

    void wrong_type(const Section& s, std::string_view key, const toml::node& n, std::string_view expected);
    // Every key of the section that is not in `keys`, at the key itself, with the closest known one.
    void allow(const Section& s, const std::vector<std::string_view>& keys);
    void missing(const Section& s, std::string_view key, std::string_view why = {});
    // A table the file must have; problems of the whole file point at its first character.
    void missing_table(std::string_view name, std::string help);

    std::optional<Located<std::string>> text(const Section& s, std::string_view key);
    // A string that must be there and must not be empty.
    std::optional<Located<std::string>> required_text(const Section& s, std::string_view key, std::string_view why = {});
    // A string that may be left out but, when given, must not be empty.
    std::optional<Located<std::string>> optional_text(const Section& s, std::string_view key);
    std::optional<Located<std::int64_t>> integer(const Section& s, std::string_view key, std::string_view expected);
    std::optional<bool> boolean(const Section& s, std::string_view key);
    std::optional<Section> table(const Section& s, std::string_view key);
    // `[[name]]` entries; an entry that is not a table is reported and skipped.
    std::vector<Section> tables(const Section& s, std::string_view key);
    // An array of integers; items of another type are reported and skipped.
    std::vector<Located<std::int64_t>> integers(const Section& s, std::string_view key, std::string_view expected);

    Report& report() { return report_; }

private:
    Report& report_;
};

}  // namespace switchyard::config::detail
