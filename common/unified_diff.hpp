// A unified diff of two texts, as `diff -u` prints it (`fmt --diff`, and the API's diff of two
// rulesets' sources): `---`/`+++` headers, `@@` hunks with
// three lines of context, and `\ No newline at end of file` where a text ends without one.
#pragma once

#include <string>
#include <string_view>

namespace switchyard::common {

// The diff that turns `before` into `after`, both shown under the name `path`; empty when the
// texts are equal.
std::string unified_diff(std::string_view path, std::string_view before, std::string_view after);

// The same with a name for each side (`--- a/x`, `+++ b/x`): a file added or removed is the diff
// from or to an empty text.
std::string unified_diff(std::string_view before_name, std::string_view after_name, std::string_view before,
                         std::string_view after);

}  // namespace switchyard::common
