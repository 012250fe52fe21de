// The file store: the bytes of the files that travel through Switchyard (downloaded from a
// messenger, or attached by an employee to be sent), kept in a folder (by default beside the
// database: files_path). Content-addressed: a file is named by the sha-256 of its bytes (its
// *blob*, 64 lowercase hex digits), so the same bytes are stored once however many comments
// carry them, and a name can never point outside the folder. The database (runtime/store)
// holds only the blob names.
#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace switchyard::files {

struct Limits {
    std::uint64_t max_file_bytes = 50u << 20;    // the largest upload the Telegram Bot API takes
    std::uint64_t max_total_bytes = 10ull << 30;  // the whole folder
};

// The bytes are in the store under `blob`.
struct Stored {
    std::string blob;  // sha-256, lowercase hex
    std::uint64_t size = 0;
};

// The bytes were not stored, and why, in words a person can act on: "the file is 60 MiB, over
// the 50 MiB limit of [files] max_file", "the file store is full: ...".
struct Refused {
    std::string reason;
};

// The sha-256 of the bytes, lowercase hex.
std::string sha256_hex(std::string_view bytes);

// Whether `text` is a blob name (64 lowercase hex digits): only those name files in a store.
bool is_blob(std::string_view text);

// The folder of the store beside the database at `database_path`: the database's name with
// `.files` for its extension (`var/switchyard.db` -> `var/switchyard.files`).
std::filesystem::path files_path(const std::string& database_path);

// A blob lives at `<root>/ab/cdef...` (its first two hex digits as a subfolder, so that no
// folder grows past a few thousand entries). Safe to use from several threads.
class FileStore {
public:
    // Creates the folder if needed (std::filesystem::filesystem_error when it cannot), and
    // totals the blobs already there, for max_total_bytes.
    FileStore(std::filesystem::path root, Limits limits = {});

    // Stores the bytes: written to a temporary file in the folder, flushed to disk (fsync), then
    // renamed to the blob's name, so a crash never leaves a blob with partial bytes. Bytes that
    // are there already are not written again. Refused over a limit, or when the disk fails.
    std::variant<Stored, Refused> put(std::string_view bytes);

    // The bytes of a blob; none when there is no such blob, or `blob` is not a blob name.
    std::optional<std::string> read(std::string_view blob) const;

    // Where the blob is (for sending the file from disk). Throws std::invalid_argument when
    // `blob` is not a blob name: no other text may become a path.
    std::filesystem::path path_of(std::string_view blob) const;

    // False for a text that is not a blob name.
    bool contains(std::string_view blob) const;

    // The bytes of every blob in the store (those being written included).
    std::uint64_t total_bytes() const;

    const std::filesystem::path& root() const { return root_; }

private:
    // Renames the written file to the blob's name; what went wrong, if anything.
    std::optional<std::string> move_into_place(const std::filesystem::path& temporary, const std::filesystem::path& target,
                                               std::uint64_t size);

    std::filesystem::path root_;
    Limits limits_;
    mutable std::mutex mutex_;  // guards total_, and makes "is it there? then rename it there" one step
    std::uint64_t total_ = 0;
};

}  // namespace switchyard::files
