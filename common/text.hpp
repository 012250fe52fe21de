// Small text helpers shared across modules: `quote`, text as the rules language writes it
// (the formatter and the VM's `str`), `join` and `ascii_lower`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace switchyard::common {

// The string literal, quoted and escaped, that reads back as `value`.
std::string quote(std::string_view value);

// The parts with `separator` between them: `a; b; c`. A separator goes only after text, so
// empty parts at the start leave none.
std::string join(const std::vector<std::string>& parts, std::string_view separator);

// A-Z to a-z, every other byte unchanged: for names that ignore case in ASCII only (Telegram
// usernames, file extensions).
std::string ascii_lower(std::string_view text);

}  // namespace switchyard::common
