// The reference evaluator's text matching: written apart from common/text_match.cpp (words as
// lists, patterns by dynamic programming) so that the differential tests compare two designs.
#pragma once

#include <string_view>

namespace switchyard::reference {

// `has_phrase` (and `has_word`) on texts already lowered as `lower` does.
bool phrase_in(std::string_view lowered_text, std::string_view lowered_phrase);
// `matches`: all of `text` against the glob `pattern`; false for an invalid pattern.
bool glob_match(std::string_view text, std::string_view pattern);

}  // namespace switchyard::reference
