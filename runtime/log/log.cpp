#include "runtime/log/log.hpp"

#include "common/clock.hpp"
#include "common/thread_name.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace switchyard::log {

namespace {

// The line's own keys are written first and the fields' serialized after them, without
// copying the fields into a second object (a request's line is made for every webhook, on
// the accept path).
std::string line_of(Level level, std::string_view event, const boost::json::object& fields) {
    std::string line = "{\"ts\":\"";
    line += common::iso_time(common::wall_clock_ms());
    line += "\",\"level\":\"";
    line += config::log_level_name(level);
    line += "\",\"event\":";
    line += boost::json::serialize(event);
    if (fields.empty()) {
        line += "}\n";
        return line;
    }
    auto rest = boost::json::serialize(fields);  // {"key":value,...}
    rest.front() = ',';
    line += rest;
    line += '\n';
    return line;
}

// All of `text`, across short writes; a failing output (a closed pipe) loses the lines, never
// the server.
void write_all(int fd, std::string_view text) {
    while (!text.empty()) {
        auto n = ::write(fd, text.data(), text.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        text.remove_prefix(static_cast<std::size_t>(n));
    }
}

}  // namespace

Logger::Logger(config::Logging settings, int fd)
    : settings_(settings), fd_(fd), writer_([this] {
          common::name_this_thread("sy-log");
          write_lines();
      }) {}

Logger::~Logger() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    writer_.join();
}

void Logger::write(Level level, std::string_view event, const boost::json::object& fields) {
    if (!enabled(level)) return;
    enqueue(line_of(level, event, fields));
}

void Logger::write_noise(Level level, std::string_view event, boost::json::object fields) {
    if (!enabled(level)) return;
    std::int64_t second = common::wall_clock_ms() / 1000;
    {
        std::lock_guard lock(mutex_);
        if (second != noise_second_) {
            noise_second_ = second;
            noise_in_second_ = 0;
        }
        if (noise_in_second_ >= noise_per_second) {
            ++noise_suppressed_;
            return;
        }
        ++noise_in_second_;
        if (noise_suppressed_ > 0) fields["suppressed"] = noise_suppressed_;
        noise_suppressed_ = 0;
    }
    enqueue(line_of(level, event, fields));
}

void Logger::enqueue(std::string line) {
    bool wake = false;
    {
        std::lock_guard lock(mutex_);
        if (queue_.size() + line.size() > max_queued_bytes) {
            ++dropped_;
            return;
        }
        bool was_below = queue_.size() < gather_bytes;
        queue_ += line;
        ++queued_;
        wake = writer_idle_ || (was_below && queue_.size() >= gather_bytes);
    }
    if (wake) wake_.notify_one();
}

void Logger::flush() {
    std::unique_lock lock(mutex_);
    auto target = queued_;
    flush_target_ = std::max(flush_target_, target);
    wake_.notify_one();
    written_.wait(lock, [&] { return written_count_ >= target; });
}

// Waits for a first line, gathers more for up to gather_time, then takes the whole queue at
// once, so that a burst of lines costs one write().
void Logger::write_lines() {
    std::unique_lock lock(mutex_);
    std::string batch;
    for (;;) {
        writer_idle_ = true;
        wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        writer_idle_ = false;
        wake_.wait_for(lock, gather_time,
                       [&] { return stopping_ || flush_target_ > written_count_ || queue_.size() >= gather_bytes; });
        if (queue_.empty() && stopping_) return;
        batch.swap(queue_);
        auto lines = queued_;
        lock.unlock();
        write_all(fd_, batch);
        batch.clear();
        lock.lock();
        written_count_ = lines;
        written_.notify_all();
    }
}

}  // namespace switchyard::log
