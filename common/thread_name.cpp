#include "common/thread_name.hpp"

#include <pthread.h>

#include <algorithm>
#include <array>

namespace switchyard::common {

void name_this_thread(std::string_view name) {
    std::array<char, 16> kept{};  // 15 bytes and the terminating zero
    auto n = std::min(name.size(), kept.size() - 1);
    std::copy_n(name.data(), n, kept.data());
    ::pthread_setname_np(::pthread_self(), kept.data());
}

}  // namespace switchyard::common
