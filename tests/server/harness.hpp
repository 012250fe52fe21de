// End-to-end harness: the real `switchyard serve` as a child process on loopback, a temporary
// folder with its configuration and database, and a small HTTP client.
#pragma once

#include "tests/support/command.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace switchyard::testing {

struct HttpResult {
    int status = 0;
    std::string body;
};

// One request on a fresh connection to 127.0.0.1:port.
HttpResult http_request(std::uint16_t port, const std::string& method, const std::string& target, const std::string& body = {},
                        const std::map<std::string, std::string>& headers = {});

// A server process. The configuration is written into a fresh temporary folder; `{{port}}`
// is not needed: the server listens on port 0 and says which port it got.
class ServerProcess {
public:
    // `config_toml` is the text of switchyard.toml, with `{{dir}}` replaced by the folder and
    // `{{source}}` by the repository root.
    explicit ServerProcess(const std::string& config_toml, const std::string& name = "e2e");
    ~ServerProcess();
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    // For the next start(): the server's limit of open file descriptors (soft and hard, so that
    // it cannot raise it).
    void limit_open_files(unsigned long count) { open_files_ = count; }
    void start();                         // waits until it listens
    void kill(int signal);                // and waits for it to end, for SIGKILL/SIGTERM
    void signal(int signal);              // without waiting (SIGHUP)
    int wait();                           // the exit status
    std::uint16_t port() const { return port_; }
    const std::filesystem::path& dir() const { return dir_; }
    std::string output() const;           // what it printed so far (stdout and stderr)
    bool running() const { return pid_ > 0; }

    // Waits until every stored webhook is processed (per /metrics), or fails after `seconds`.
    bool wait_until_processed(double seconds = 20);

private:
    std::filesystem::path dir_;
    std::filesystem::path log_;
    int pid_ = -1;
    std::uint16_t port_ = 0;
    unsigned long open_files_ = 0;  // 0: inherited
};

// `bytes` written as they are to 127.0.0.1:port, and what comes back until the server closes
// the connection or `seconds` pass (then what came so far): for requests no client library sends.
std::string raw_exchange(std::uint16_t port, const std::string& bytes, double seconds = 5);

// `switchyard ARGUMENTS` as an admin runs it, the built binary: its exit status and output.
CommandRun run_switchyard(const std::string& arguments);

std::string read_fixture(const std::string& name);
// Now, as Wazzup dates its webhooks: `2026-12-06T07:01:02.000Z` (UTC, whole seconds).
std::string iso_now();  // ../shared/fixtures/NAME
// `text` with every `from` replaced by `to` (a configuration's `{{placeholders}}`).
std::string replace_all(std::string text, const std::string& from, const std::string& to);
// A metric of /metrics (-1 when absent), and one with an integration's label
// (`switchyard_outbox_sent_total{integration="tg"}`).
std::int64_t metric(std::uint16_t port, const std::string& name);
std::int64_t labeled_metric(std::uint16_t port, const std::string& name, const std::string& integration);

}  // namespace switchyard::testing
