// Applying a schema's numbered migrations (store.hpp: Migration, Schema) to a database, whatever
// it is (sql.hpp): SQLite's files, or PostgreSQL (issue 16). Private to runtime/store and its tests.
#pragma once

#include "runtime/store/sql.hpp"

#include <span>
#include <string>
#include <string_view>

namespace switchyard::store {

// Applies every migration of `schema` not applied yet, each in its own transaction and checked
// again inside it (two processes opening one new database at once apply each once), recording
// them in the table `record` (schema_migrations, inbox_migrations). A database that records a
// migration this program does not know (a newer switchyard's) is refused. `where` names the
// database in errors.
void migrate(sql::Connection& c, const std::string& where, std::span<const Migration> schema, std::string_view record);

// The number of the last migration `record` holds; 0 for none.
int applied_version(sql::Connection& c, std::string_view record);

}  // namespace switchyard::store
