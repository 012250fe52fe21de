// What every database's connection shares (sql.hpp): transactions, savepoints, and running a
// statement through the cache.
#include "runtime/store/sql.hpp"

namespace switchyard::store::sql {

void Connection::run(std::string_view sql) { Query(*this, sql).run(); }

Transaction::Transaction(Connection& connection, Mode mode) : connection_(connection) {
    connection_.run(connection_.begin_text(mode == Mode::write    ? Connection::Begin::write
                                          : mode == Mode::read ? Connection::Begin::read
                                                               : Connection::Begin::serializable));
}

Transaction::~Transaction() {
    if (!open_) return;
    try {
        connection_.run("ROLLBACK");
    } catch (const StoreError&) {
        // The database already rolled back (in SQLite, an I/O error or a full disk ends the
        // transaction itself; in PostgreSQL, a lost connection).
    }
}

void Transaction::commit() {
    connection_.run("COMMIT");
    open_ = false;
}

Savepoint::Savepoint(Connection& connection) : connection_(connection) { connection_.run("SAVEPOINT unit"); }

Savepoint::~Savepoint() {
    if (!open_) return;
    try {
        rollback();
    } catch (const StoreError&) {
        // The enclosing transaction is gone already; its own destructor reports nothing either.
    }
}

void Savepoint::release() {
    connection_.run("RELEASE unit");
    open_ = false;
}

void Savepoint::rollback() {
    // ROLLBACK TO keeps the savepoint open; RELEASE closes it with nothing left inside.
    open_ = false;
    connection_.run("ROLLBACK TO unit");
    connection_.run("RELEASE unit");
}

}  // namespace switchyard::store::sql
