#include "tests/support/postgres.hpp"

#include "tests/support/command.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <mutex>
#include <stdexcept>

namespace switchyard::testing {

namespace {

const std::filesystem::path bin = "/usr/lib/postgresql/15/bin";

std::string failure;  // why there is no server

// As the `postgres` user when this is root (PostgreSQL will not run as root), else as ourselves.
std::string as_server_user(const std::string& command) {
    return ::geteuid() == 0 ? "runuser -u postgres -- " + command : command;
}

}  // namespace

std::unique_ptr<TestPostgres> TestPostgres::launch(bool durable) {
    if (!std::filesystem::exists(bin / "initdb")) {
        failure = "PostgreSQL 15 is not installed (" + (bin / "initdb").string() + " is missing): run scripts/setup.sh";
        return nullptr;
    }
    std::unique_ptr<TestPostgres> s(new TestPostgres());
    return s->start(durable) ? std::move(s) : nullptr;
}

TestPostgres* TestPostgres::shared() {
    static std::unique_ptr<TestPostgres> server;
    static std::once_flag once;
    std::call_once(once, [] { server = launch(false); });
    return server.get();
}

TestPostgres* TestPostgres::durable() {
    static std::unique_ptr<TestPostgres> server;
    static std::once_flag once;
    std::call_once(once, [] { server = launch(true); });
    return server.get();
}

const std::string& TestPostgres::why() { return failure; }

bool TestPostgres::start(bool durable) {
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
    auto init = run_command(as_server_user((bin / "initdb").string() + " -D " + data + " -A trust -U switchyard -E UTF8 --no-sync"));
    if (init.status != 0) {
        failure = "initdb failed:\n" + init.output;
        return false;
    }
    // No TCP at all (listen_addresses ''): the socket is in the folder, which only we can reach.
    auto started = run_command(as_server_user((bin / "pg_ctl").string() + " -D " + data + " -w -l " +
                                                    (dir_ / "log").string() + " -o \"-c listen_addresses='' -k " +
                                                    dir_.string() + (durable ? "" : " -c fsync=off") +
                                                    " -c max_connections=50\" start"));
    if (started.status != 0) {
        failure = "pg_ctl start failed:\n" + started.output;
        return false;
    }
    return true;
}

TestPostgres::~TestPostgres() {
    run_command(as_server_user((bin / "pg_ctl").string() + " -D " + (dir_ / "data").string() + " -m immediate stop"));
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
    auto made = run_command((bin / "psql").string() + " -q -v ON_ERROR_STOP=1 \"" + conninfo("postgres") +
                            "\" -c 'CREATE DATABASE " + name + "'");
    if (made.status != 0) throw std::runtime_error("CREATE DATABASE " + name + " failed: " + made.output);
    return conninfo(name);
}

}  // namespace switchyard::testing
