// The shipped policies in Lua (bench/policies.lua), run through the C API of Lua 5.4 or of
// LuaJIT: this file is compiled once per library (SWITCHYARD_LUAJIT 0 or 1), into separate
// executables, because both libraries export the same C symbols.
#pragma once

#include "bench/native_policies.hpp"

#include <boost/json.hpp>

#include <cstddef>
#include <string>
#include <vector>

struct lua_State;

namespace switchyard::bench {

class LuaPolicies {
public:
    // Loads the script into a new Lua state. Under LuaJIT, `jit` false turns the JIT compiler
    // off (the interpreter only); under Lua 5.4 it has no effect. Throws std::runtime_error
    // when the script does not load.
    LuaPolicies(const std::string& script_path, bool jit);
    ~LuaPolicies();
    LuaPolicies(const LuaPolicies&) = delete;
    LuaPolicies& operator=(const LuaPolicies&) = delete;

    // "Lua 5.4.4", "LuaJIT 2.1.0-beta3".
    static std::string engine_name();

    // Converts the cases into Lua tables kept in the state, replacing any loaded before.
    void load_cases(const std::vector<NativeCase>& cases);
    std::size_t case_count() const { return case_count_; }

    // Calls `decide` on every loaded case once; returns how many decisions were made in all.
    // This is what the benchmarks time.
    std::size_t decide_all();

    // Calls `decide` on one case and writes the result as the "decisions" array of
    // docs/cases.md (without "policy" and "rule"), to compare with the native `to_json`.
    boost::json::array decide_json(std::size_t index);

private:
    void push_decide();
    void call_decide();  // decide(case) with the function and the case on the stack

    lua_State* L_ = nullptr;
    int decide_ref_ = 0;
    int none_ref_ = 0;
    int empty_ref_ = 0;
    int cases_ref_ = 0;
    std::size_t case_count_ = 0;
};

}  // namespace switchyard::bench
