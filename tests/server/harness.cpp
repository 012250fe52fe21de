#include "tests/server/harness.hpp"

#include "tests/support.hpp"
#include "tests/support/postgres.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <csignal>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <fcntl.h>
#include <sys/resource.h>
#include <fstream>
#include <regex>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace switchyard::testing {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

namespace {
HttpResult exchange(std::uint16_t port, const std::string& method, const std::string& target, const std::string& body,
                    const std::map<std::string, std::string>& headers) {
    boost::asio::io_context io;
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(30));
    stream.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::content_type, "application/json");
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64u << 20);
    beast::error_code ec;
    http::read(stream, buffer, parser, ec);
    if (ec) return {0, ec.message()};
    auto res = parser.release();
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    return {static_cast<int>(res.result_int()), res.body()};
}
}  // namespace

// A server that is gone (killed on purpose) answers status 0.
HttpResult http_request(std::uint16_t port, const std::string& method, const std::string& target, const std::string& body,
                        const std::map<std::string, std::string>& headers) {
    try {
        return exchange(port, method, target, body, headers);
    } catch (const boost::system::system_error& e) {
        return {0, e.what()};
    }
}

std::string raw_exchange(std::uint16_t port, const std::string& bytes, double seconds) {
    boost::asio::io_context io;
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(seconds)));
    beast::error_code ec;
    stream.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port), ec);
    if (ec) return {};
    stream.write_some(boost::asio::buffer(bytes), ec);
    std::string answer;
    char chunk[4096];
    while (!ec) {
        std::size_t n = stream.read_some(boost::asio::buffer(chunk), ec);
        answer.append(chunk, n);
    }
    return answer;
}

std::string iso_now() {
    auto t = std::time(nullptr);
    std::tm utc{};
    ::gmtime_r(&t, &utc);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.000Z", &utc);
    return buf;
}

CommandRun run_switchyard(const std::string& arguments) {
    return run_command(std::string(SWITCHYARD_BINARY) + " " + arguments);
}

std::string read_fixture(const std::string& name) {
    return read_text(source_dir() / ".." / "shared" / "fixtures" / name);
}

std::int64_t metric(std::uint16_t port, const std::string& name) {
    auto r = http_request(port, "GET", "/metrics");
    std::regex line("(^|\n)" + name + " (-?[0-9]+)");
    std::smatch m;
    if (!std::regex_search(r.body, m, line)) return -1;
    return std::stoll(m[2]);
}

std::int64_t labeled_metric(std::uint16_t port, const std::string& name, const std::string& integration) {
    auto body = http_request(port, "GET", "/metrics").body;
    auto key = name + "{integration=\"" + integration + "\"} ";
    auto at = body.find(key);
    if (at == std::string::npos) return -1;
    return std::stoll(body.substr(at + key.size()));
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
    for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}

namespace {

// With SWITCHYARD_TEST_POSTGRES set (the CTests that run a suite again on PostgreSQL), a server
// configured on an SQLite file of its folder runs on a new database of the tests' PostgreSQL
// instead, its files in its folder as before.
std::string on_test_database(std::string toml) {
    // As written by hand, or as toml++ writes a merged configuration (the scenarios').
    static const std::regex sqlite_storage(R"(storage\s*=\s*["']\{\{dir\}\}/var/switchyard\.db["'])");
    std::smatch found;
    if (!std::getenv("SWITCHYARD_TEST_POSTGRES") || !std::regex_search(toml, found, sqlite_storage)) return toml;
    auto* postgres = TestPostgres::shared();
    if (!postgres) throw std::runtime_error("SWITCHYARD_TEST_POSTGRES is set, but there is no PostgreSQL: " + TestPostgres::why());
    toml.replace(static_cast<std::size_t>(found.position(0)), static_cast<std::size_t>(found.length(0)),
                 "storage = \"" + postgres->new_database_uri() + "\"");
    constexpr std::string_view files_path = "path = \"{{dir}}/var/switchyard.files\"";
    if (auto files = toml.find("\n[files]\n"); files != std::string::npos)
        toml.insert(files + 9, std::string(files_path) + "\n");
    else
        toml += "\n[files]\n" + std::string(files_path) + "\n";
    return toml;
}

}  // namespace

ServerProcess::ServerProcess(const std::string& config_toml, const std::string& name) {
    auto root = source_dir();
    dir_ = std::filesystem::temp_directory_path() /
           ("switchyard-" + name + "-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    log_ = dir_ / "server.log";
    std::ofstream(dir_ / "switchyard.toml") << replace_all(replace_all(on_test_database(config_toml), "{{dir}}", dir_.string()),
                                                           "{{source}}", root.string());
}

ServerProcess::~ServerProcess() {
    if (pid_ > 0) kill(SIGKILL);
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
}

void ServerProcess::start() {
    auto config = (dir_ / "switchyard.toml").string();
    auto log = log_.string();
    std::size_t log_start = output().size();
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        ::dup2(fd, 1);
        ::dup2(fd, 2);
        if (open_files_ > 0) {
            rlimit limit{open_files_, open_files_};
            ::setrlimit(RLIMIT_NOFILE, &limit);
        }
        // The server must not inherit the test's sockets (Asio opens them without CLOEXEC): a
        // fake API's listening socket held open by the child would go on completing handshakes
        // after the fake closed it, so "nothing listens" would look like "never answers".
        ::close_range(3, ~0U, 0);
        ::execl(SWITCHYARD_BINARY, "switchyard", "serve", "--config", config.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    std::regex listening("listening on http://[0-9.]+:([0-9]+)");
    for (int i = 0; i < 600; ++i) {
        std::smatch m;
        auto text = output().substr(std::min(log_start, output().size()));  // this start's lines only
        if (std::regex_search(text, m, listening)) {
            port_ = static_cast<std::uint16_t>(std::stoi(m[1]));
            return;
        }
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            throw std::runtime_error("switchyard serve exited at start:\n" + text);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    throw std::runtime_error("switchyard serve did not start listening:\n" + output());
}

void ServerProcess::signal(int sig) {
    if (pid_ > 0) ::kill(pid_, sig);
}

void ServerProcess::kill(int sig) {
    signal(sig);
    wait();
}

int ServerProcess::wait() {
    if (pid_ <= 0) return -1;
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
}

std::string ServerProcess::output() const { return read_text(log_); }

bool ServerProcess::wait_until_processed(double seconds) {
    auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < until) {
        if (metric(port_, "switchyard_inbox_pending") == 0) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
}

}  // namespace switchyard::testing
