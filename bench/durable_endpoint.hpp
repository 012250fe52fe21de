// The least a durable endpoint can do on this machine: the bare Beast endpoint of
// server_support.hpp, but each request's body is appended to a file (written through
// beforehand) and answered only once an fdatasync that began after its write has returned,
// with group commit (one thread writes and syncs whatever was queued meanwhile, as the store's
// accepts do). No SQLite, no routing, no authentication, no log: what is left is the disk and
// the hand-overs every durable server pays. BM_Accept/bare_durable measures it, so that
// Switchyard's rate can be read against what durability itself allows here, not only against
// an endpoint that stores nothing.
#pragma once

#include <fcntl.h>
#include <sys/types.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace switchyard::bench {

// Where a durable endpoint puts a request's body: `stored` is called, on any thread, once the
// body would survive a power loss. The body lives until then.
using DurableSink = std::function<void(std::string_view body, std::function<void()> stored)>;

// An append-only file of length-prefixed bodies, written and synced by a thread of its own.
class Journal {
public:
    using Done = std::function<void()>;

    explicit Journal(const std::filesystem::path& file) : fd_(::open(file.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) {
        // Written through once, as SQLite's WAL is reused in place: blocks only allocated
        // (fallocate) would be converted to written ones at each sync, one more metadata write.
        std::string zeros(1 << 20, '\0');
        if (fd_ < 0) std::abort();
        for (off_t at = 0; at < capacity; at += static_cast<off_t>(zeros.size()))
            if (::pwrite(fd_, zeros.data(), zeros.size(), at) != static_cast<ssize_t>(zeros.size())) std::abort();
        if (::fsync(fd_) != 0) std::abort();
        committer_ = std::thread([this] { run(); });
    }
    ~Journal() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_one();
        committer_.join();
        ::close(fd_);
    }
    Journal(const Journal&) = delete;
    Journal& operator=(const Journal&) = delete;

    // `body` must live until `done` is called (it is the waiting request's).
    void append(std::string_view body, Done done) {
        {
            std::lock_guard lock(mutex_);
            queue_.push_back(Entry{body, std::move(done)});
        }
        wake_.notify_one();
    }

private:
    static constexpr off_t capacity = 64 << 20;
    struct Entry {
        std::string_view body;
        Done done;
    };

    void run() {
        std::vector<Entry> batch;
        std::string block;
        std::unique_lock lock(mutex_);
        for (;;) {
            wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;
            batch.swap(queue_);
            lock.unlock();
            commit(batch, block);
            for (auto& e : batch) e.done();
            batch.clear();
            lock.lock();
        }
    }

    void commit(const std::vector<Entry>& batch, std::string& block) {
        block.clear();
        for (const auto& e : batch) {
            auto size = static_cast<std::uint32_t>(e.body.size());
            block.append(reinterpret_cast<const char*>(&size), sizeof size);
            block += e.body;
        }
        if (offset_ + static_cast<off_t>(block.size()) > capacity) offset_ = 0;
        if (::pwrite(fd_, block.data(), block.size(), offset_) != static_cast<ssize_t>(block.size()) || ::fdatasync(fd_) != 0)
            std::abort();
        offset_ += static_cast<off_t>(block.size());
    }

    int fd_;
    off_t offset_ = 0;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::vector<Entry> queue_;
    bool stopping_ = false;
    std::thread committer_;
};

}  // namespace switchyard::bench
