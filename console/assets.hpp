// The console's own pages, scripts and styles (console/web/), built into the binary by
// embed_assets.cmake, so that the server needs no folder of its own to find them.
#pragma once

#include <string_view>

namespace switchyard::console {

struct Asset {
    std::string_view name;  // the file's name in console/web/
    std::string_view bytes;
    std::string_view content_type;
};

const Asset* find_asset(std::string_view name);
// By the file's extension: text/html, text/css, text/javascript, …
std::string_view content_type_of(std::string_view name);

}  // namespace switchyard::console
