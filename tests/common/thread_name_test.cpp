// Thread names, as top -H and perf show them.
#include "common/thread_name.hpp"

#include <catch2/catch.hpp>

#include <pthread.h>

#include <array>
#include <string>
#include <thread>

namespace {

std::string name_in(std::string_view given) {
    std::string seen;
    std::thread t([&] {
        switchyard::common::name_this_thread(given);
        std::array<char, 64> buffer{};
        ::pthread_getname_np(::pthread_self(), buffer.data(), buffer.size());
        seen = buffer.data();
    });
    t.join();
    return seen;
}

}  // namespace

TEST_CASE("a thread is named as given, up to the 15 bytes Linux keeps", "[common]") {
    CHECK(name_in("sy-accept") == "sy-accept");
    CHECK(name_in("a-name-longer-than-fifteen") == "a-name-longer-t");
}
