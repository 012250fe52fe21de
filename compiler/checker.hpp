// Name resolution, type checking and lints over a loaded workspace. Reports every problem of
// every file in one run and annotates the syntax trees for lowering.
#pragma once

#include "common/diagnostic.hpp"
#include "compiler/workspace.hpp"
#include "stdlib/schema.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace switchyard::compiler {

// A setting, or a contact field (`decl->contact_field`).
struct CheckedSetting {
    const dsl::SettingDecl* decl;
    common::FileId file;
    stdlib::Type type;
};

struct CheckedLet {
    const dsl::LetDecl* decl;
    common::FileId file;
    stdlib::Type type;
};

struct CheckedPolicy {
    const dsl::PolicyDecl* decl;
    common::FileId file;
    const stdlib::PolicyKindDecl* kind;
    std::vector<std::uint64_t> scope;  // per schema dimension: the member bits it admits
    std::int64_t priority;
};

struct CheckedTest {
    const dsl::TestDecl* decl;
    common::FileId file;
};

// What one root file (and everything it imports) compiles to.
struct Program {
    std::size_t root;       // index into Workspace::files
    std::string name;       // from `ruleset`, or the root file's stem
    std::vector<CheckedSetting> settings;
    std::vector<CheckedSetting> contact_fields;  // the `contact_field`s, in the order of the settings
    std::vector<CheckedLet> lets;  // in dependency order
    std::vector<CheckedPolicy> policies;
    std::vector<CheckedTest> tests;
    std::vector<std::string> zones;  // the time zones its rules name, sorted
};

struct CheckResult {
    std::vector<Program> programs;  // one per requested file that no other requested file imports
};

CheckResult check(Workspace& workspace, common::DiagnosticBag& diagnostics,
                  const stdlib::Schema& schema = stdlib::builtin_schema());

}  // namespace switchyard::compiler
