// BM_Native: the shipped policies written by hand in C++ (bench/native_policies.cpp) over the
// event mix, the lower bound for the VM. Cases are read from JSON before timing; one iteration
// decides every event of the mix once.
#include "bench/event_mix.hpp"
#include "bench/native_policies.hpp"

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace {

namespace bench = switchyard::bench;

void BM_Native(benchmark::State& state) {
    std::vector<bench::NativeCase> cases;
    for (const auto& json : bench::benchmark_mix()) cases.push_back(bench::native_case_from_json(json));

    for (auto _ : state) {
        std::size_t decisions = 0;
        for (const bench::NativeCase& c : cases) {
            bench::NativeDecisions d = bench::decide(c);
            benchmark::DoNotOptimize(d);  // the decisions escape: no allocation may be left out
            decisions += d.size();
        }
        benchmark::DoNotOptimize(decisions);
    }
    // Time per event: `per_event` is seconds per event (printed as e.g. "150n" for 150 ns).
    const auto events = static_cast<double>(cases.size());
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(cases.size()));
    state.counters["per_event"] =
        benchmark::Counter(events, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_Native)->Unit(benchmark::kMicrosecond);

}  // namespace
