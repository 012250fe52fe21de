// What a configured `storage` names, for the modules that read it (runtime/config checks it,
// runtime/store opens it), neither of which links the other.
#pragma once

#include <string_view>

namespace switchyard::common {

// A PostgreSQL database (a `postgresql://` or `postgres://` URI) rather than an SQLite file.
inline bool is_postgres_uri(std::string_view storage) {
    return storage.starts_with("postgresql://") || storage.starts_with("postgres://");
}

}  // namespace switchyard::common
