// The shipped policies in Lua (bench/policies.lua) over the event mix: BM_Lua54 in
// switchyard_bench_lua54, BM_LuaJIT_Interp and BM_LuaJIT_JIT in switchyard_bench_luajit (the
// same source, built once per library). Before anything is timed, every event's decisions
// from Lua must equal those of the native policies (bench/native_policies.cpp); the program
// stops with the first difference otherwise. Only the calls of `decide` are timed, with the
// number of decisions read back so that no work can be skipped.
#include "bench/event_mix.hpp"
#include "bench/lua_policies.hpp"
#include "bench/native_policies.hpp"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace {

namespace bench = switchyard::bench;
namespace json = boost::json;

std::string policies_script() {
    const char* dir = std::getenv("SWITCHYARD_SOURCE_DIR");
    return std::string(dir ? dir : SWITCHYARD_SOURCE_DIR) + "/bench/policies.lua";
}

// The event mix, read once, with the decisions the native policies make on it.
struct CheckedMix {
    std::vector<json::object> json;
    std::vector<bench::NativeCase> cases;
    std::vector<json::array> expected;
};

const CheckedMix& checked_mix() {
    static const CheckedMix mix = [] {
        CheckedMix m;
        m.json = bench::benchmark_mix();
        for (const json::object& c : m.json) {
            m.cases.push_back(bench::native_case_from_json(c));
            m.expected.push_back(bench::to_json(bench::decide(m.cases.back())));
        }
        return m;
    }();
    return mix;
}

void check_against_native(bench::LuaPolicies& lua, const CheckedMix& mix) {
    for (std::size_t i = 0; i < mix.cases.size(); ++i) {
        const json::array got = lua.decide_json(i);
        if (got == mix.expected[i]) continue;
        std::cerr << bench::LuaPolicies::engine_name() << " and the native policies disagree on event " << i
                  << " of the mix.\ncase:   " << json::serialize(mix.json[i])
                  << "\nnative: " << json::serialize(mix.expected[i]) << "\nlua:    " << json::serialize(got) << "\n";
        std::exit(EXIT_FAILURE);
    }
}

// One Lua state per engine mode, loaded and checked on first use; Google Benchmark calls a
// benchmark several times while it finds its iteration count.
bench::LuaPolicies& checked_policies(bool jit) {
    static std::map<bool, std::unique_ptr<bench::LuaPolicies>> states;
    std::unique_ptr<bench::LuaPolicies>& lua = states[jit];
    if (!lua) {
        try {
            lua = std::make_unique<bench::LuaPolicies>(policies_script(), jit);
            lua->load_cases(checked_mix().cases);
            check_against_native(*lua, checked_mix());
        } catch (const std::exception& e) {
            std::cerr << "switchyard Lua benchmark: " << e.what() << "\n";
            std::exit(EXIT_FAILURE);
        }
    }
    return *lua;
}

void run_lua(benchmark::State& state, bool jit) {
    bench::LuaPolicies& lua = checked_policies(jit);
    for (auto _ : state) benchmark::DoNotOptimize(lua.decide_all());

    // Time per event: `per_event` is seconds per event (printed as e.g. "900n" for 900 ns).
    const auto events = static_cast<std::int64_t>(lua.case_count());
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * events);
    state.counters["per_event"] = benchmark::Counter(
        static_cast<double>(events), benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
    state.SetLabel(bench::LuaPolicies::engine_name());
}

#if SWITCHYARD_LUAJIT
void BM_LuaJIT_Interp(benchmark::State& state) { run_lua(state, false); }
void BM_LuaJIT_JIT(benchmark::State& state) { run_lua(state, true); }
BENCHMARK(BM_LuaJIT_Interp)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_LuaJIT_JIT)->Unit(benchmark::kMicrosecond);
#else
void BM_Lua54(benchmark::State& state) { run_lua(state, true); }
BENCHMARK(BM_Lua54)->Unit(benchmark::kMicrosecond);
#endif

}  // namespace
