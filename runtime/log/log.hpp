// The server's log: one JSON object per line on standard error (docs/operations.md, "The log").
// Request threads never wait for the terminal or the file behind it: lines are queued and a
// thread of the logger's own writes them; past a bound the queue drops lines and counts them.
// Nothing here knows what a request or an event is: callers give the fields, and are
// responsible for leaving secrets and message texts out of them.
#pragma once

#include "runtime/config/config.hpp"

#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace switchyard::log {

using Level = config::LogLevel;

class Logger {
public:
    // Writes to the file descriptor `fd` (standard error by default).
    explicit Logger(config::Logging settings, int fd = 2);
    ~Logger();  // writes what is queued
    Logger(const Logger&) = delete;
    Logger& operator=(const Logger&) = delete;

    bool enabled(Level level) const { return level >= settings_.level; }
    // Whether each HTTP request gets a line ([log] requests, at info).
    bool logs_requests() const { return settings_.requests && enabled(Level::info); }

    // {"ts": "…Z", "level": …, "event": …, then `fields`}, which must not use those three names.
    void write(Level level, std::string_view event, const boost::json::object& fields = {});
    // The same for what anybody on the network can cause (unauthenticated requests, unreadable
    // HTTP): at most `noise_per_second` such lines a second. The next one let through carries
    // "suppressed": how many were left out since the last.
    void write_noise(Level level, std::string_view event, boost::json::object fields = {});

    // Waits until every line queued so far is written (tests; before exiting).
    void flush();
    // Lines left out because the queue was full (the output could not keep up).
    std::uint64_t dropped() const { return dropped_.load(); }

    static constexpr int noise_per_second = 10;
    static constexpr std::size_t max_queued_bytes = 4u << 20;
    // Lines wait up to gather_time, or until gather_bytes are queued, before the writer takes
    // them: a busy server then makes some hundred write()s a second, not one per request, and
    // a request thread does not wake the writer for each line (that wake-up, a futex call and
    // a switch of threads per request, cost the accept path 8% of its rate: bench/README.md).
    static constexpr auto gather_time = std::chrono::milliseconds(20);
    static constexpr std::size_t gather_bytes = 64u << 10;

private:
    void enqueue(std::string line);
    void write_lines();

    config::Logging settings_;
    int fd_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable written_;
    std::string queue_;
    std::uint64_t queued_ = 0;   // lines ever queued
    std::uint64_t written_count_ = 0;
    std::uint64_t flush_target_ = 0;  // flush() waits for lines up to this one
    bool writer_idle_ = false;        // the writer waits for a first line (not gathering)
    bool stopping_ = false;
    std::atomic<std::uint64_t> dropped_{0};
    // The noise budget: the second it counts in, lines let through in it, lines left out since
    // the last one let through. Guarded by mutex_.
    std::int64_t noise_second_ = 0;
    int noise_in_second_ = 0;
    std::uint64_t noise_suppressed_ = 0;
    std::thread writer_;  // last: started once the rest is ready
};

}  // namespace switchyard::log
