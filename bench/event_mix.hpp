// A realistic mix of events for the planfix ruleset, as cases in the JSON format of
// docs/cases.md: private Telegram texts, groups and channels with mentions and the facts their
// notification policy asks about, files of every kind from 1 KB to 200 MB, completed tasks,
// Telegram Business replies, WhatsApp and Instagram traffic both ways, outbound deliveries,
// reactions, bot commands, alerts and quick replies.
#pragma once

#include <boost/json.hpp>

#include <cstddef>
#include <vector>

namespace switchyard::bench {

// `n` cases, the same ones for the same `n` and `seed` on every platform. Ids stay below 2^53
// so that Lua implementations whose numbers are doubles (LuaJIT) read them exactly.
std::vector<boost::json::object> event_mix(std::size_t n, unsigned seed);

// The mix every benchmark runs, so that their times per event compare: seed 2026, and
// SWITCHYARD_BENCH_EVENTS events (2000 when the variable is not set).
std::vector<boost::json::object> benchmark_mix();

}  // namespace switchyard::bench
