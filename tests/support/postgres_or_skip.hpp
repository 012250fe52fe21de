// For a Catch2 test that needs the tests' PostgreSQL: the server, or none after a warning that
// says why (the binaries are missing), so that the test returns early and passes.
#pragma once

#include "tests/support/postgres.hpp"

#include <catch2/catch.hpp>

namespace switchyard::testing {

inline TestPostgres* postgres_or_skip() {
    auto* server = TestPostgres::shared();
    if (!server) WARN("skipped: " << TestPostgres::why());
    return server;
}

}  // namespace switchyard::testing
