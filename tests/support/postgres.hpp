// A PostgreSQL server of the tests' own (issue 16): initdb into a temporary folder and a server
// on a Unix socket there, nothing on the network, started on first use and stopped when the test
// program ends. Each test takes a database of its own. Run as root (CI, containers), the server
// runs as the `postgres` user, since PostgreSQL refuses to run as root.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace switchyard::testing {

class TestPostgres {
public:
    // The server of this test program, started on the first call; none, with why(), where the
    // PostgreSQL 15 binaries are not installed (scripts/setup.sh installs them).
    static TestPostgres* shared();
    // Another server, with PostgreSQL's default durability (a commit is flushed to the disk):
    // the tests' own turns fsync off, which benchmarks must not compare against SQLite's syncs.
    static TestPostgres* durable();
    // Why there is no server: the binaries are missing, or they failed (with their output).
    static const std::string& why();

    ~TestPostgres();
    TestPostgres(const TestPostgres&) = delete;
    TestPostgres& operator=(const TestPostgres&) = delete;

    // A new, empty database; its connection string (`host=/tmp/… dbname=t3 user=switchyard`).
    std::string new_database();
    // The connection string of an existing database.
    std::string conninfo(const std::string& database) const;
    // A new, empty database as a URI (`postgresql:///t3?host=/tmp/…&user=switchyard`): what
    // store::Store opens as PostgreSQL.
    std::string new_database_uri();

private:
    TestPostgres() = default;
    static std::unique_ptr<TestPostgres> launch(bool durable);
    bool start(bool durable);

    std::filesystem::path dir_;
    int databases_ = 0;
};

}  // namespace switchyard::testing
