// A mutex that lets waiting threads in in the order they came (a ticket lock).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace switchyard::store {

// std::mutex promises no order: a thread that unlocks and at once locks again (the worker,
// batch after batch of a backlog) takes it again before a waiting thread is even scheduled, so
// an employee's reply through the API waited behind the whole backlog (tests/worker/
// fairness_test.cpp). Here each lock() takes a ticket and waits for its turn.
class FairMutex {
public:
    void lock() {
        std::unique_lock guard(mutex_);
        auto ticket = next_ticket_++;
        turn_.wait(guard, [&] { return serving_ == ticket; });
    }
    void unlock() {
        {
            std::lock_guard guard(mutex_);
            ++serving_;
        }
        turn_.notify_all();
    }

private:
    std::mutex mutex_;
    std::condition_variable turn_;
    std::uint64_t next_ticket_ = 0;
    std::uint64_t serving_ = 0;
};

}  // namespace switchyard::store
