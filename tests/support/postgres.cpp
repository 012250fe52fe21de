#include "tests/support/postgres.hpp"

#include <pwd.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <sys/wait.h>

namespace switchyard::testing {

namespace {

const std::filesystem::path bin = "/usr/lib/postgresql/15/bin";

std::string failure;  // why there is no server

// Runs a command through the shell; its output, and whether it exited 0.
std::pair<std::string, bool> run(const std::string& command) {
    std::string output;
    FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    if (!pipe) return {"cannot start `" + command + "`", false};
    std::array<char, 4096> buffer{};
    while (auto n = std::fread(buffer.data(), 1, buffer.size(), pipe)) output.append(buffer.data(), n);
    int status = ::pclose(pipe);
    return {output, WIFEXITED(status) && WEXITSTATUS(status) == 0};
}

// As the `postgres` user when this is root (PostgreSQL will not run as root), else as ourselves.
std::string as_server_user(const std::string& command) {
    return ::geteuid() == 0 ? "runuser -u postgres -- " + command : command;
}

}  // namespace

TestPostgres* TestPostgres::shared() {
    static std::unique_ptr<TestPostgres> server;
    static std::once_flag once;
    std::call_once(once, [] {
        if (!std::filesystem::exists(bin / "initdb")) {
            failure = "PostgreSQL 15 is not installed (" + (bin / "initdb").string() + " is missing): run scripts/setup.sh";
            return;
        }
        std::unique_ptr<TestPostgres> s(new TestPostgres());
        if (s->start()) server = std::move(s);
    });
    return server.get();
}

const std::string& TestPostgres::why() { return failure; }

bool TestPostgres::start() {
    std::string pattern = (std::filesystem::temp_directory_path() / "switchyard-pg-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) {
        failure = "cannot make a temporary folder";
        return false;
    }
    dir_ = pattern;
    if (::geteuid() == 0) {
        const passwd* user = ::getpwnam("postgres");
        if (!user || ::chown(dir_.c_str(), user->pw_uid, user->pw_gid) != 0) {
            failure = "running as root, and the folder cannot be given to the `postgres` user";
            return false;
        }
    }
    auto data = (dir_ / "data").string();
    auto [init_out, init_ok] =
        run(as_server_user((bin / "initdb").string() + " -D " + data + " -A trust -U switchyard -E UTF8 --no-sync"));
    if (!init_ok) {
        failure = "initdb failed:\n" + init_out;
        return false;
    }
    // No TCP at all (listen_addresses ''): the socket is in the folder, which only we can reach.
    auto [start_out, start_ok] = run(as_server_user((bin / "pg_ctl").string() + " -D " + data + " -w -l " +
                                                    (dir_ / "log").string() + " -o \"-c listen_addresses='' -k " +
                                                    dir_.string() + " -c fsync=off -c max_connections=50\" start"));
    if (!start_ok) {
        failure = "pg_ctl start failed:\n" + start_out;
        return false;
    }
    return true;
}

TestPostgres::~TestPostgres() {
    run(as_server_user((bin / "pg_ctl").string() + " -D " + (dir_ / "data").string() + " -m immediate stop"));
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
}

std::string TestPostgres::conninfo(const std::string& database) const {
    return "host=" + dir_.string() + " dbname=" + database + " user=switchyard";
}

std::string TestPostgres::new_database_uri() {
    auto info = new_database();
    auto name = info.substr(info.find("dbname=") + 7);
    name = name.substr(0, name.find(' '));
    return "postgresql:///" + name + "?host=" + dir_.string() + "&user=switchyard";
}

std::string TestPostgres::new_database() {
    std::string name = "t" + std::to_string(::getpid()) + "_" + std::to_string(++databases_);
    auto [out, ok] = run((bin / "psql").string() + " -q -v ON_ERROR_STOP=1 \"" + conninfo("postgres") +
                         "\" -c 'CREATE DATABASE " + name + "'");
    if (!ok) throw std::runtime_error("CREATE DATABASE " + name + " failed: " + out);
    return conninfo(name);
}

}  // namespace switchyard::testing
