// The logger alone: JSON lines with the fields given, levels, flush, and the noise budget.
#include "runtime/log/log.hpp"
#include "tests/support/log_file.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

using namespace switchyard;

using Output = testing::LogFile;  // what each test's logger writes to

TEST_CASE("a line is one JSON object: the time, the level, the event, then the fields", "[log]") {
    Output out;
    log::Logger logger({config::LogLevel::info, true}, out.fd());
    logger.write(log::Level::info, "processed", {{"inbox_id", 7}, {"outcome", "done"}});
    logger.flush();
    auto lines = out.lines();
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].at("level") == "info");
    CHECK(lines[0].at("event") == "processed");
    CHECK(lines[0].at("inbox_id").as_int64() == 7);
    CHECK(lines[0].at("outcome") == "done");
    auto ts = std::string(lines[0].at("ts").as_string());
    CHECK(ts.size() >= 20);
    CHECK(ts.back() == 'Z');
    CHECK(lines[0].begin()->key() == "ts");  // first, so that lines sort by time as text
}

TEST_CASE("a line without fields has the three keys alone, and fields keep the order given", "[log]") {
    Output out;
    log::Logger logger({config::LogLevel::info, true}, out.fd());
    logger.write(log::Level::warn, "console_login_refused");
    logger.write(log::Level::info, "request", {{"method", "POST"}, {"path", "/webhooks/\"tg\""}, {"status", 200}});
    logger.flush();
    auto lines = out.lines();
    REQUIRE(lines.size() == 2);
    CHECK(lines[0].size() == 3);
    CHECK(lines[0].at("level") == "warn");
    CHECK(lines[0].at("event") == "console_login_refused");
    std::vector<std::string> keys;
    for (const auto& field : lines[1]) keys.emplace_back(field.key());
    CHECK(keys == std::vector<std::string>{"ts", "level", "event", "method", "path", "status"});
    CHECK(lines[1].at("path") == "/webhooks/\"tg\"");  // escaped as JSON, read back whole
}

TEST_CASE("lines below the configured level are left out, and requests are logged only at info with requests on", "[log]") {
    Output out;
    log::Logger warn({config::LogLevel::warn, true}, out.fd());
    warn.write(log::Level::debug, "a");
    warn.write(log::Level::info, "b");
    warn.write(log::Level::warn, "c");
    warn.write(log::Level::error, "d");
    warn.flush();
    auto lines = out.lines();
    REQUIRE(lines.size() == 2);
    CHECK(lines[0].at("event") == "c");
    CHECK(lines[1].at("event") == "d");
    CHECK_FALSE(warn.logs_requests());
    CHECK(log::Logger({config::LogLevel::info, true}, out.fd()).logs_requests());
    CHECK_FALSE(log::Logger({config::LogLevel::info, false}, out.fd()).logs_requests());
    CHECK(log::Logger({config::LogLevel::debug, true}, out.fd()).logs_requests());
}

TEST_CASE("noise is let through ten lines a second, and the next line let through counts the rest", "[log]") {
    Output out;
    log::Logger logger({config::LogLevel::info, true}, out.fd());
    for (int i = 0; i < 100; ++i) logger.write_noise(log::Level::warn, "request", {{"i", i}});
    logger.flush();
    auto first = out.lines();
    // A tight loop spans one second, or two when it crosses a boundary.
    CHECK(first.size() >= 10);
    CHECK(first.size() <= 20);
    // In a later second the budget is back, and its first line says how many were left out.
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    logger.write_noise(log::Level::warn, "request", {{"i", 100}});
    logger.flush();
    auto all = out.lines();
    REQUIRE(all.size() == first.size() + 1);
    std::int64_t suppressed = 0;
    for (const auto& line : all)
        if (const auto* n = line.if_contains("suppressed")) suppressed += n->as_int64();
    CHECK(suppressed + static_cast<std::int64_t>(first.size()) == 100);
    CHECK(all.back().contains("suppressed"));
}

TEST_CASE("what is queued is written when the logger goes", "[log]") {
    Output out;
    {
        log::Logger logger({config::LogLevel::info, true}, out.fd());
        for (int i = 0; i < 1000; ++i) logger.write(log::Level::info, "line", {{"i", i}});
    }
    auto lines = out.lines();
    REQUIRE(lines.size() == 1000);
    CHECK(lines.back().at("i").as_int64() == 999);
}

TEST_CASE("lines are written without a flush, a moment after they are made", "[log]") {
    Output out;
    log::Logger logger({config::LogLevel::info, true}, out.fd());
    logger.write(log::Level::info, "alone");
    // Gathered for up to gather_time (20 ms), then written: well within this wait.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (out.lines().empty() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    auto lines = out.lines();
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].at("event") == "alone");
}

TEST_CASE("lines from several threads at once are all written, the last ones when the logger ends", "[log]") {
    Output out;
    constexpr int threads = 4;
    constexpr int each = 5000;  // 20 000 lines of about 100 bytes: past gather_bytes many times
    {
        log::Logger logger({config::LogLevel::info, true}, out.fd());
        std::vector<std::thread> writers;
        for (int t = 0; t < threads; ++t)
            writers.emplace_back([&logger, t] {
                for (int i = 0; i < each; ++i) logger.write(log::Level::info, "line", {{"thread", t}, {"n", i}});
            });
        for (auto& w : writers) w.join();
        CHECK(logger.dropped() == 0);
    }
    auto lines = out.lines();
    REQUIRE(lines.size() == static_cast<std::size_t>(threads * each));
    std::vector<int> next(threads, 0);
    for (const auto& line : lines) {
        auto t = line.at("thread").as_int64();
        CHECK(line.at("n").as_int64() == next[t]++);  // each thread's lines in its order
    }
}
