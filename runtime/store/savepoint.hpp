// A savepoint: a nested unit inside a transaction that can be undone alone. Declared apart from
// sqlite.hpp, which includes <sqlite3.h>, so that Work::Unit (work.hpp, which the worker
// includes) can be built on one while SQLite stays private to the store's .cpp files.
#pragma once

namespace switchyard::store::sql {

class Connection;

// SAVEPOINT on construction. rollback() undoes only what was done since (ROLLBACK TO, then
// RELEASE to end it with nothing inside); release() keeps it as part of the transaction.
// Rolled back when destroyed unless released or rolled back before. Every savepoint is named
// `unit`: they nest, and RELEASE and ROLLBACK TO name the innermost of that name.
class Savepoint {
public:
    explicit Savepoint(Connection& connection);
    ~Savepoint();
    Savepoint(const Savepoint&) = delete;
    Savepoint& operator=(const Savepoint&) = delete;
    void release();
    void rollback();
    // Neither released nor rolled back yet.
    bool open() const { return open_; }

private:
    Connection& connection_;
    bool open_ = true;
};

}  // namespace switchyard::store::sql
