// The file store: hashing, the folder's layout, and writing a blob so that a crash leaves either
// the whole file or none.
#include "runtime/files/file_store.hpp"

#include "runtime/files/hex.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

namespace switchyard::files {

namespace {

namespace fs = std::filesystem;

constexpr std::size_t blob_length = 64;
constexpr std::size_t folder_length = 2;  // the blob's first hex digits name its subfolder
constexpr std::string_view temporary_prefix = ".tmp-";

// A file descriptor, closed when it goes.
class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }
    bool ok() const { return fd_ >= 0; }
    // Closes now, reporting what close() says (a write error may surface only here).
    bool close() {
        int fd = fd_;
        fd_ = -1;
        return ::close(fd) == 0;
    }

private:
    int fd_;
};

// What a failed system call says, naming the path; called right after the call, before
// anything else can change errno.
std::string system_error(std::string_view what, const fs::path& path) {
    int error = errno;
    return std::string(what) + " " + path.string() + ": " + std::strerror(error);
}

// A folder's entries (a rename into it, a file created in it) on disk: without this, a crash of
// the machine could lose a rename whose file's bytes were flushed.
std::optional<std::string> sync_folder(const fs::path& folder) {
    Fd fd(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd.ok() || ::fsync(fd.get()) != 0) return system_error("cannot flush the folder", folder);
    return std::nullopt;
}

// Sizes as a person reads them: `60 MiB`, `1.5 GiB`, `900 bytes`.
std::string human(std::uint64_t bytes) {
    static constexpr std::array<const char*, 5> units = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    if (bytes < 1024) return std::to_string(bytes) + " bytes";
    auto value = static_cast<double>(bytes);
    std::size_t unit = 0;
    while (value >= 1024 && unit + 1 < units.size()) value /= 1024, ++unit;
    char text[32];
    std::snprintf(text, sizeof text, "%.1f", value);
    std::string out = text;
    if (out.ends_with(".0")) out.resize(out.size() - 2);
    return out + " " + units[unit];
}

// A size against a limit it passes: in exact bytes when the rounded forms would read equal
// ("50 MiB, over the 50 MiB limit").
std::pair<std::string, std::string> sizes(std::uint64_t size, std::uint64_t limit) {
    auto a = human(size), b = human(limit);
    if (a != b) return {a, b};
    return {std::to_string(size) + " bytes", std::to_string(limit) + " bytes"};
}

std::string random_name() {
    std::array<unsigned char, 8> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
        throw std::runtime_error("the random number generator failed");
    return std::string(temporary_prefix) + to_hex({reinterpret_cast<const char*>(bytes.data()), bytes.size()});
}

// The blobs already in the folder: `ab/cdef...` files. Anything else (temporary files a crash
// left, files put there by hand) is not the store's and is not counted.
std::uint64_t total_of(const fs::path& root) {
    std::uint64_t total = 0;
    std::error_code ec;
    for (const auto& folder : fs::directory_iterator(root, ec)) {
        auto prefix = folder.path().filename().string();
        if (!folder.is_directory(ec) || !is_lower_hex(prefix, folder_length)) continue;
        for (const auto& file : fs::directory_iterator(folder.path(), ec)) {
            if (!file.is_regular_file(ec) || !is_blob(prefix + file.path().filename().string())) continue;
            auto size = file.file_size(ec);
            if (!ec) total += size;
        }
    }
    return total;
}

// Writes and flushes the bytes to a new file; what went wrong, if anything.
std::optional<std::string> write_temporary(std::string_view bytes, const fs::path& temporary) {
    Fd fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));  // customers' files: the owner's only
    if (!fd.ok()) return system_error("cannot create", temporary);
    while (!bytes.empty()) {
        auto n = ::write(fd.get(), bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return system_error("cannot write", temporary);
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    if (::fsync(fd.get()) != 0) return system_error("cannot flush", temporary);
    if (!fd.close()) return system_error("cannot close", temporary);
    return std::nullopt;
}

}  // namespace

std::string sha256_hex(std::string_view bytes) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("sha-256 failed");
    return to_hex({reinterpret_cast<const char*>(digest.data()), length});
}

bool is_blob(std::string_view text) { return is_lower_hex(text, blob_length); }

fs::path files_path(const std::string& database_path) {
    fs::path p(database_path);
    return p.parent_path() / (p.stem().string() + ".files");
}

FileStore::FileStore(fs::path root, Limits limits) : root_(std::move(root)), limits_(limits) {
    if (fs::create_directories(root_)) fs::permissions(root_, fs::perms::owner_all);
    total_ = total_of(root_);
}

fs::path FileStore::path_of(std::string_view blob) const {
    if (!is_blob(blob))
        throw std::invalid_argument("not a blob name (64 lowercase hex digits): `" + std::string(blob.substr(0, 80)) + "`");
    return root_ / std::string(blob.substr(0, folder_length)) / std::string(blob.substr(folder_length));
}

bool FileStore::contains(std::string_view blob) const {
    std::error_code ec;
    return is_blob(blob) && fs::is_regular_file(path_of(blob), ec);
}

std::optional<std::string> FileStore::read(std::string_view blob) const {
    if (!is_blob(blob)) return std::nullopt;
    std::ifstream in(path_of(blob), std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream bytes;
    bytes << in.rdbuf();
    if (in.bad()) return std::nullopt;
    return std::move(bytes).str();
}

std::uint64_t FileStore::total_bytes() const {
    std::lock_guard lock(mutex_);
    return total_;
}

std::variant<Stored, Refused> FileStore::put(std::string_view bytes) {
    std::uint64_t size = bytes.size();
    if (size > limits_.max_file_bytes) {
        auto [is, limit] = sizes(size, limits_.max_file_bytes);
        return Refused{"the file is " + is + ", over the " + limit + " limit of [files] max_file"};
    }
    Stored stored{sha256_hex(bytes), size};
    auto target = path_of(stored.blob);
    auto temporary = root_ / random_name();
    {
        std::lock_guard lock(mutex_);
        std::error_code ec;
        if (fs::is_regular_file(target, ec)) return stored;  // the same bytes, stored before
        if (total_ + size > limits_.max_total_bytes)
            return Refused{"the file store is full: " + human(total_) + " of the " + human(limits_.max_total_bytes) +
                           " of [files] max_total are used, and the file is " + human(size)};
        // Counted while it is written, so that puts running together cannot pass the limit together.
        total_ += size;
    }
    auto failed = write_temporary(bytes, temporary);
    if (!failed) failed = move_into_place(temporary, target, size);
    if (failed) {
        std::error_code ec;
        fs::remove(temporary, ec);
        std::lock_guard lock(mutex_);
        total_ -= size;
        return Refused{"the file store cannot keep the file: " + *failed};
    }
    return stored;
}

std::optional<std::string> FileStore::move_into_place(const fs::path& temporary, const fs::path& target,
                                                       std::uint64_t size) {
    std::lock_guard lock(mutex_);
    std::error_code ec;
    if (fs::is_regular_file(target, ec)) {
        // Another put of the same bytes got there first: its file is this one, counted once.
        fs::remove(temporary, ec);
        total_ -= size;
        return std::nullopt;
    }
    auto folder = target.parent_path();
    bool new_folder = fs::create_directory(folder, ec);
    if (ec) return "cannot create the folder " + folder.string() + ": " + ec.message();
    if (::rename(temporary.c_str(), target.c_str()) != 0) return system_error("cannot rename into", target);
    auto failed = sync_folder(folder);
    if (!failed && new_folder) failed = sync_folder(root_);
    if (failed) fs::remove(target, ec);  // not known to be on disk: not stored
    return failed;
}

}  // namespace switchyard::files
