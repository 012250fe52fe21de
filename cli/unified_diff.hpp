// A unified diff of two texts, as `diff -u` prints it: `---`/`+++` headers, `@@` hunks with
// three lines of context, and `\ No newline at end of file` where a text ends without one.
#pragma once

#include <string>
#include <string_view>

namespace switchyard::cli {

// The diff that turns `before` into `after`, both shown under the name `path`; empty when the
// texts are equal.
std::string unified_diff(std::string_view path, std::string_view before, std::string_view after);

}  // namespace switchyard::cli
