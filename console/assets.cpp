#include "console/assets.hpp"

#include "console/assets_data.hpp"

#include <vector>

namespace switchyard::console {

std::string_view content_type_of(std::string_view name) {
    if (name.ends_with(".html")) return "text/html; charset=utf-8";
    if (name.ends_with(".css")) return "text/css; charset=utf-8";
    if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
    if (name.ends_with(".svg")) return "image/svg+xml";
    if (name.ends_with(".png")) return "image/png";
    return "application/octet-stream";
}

const Asset* find_asset(std::string_view name) {
    static const auto assets = [] {
        std::vector<Asset> out;
        for (const auto& [file, bytes] : embedded_files()) out.push_back({file, bytes, content_type_of(file)});
        return out;
    }();
    for (const auto& a : assets)
        if (a.name == name) return &a;
    return nullptr;
}

}  // namespace switchyard::console
