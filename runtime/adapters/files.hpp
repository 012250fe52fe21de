// What the adapters know about files: extensions, MIME types and `file_kind`s, and names
// taken from download links. Internal to the adapters.
#pragma once

#include "runtime/adapters/event.hpp"

#include <string>
#include <string_view>

namespace switchyard::adapters::detail {

// The lowercase extension of a file name without the dot: `Offer.PDF` -> `pdf`. Empty when
// there is none, when the name starts with its only dot (`.bashrc`), or when what follows the
// last dot is not a plain extension (letters and digits, at most 10 of them: `Text File`,
// `v1.2 final`).
std::string extension_of(std::string_view name);

// The MIME type usual for an extension (`pdf` -> `application/pdf`); empty when unknown.
std::string mime_for_extension(std::string_view ext);

// The extension usual for a MIME type (`audio/ogg` -> `ogg`); empty when unknown.
std::string extension_for_mime(std::string_view mime);

// The `file_kind` of a MIME type: image/*, video/*, audio/*, else document.
std::string kind_for_mime(std::string_view mime);

// A file with name, ext, mime, size, kind and source filled in; `ext` comes from the name.
File make_file(std::string name, std::string mime, std::int64_t size, std::string kind, std::string source);

// The file name a download link carries: its `filename` query parameter when there is one
// (Wazzup's store links end in `/?filename=...`), else the last non-empty path segment,
// percent-decoded (left as written when the decoded bytes are not UTF-8). Empty when the link
// has neither.
std::string file_name_from_uri(std::string_view uri);

}  // namespace switchyard::adapters::detail
