#include "runtime/server/metrics_history.hpp"

#include "common/clock.hpp"

#include <charconv>
#include <cmath>
#include <optional>

namespace switchyard::server {

namespace {

std::string_view trimmed(std::string_view line) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    return line;
}

// `# TYPE name type` into `types`.
void read_type(std::string_view line, std::map<std::string, std::string>& types) {
    constexpr std::string_view prefix = "# TYPE ";
    if (!line.starts_with(prefix)) return;
    line.remove_prefix(prefix.size());
    auto space = line.find(' ');
    if (space == std::string_view::npos || space == 0) return;
    types[std::string(line.substr(0, space))] = std::string(line.substr(space + 1));
}

// A series line: its name with its labels, then its value after the last space (no timestamp
// is written by metrics_text).
std::optional<std::pair<std::string, double>> read_series(std::string_view line) {
    auto space = line.rfind(' ');
    if (space == std::string_view::npos || space == 0) return std::nullopt;
    auto number = line.substr(space + 1);
    double value = 0;
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (ec != std::errc() || end != number.data() + number.size() || !std::isfinite(value)) return std::nullopt;
    return std::pair{std::string(line.substr(0, space)), value};
}

// A whole number as one (`12`, not `1.2E1`), anything else as a double.
boost::json::value number_json(double value) {
    constexpr double limit = 9007199254740992.0;  // 2^53: every whole number below is exact
    if (value == std::trunc(value) && std::fabs(value) < limit) return static_cast<std::int64_t>(value);
    return value;
}

}  // namespace

std::vector<std::pair<std::string, double>> metric_values(std::string_view text, std::map<std::string, std::string>& types) {
    std::vector<std::pair<std::string, double>> out;
    while (!text.empty()) {
        auto newline = text.find('\n');
        auto line = trimmed(text.substr(0, newline));
        text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
        if (line.empty()) continue;
        if (line.front() == '#') {
            read_type(line, types);
            continue;
        }
        if (auto series = read_series(line)) out.push_back(std::move(*series));
    }
    return out;
}

void MetricsHistory::record(std::int64_t at_ms, std::string_view metrics_text) {
    std::map<std::string, std::string> types;
    MetricsSample sample{at_ms, metric_values(metrics_text, types)};
    std::lock_guard lock(mutex_);
    for (auto& [name, type] : types) types_[name] = std::move(type);
    samples_.push_back(std::move(sample));
    while (samples_.size() > capacity_) samples_.pop_front();
}

std::vector<MetricsSample> MetricsHistory::samples() const {
    std::lock_guard lock(mutex_);
    return {samples_.begin(), samples_.end()};
}

boost::json::object MetricsHistory::json() const {
    boost::json::object types;
    boost::json::array samples;
    {
        std::lock_guard lock(mutex_);
        for (const auto& [name, type] : types_) types[name] = type;
        for (const auto& s : samples_) {
            boost::json::object values;
            for (const auto& [series, value] : s.values) values[series] = number_json(value);
            samples.push_back(boost::json::object{{"at", common::iso_time(s.at_ms)}, {"at_ms", s.at_ms}, {"values", std::move(values)}});
        }
    }
    return {{"interval_seconds", metrics_sample_interval.count()},
            {"capacity", capacity_},
            {"types", std::move(types)},
            {"samples", std::move(samples)}};
}

}  // namespace switchyard::server
