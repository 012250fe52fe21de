#include "common/unified_diff.hpp"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace switchyard::common {

namespace {

constexpr std::size_t context_lines = 3;  // what `diff -u` shows around each change

// The lines of a text, each with its line break when it has one: a last line without one then
// differs from the same line with one, as it must.
std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        auto end = text.find('\n');
        std::size_t take = end == std::string_view::npos ? text.size() : end + 1;
        lines.push_back(text.substr(0, take));
        text.remove_prefix(take);
    }
    return lines;
}

enum class Edit : std::uint8_t { keep, remove, insert };

// One line of the edit script, with the number of lines of each text that come before it.
struct Step {
    Edit edit;
    std::size_t before_at;
    std::size_t after_at;
};

// Myers' O((N+M)·D) shortest edit script. Each round d keeps only the diagonals -d..d it can
// reach, so memory grows with the square of the number of changes, not with the file's size.
std::vector<Edit> shortest_edit(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b) {
    const auto n = static_cast<std::int64_t>(a.size()), m = static_cast<std::int64_t>(b.size());
    const std::int64_t max = n + m;
    std::vector<std::int64_t> v(static_cast<std::size_t>(2 * max + 3), 0);
    auto at = [&](std::int64_t k) -> std::int64_t& { return v[static_cast<std::size_t>(k + max + 1)]; };
    std::vector<std::vector<std::int64_t>> rounds;  // rounds[d][k + d]: the furthest x on diagonal k before round d
    for (std::int64_t d = 0; d <= max; ++d) {
        rounds.emplace_back();
        for (std::int64_t k = -d; k <= d; ++k) rounds.back().push_back(at(k));
        bool done = false;
        for (std::int64_t k = -d; k <= d && !done; k += 2) {
            std::int64_t x = (k == -d || (k != d && at(k - 1) < at(k + 1))) ? at(k + 1) : at(k - 1) + 1;
            std::int64_t y = x - k;
            while (x < n && y < m && a[static_cast<std::size_t>(x)] == b[static_cast<std::size_t>(y)]) ++x, ++y;
            at(k) = x;
            done = x >= n && y >= m;
        }
        if (done) break;
    }
    std::vector<Edit> script;
    std::int64_t x = n, y = m;
    for (auto d = static_cast<std::int64_t>(rounds.size()) - 1; d > 0; --d) {
        const auto& before = rounds[static_cast<std::size_t>(d)];
        auto reached = [&](std::int64_t k) { return before[static_cast<std::size_t>(k + d)]; };
        std::int64_t k = x - y;
        bool down = k == -d || (k != d && reached(k - 1) < reached(k + 1));
        std::int64_t prev_k = down ? k + 1 : k - 1;
        std::int64_t prev_x = reached(prev_k), prev_y = prev_x - prev_k;
        for (; x > prev_x && y > prev_y; --x, --y) script.push_back(Edit::keep);
        script.push_back(down ? Edit::insert : Edit::remove);
        x = prev_x;
        y = prev_y;
    }
    for (; x > 0; --x) script.push_back(Edit::keep);
    std::reverse(script.begin(), script.end());
    return script;
}

std::vector<Step> number_steps(const std::vector<Edit>& script) {
    std::vector<Step> steps;
    std::size_t before_at = 0, after_at = 0;
    for (auto edit : script) {
        steps.push_back({edit, before_at, after_at});
        if (edit != Edit::insert) ++before_at;
        if (edit != Edit::remove) ++after_at;
    }
    return steps;
}

// `-3,2` or `-3` (one line) or `-2,0` (none: the line before the place), as `diff -u` writes ranges.
std::string hunk_range(char sign, std::size_t start, std::size_t count) {
    std::string range(1, sign);
    range += std::to_string(count == 0 ? start : start + 1);
    if (count != 1) range += "," + std::to_string(count);
    return range;
}

void append_line(std::string& out, char sign, std::string_view line) {
    out += sign;
    out += line;
    if (line.empty() || line.back() != '\n') out += "\n\\ No newline at end of file\n";
}

void append_hunk(std::string& out, const std::vector<Step>& steps, std::size_t first, std::size_t last,
                 const std::vector<std::string_view>& before, const std::vector<std::string_view>& after) {
    std::size_t removed_or_kept = 0, inserted_or_kept = 0;
    for (std::size_t i = first; i < last; ++i) {
        removed_or_kept += steps[i].edit != Edit::insert ? 1 : 0;
        inserted_or_kept += steps[i].edit != Edit::remove ? 1 : 0;
    }
    out += "@@ " + hunk_range('-', steps[first].before_at, removed_or_kept) + " " +
           hunk_range('+', steps[first].after_at, inserted_or_kept) + " @@\n";
    for (std::size_t i = first; i < last; ++i) {
        const auto& s = steps[i];
        if (s.edit == Edit::insert) append_line(out, '+', after[s.after_at]);
        else append_line(out, s.edit == Edit::remove ? '-' : ' ', before[s.before_at]);
    }
}

}  // namespace

std::string unified_diff(std::string_view path, std::string_view before, std::string_view after) {
    return unified_diff(path, path, before, after);
}

std::string unified_diff(std::string_view before_name, std::string_view after_name, std::string_view before_text,
                         std::string_view after_text) {
    if (before_text == after_text) return {};
    auto before = split_lines(before_text), after = split_lines(after_text);
    auto steps = number_steps(shortest_edit(before, after));
    std::string out = "--- " + std::string(before_name) + "\n+++ " + std::string(after_name) + "\n";
    std::size_t i = 0;
    while (i < steps.size()) {
        while (i < steps.size() && steps[i].edit == Edit::keep) ++i;
        if (i == steps.size()) break;
        // A hunk runs from its first change to the last one that is no more than two contexts
        // from the next: nearer changes share one hunk, as in `diff -u`.
        std::size_t first = i >= context_lines ? i - context_lines : 0;
        std::size_t last_change = i;
        for (std::size_t j = i; j < steps.size() && j <= last_change + 2 * context_lines; ++j)
            if (steps[j].edit != Edit::keep) last_change = j;
        std::size_t last = std::min(steps.size(), last_change + 1 + context_lines);
        append_hunk(out, steps, first, last, before, after);
        i = last;
    }
    return out;
}

}  // namespace switchyard::common
