// What the end-to-end tests of rulesets share: a server whose rule files are a copy of the
// shipped ones in its own folder (so that a test may edit them), and rulesets compiled from
// edited copies.
#pragma once

#include "tests/cli/cli_run.hpp"
#include "tests/server/e2e_config.hpp"
#include "tests/server/harness.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>

namespace switchyard::testing {


// The end-to-end configuration, its rules in the server's folder: `{{dir}}/rules`.
inline std::string rules_in_dir_config() { return replace_all(e2e_config, "{{source}}/rules", "{{dir}}/rules"); }

inline std::filesystem::path copy_shipped_rules(const std::filesystem::path& dir) {
    auto rules = dir / "rules";
    std::filesystem::copy(source_dir() / "rules", rules);
    return rules;
}

// Replaces the first `from` of the file by `to`.
inline void edit(const std::filesystem::path& file, const std::string& from, const std::string& to) {
    auto text = read_text(file);
    auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), to);
    std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
}

// The rules of `rules` with `from` replaced by `to` in `file` (in a copy), compiled to `out`: the
// compiled file's bytes.
inline std::string compile_edited(const std::filesystem::path& rules, const std::filesystem::path& out, const std::string& from,
                                  const std::string& to, const std::string& file = "common.rules") {
    auto copy = out.parent_path() / (out.stem().string() + "-rules");
    std::filesystem::copy(rules, copy);
    edit(copy / file, from, to);
    auto compiled = run_cli({"compile", copy.string(), "-o", out.string()});
    INFO(compiled.out << compiled.err);
    REQUIRE(compiled.code == 0);
    return read_text(out);
}

// The version /healthz says is serving.
inline std::string serving(std::uint16_t port) {
    return std::string(boost::json::parse(http_request(port, "GET", "/healthz").body).at("ruleset").as_string());
}

// Whether the server printed `text` (so far, or within five seconds).
inline bool wait_for_output(const ServerProcess& server, const std::string& text) {
    for (int i = 0; i < 100; ++i) {
        if (server.output().find(text) != std::string::npos) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
}

}  // namespace switchyard::testing
