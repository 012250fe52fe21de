// A counting allocator for a test binary: every operator new is counted while counting is on.
// It replaces the global operator new and delete, so exactly one source file of a test binary
// includes this header (the one whose tests count).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>

namespace switchyard::testing {

inline std::atomic<bool> counting_allocations{false};
inline std::atomic<std::size_t> allocations{0};

// Counts the allocations of what `work` does.
template <class Work>
std::size_t allocations_of(Work&& work) {
    allocations = 0;
    counting_allocations = true;
    work();
    counting_allocations = false;
    return allocations.load();
}

}  // namespace switchyard::testing

// GCC sees free() of what operator new returned once these are inlined; they are a pair here.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void* operator new(std::size_t n) {
    if (switchyard::testing::counting_allocations.load(std::memory_order_relaxed))
        switchyard::testing::allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
