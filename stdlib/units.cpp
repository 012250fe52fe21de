#include "stdlib/units.hpp"

#include <charconv>

namespace switchyard::stdlib {

std::optional<std::int64_t> parse_quantity(std::string_view text, std::span<const Unit> units, bool bare) {
    bool negative = text.starts_with('-');
    if (negative) text.remove_prefix(1);
    std::int64_t amount = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), amount);
    if (ec != std::errc() || end == text.data()) return std::nullopt;
    std::string_view unit = text.substr(static_cast<std::size_t>(end - text.data()));
    while (unit.starts_with(' ')) unit.remove_prefix(1);
    std::optional<std::int64_t> factor;
    if (unit.empty() && bare) factor = 1;
    for (const auto& u : units)
        if (unit == u.name) factor = u.factor;
    std::int64_t value = 0;
    if (!factor || __builtin_mul_overflow(amount, *factor, &value)) return std::nullopt;
    return negative ? -value : value;
}

}  // namespace switchyard::stdlib
