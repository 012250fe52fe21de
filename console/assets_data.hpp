// The files of console/web/, as embed_assets.cmake writes them into assets_data.cpp at build time.
#pragma once

#include <string_view>
#include <utility>
#include <vector>

namespace switchyard::console {

// Each file's name and bytes.
const std::vector<std::pair<std::string_view, std::string_view>>& embedded_files();

}  // namespace switchyard::console
