// The rule workbench (POST /console/api/{check,format,test,eval,compile}): rule files posted
// from the editor, written into a private temporary folder, and given to the command line's
// own `check`, `fmt`, `test`, `eval` and `compile`, so that the console says what they say.
#pragma once

#include "console/console.hpp"
#include "console/http.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace switchyard::console {

// The most rule files, and bytes of them, one request may post.
inline constexpr std::size_t max_posted_files = 64;

struct PostedFile {
    std::string file;  // relative, `name.rules` or `folder/name.rules`
    std::string text;
};

// `files` of a posted object: [{"file", "text"}], names checked (relative, no `..`, `.rules`);
// the reason when they are not.
std::variant<std::vector<PostedFile>, std::string> posted_files(const boost::json::object& body);

// A folder of its own under the system's temporary folder (0700), removed with the object.
class Scratch {
public:
    Scratch();
    ~Scratch();
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;

    const std::filesystem::path& dir() const { return dir_; }
    // Writes `files` below dir(); false when one cannot be written.
    bool write(const std::vector<PostedFile>& files) const;
    // `text` with every mention of dir() and a `/` after it removed: paths as the editor names them.
    std::string relative(std::string text) const;

private:
    std::filesystem::path dir_;
};

// The answer of POST /console/api/<action>, or none when `action` is not one.
std::optional<Response> workbench(const Request& request, std::string_view action, const RunCli& run_cli);

}  // namespace switchyard::console
