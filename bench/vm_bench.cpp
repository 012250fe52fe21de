// BM_VM: the shipped rules (rules/planfix.rules), compiled and run by the VM over the event mix
// that BM_Native and the Lua benchmarks run. Before timing, every event's decisions are checked
// against the hand-written C++ (bench/native_policies.cpp): a benchmark of wrong answers is
// worth nothing.
#include "bench/event_mix.hpp"
#include "bench/native_policies.hpp"
#include "bench/shipped_rules.hpp"
#include "compiler/lower.hpp"
#include "runtime/engine/engine.hpp"

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

namespace {

namespace bench = switchyard::bench;
namespace sy = switchyard;

// The engine's decisions without the locations, as bench::to_json writes them.
boost::json::array comparable(const boost::json::object& decisions) {
    boost::json::array out;
    for (const auto& d : decisions.at("decisions").as_array()) {
        auto o = d.as_object();
        o.erase("policy");
        o.erase("rule");
        out.push_back(std::move(o));
    }
    return out;
}

void check_against_native(sy::engine::Engine& engine, const std::vector<sy::engine::Case>& cases,
                          const std::vector<boost::json::object>& mix) {
    for (std::size_t i = 0; i < cases.size(); ++i) {
        auto vm = comparable(engine.to_json(engine.decide(cases[i])));
        auto native = bench::to_json(bench::decide(bench::native_case_from_json(mix[i])));
        if (vm != native) {
            std::cerr << "vm_bench: the VM and the hand-written C++ disagree on event " << i << ":\n  case   "
                      << boost::json::serialize(mix[i]) << "\n  vm     " << boost::json::serialize(vm) << "\n  native "
                      << boost::json::serialize(native) << '\n';
            std::abort();
        }
    }
}

void BM_VM(benchmark::State& state) {
    auto image = bench::shipped_rules();
    auto mix = bench::benchmark_mix();
    std::vector<sy::engine::Case> cases;
    for (const auto& json : mix) cases.push_back(sy::engine::Case::from_json(*image, json));
    sy::engine::Engine engine(image);
    check_against_native(engine, cases, mix);

    for (auto _ : state) {
        std::size_t decisions = 0;
        for (const auto& c : cases) decisions += engine.decide(c).size();
        benchmark::DoNotOptimize(decisions);
    }
    const auto events = static_cast<double>(cases.size());
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(cases.size()));
    state.counters["per_event"] =
        benchmark::Counter(events, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_VM)->Unit(benchmark::kMicrosecond);

}  // namespace
