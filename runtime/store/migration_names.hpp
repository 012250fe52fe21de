// The names of the numbered migrations, shared by the schema of each database (schema.cpp for
// SQLite, schema_postgres.cpp for PostgreSQL): migration N is the same change on either, under
// the same name. Private to runtime/store.
#pragma once

#include <array>
#include <string_view>

namespace switchyard::store::migration_names {

inline constexpr std::array<std::string_view, 2> inbox = {"inbox", "shared queue"};

inline constexpr std::array<std::string_view, 12> tracker = {
    "tracker", "chat members", "outbound", "replies", "channels", "facts", "requeue", "like sources",
    "contact template", "decision cases", "rulesets", "username index"};

}  // namespace switchyard::store::migration_names
