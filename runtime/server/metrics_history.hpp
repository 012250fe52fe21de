// The figures of /metrics over the last hour (GET /api/v1/metrics/history): the server samples
// its own /metrics text every 10 s (Server's timer) and keeps the last `capacity` samples, so that
// a console page opened now has the hour before it. Bounded: the oldest sample goes when a new
// one comes; each holds one number per series of /metrics.
#pragma once

#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace switchyard::server {

inline constexpr std::chrono::seconds metrics_sample_interval{10};
inline constexpr std::size_t metrics_history_samples = 360;  // an hour of them

// One sample: when, and each numeric series of the text (`name` or `name{labels}`) with its value.
struct MetricsSample {
    std::int64_t at_ms = 0;
    std::vector<std::pair<std::string, double>> values;
};

// The series of Prometheus text exposition and their values, in the text's order; lines that
// are not a series with a number (comments, blank lines) are left out. `types` gets each
// `# TYPE name type` line.
std::vector<std::pair<std::string, double>> metric_values(std::string_view text, std::map<std::string, std::string>& types);

class MetricsHistory {
public:
    explicit MetricsHistory(std::size_t capacity = metrics_history_samples) : capacity_(capacity) {}

    // A sample of `metrics_text` taken at `at_ms`; the oldest is dropped beyond the capacity.
    void record(std::int64_t at_ms, std::string_view metrics_text);
    std::vector<MetricsSample> samples() const;
    std::size_t capacity() const { return capacity_; }
    // {"interval_seconds", "capacity", "types": {name: type}, "samples": [{"at", "at_ms", "values": {series: number}}]}
    boost::json::object json() const;

private:
    mutable std::mutex mutex_;
    std::size_t capacity_;
    std::deque<MetricsSample> samples_;
    std::map<std::string, std::string> types_;  // by metric name (without labels)
};

}  // namespace switchyard::server
