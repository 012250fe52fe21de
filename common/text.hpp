// Text as the rules language writes it, shared by the formatter (dsl) and the VM's `str`.
#pragma once

#include <string>
#include <string_view>

namespace switchyard::common {

// The string literal, quoted and escaped, that reads back as `value`.
std::string quote(std::string_view value);

}  // namespace switchyard::common
