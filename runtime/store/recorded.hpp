// The decision log read back for replay and explanations (issue 15): each row with what was
// decided and the cases it was decided on (decisions.cases, migration 10), read in id order
// without building the JSON that the read API returns.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace switchyard::store {

namespace sql {
class Connection;
}

// One decision-log row as it is stored: its JSON columns as text.
struct RecordedRow {
    std::int64_t id = 0;
    std::int64_t inbox = 0;
    std::string event;
    std::optional<std::int64_t> task, comment;
    std::string ruleset;    // the version that decided
    std::string decisions;  // the decisions object (docs/cases.md)
    std::string cases;      // {"integration", "asks"}; empty for rows logged before migration 10
    std::int64_t at = 0;    // milliseconds since 1970
};

// Which rows: all of them by default, oldest first.
struct LogFilter {
    std::optional<std::int64_t> since, until;  // at >= since, at < until
    std::optional<std::string> integration;    // rows whose cases name it
    std::optional<std::int64_t> last;          // only the latest N of those (still read oldest first)
    std::optional<std::int64_t> id;            // one row
    std::optional<std::int64_t> comment;       // the rows of the event that made this comment
    std::optional<std::string> event;          // the rows of this event (its dedup key)
};

// Every row the filter admits, oldest first, each passed to `each` (which may keep nothing of it).
void read_log(sql::Connection& tracker, const LogFilter& filter, const std::function<void(const RecordedRow&)>& each);

// The tracker file of a storage opened read-only for its decision log, beside a server that
// may be running on it (WAL lets readers in while it writes).
class RecordedLog {
public:
    // Throws StoreError when the file cannot be opened, or was made by a Switchyard that kept
    // no cases (before migration 10: start `switchyard serve` on it once to migrate it). A
    // `postgresql://` URI opens that database instead (issue 16).
    explicit RecordedLog(const std::string& tracker_path);
    ~RecordedLog();
    RecordedLog(const RecordedLog&) = delete;
    RecordedLog& operator=(const RecordedLog&) = delete;

    void each(const LogFilter& filter, const std::function<void(const RecordedRow&)>& each);

private:
    std::unique_ptr<sql::Connection> connection_;
};

}  // namespace switchyard::store
