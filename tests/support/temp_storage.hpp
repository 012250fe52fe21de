// A storage file of SQLite for one test, under the system's temporary folder: removed, with its
// inbox file and their journals, before the test uses it and after.
#pragma once

#include "runtime/store/store.hpp"

#include <unistd.h>

#include <filesystem>
#include <string>
#include <string_view>

namespace switchyard::testing {

// The storage file `path` and its inbox file, with SQLite's -wal, -shm and -journal files.
inline void remove_sqlite_storage(const std::string& path) {
    for (const auto& file : {path, store::inbox_path(path)})
        for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(file + suffix);
}

// `switchyard-<name>-<pid>.db`: the process id keeps test programs that run at once apart.
class TempStorage {
public:
    explicit TempStorage(std::string_view name)
        : path_((std::filesystem::temp_directory_path() / ("switchyard-" + std::string(name) + "-" + std::to_string(::getpid()) + ".db"))
                    .string()) {
        remove_sqlite_storage(path_);
    }
    ~TempStorage() { remove_sqlite_storage(path_); }
    TempStorage(const TempStorage&) = delete;
    TempStorage& operator=(const TempStorage&) = delete;
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

}  // namespace switchyard::testing
