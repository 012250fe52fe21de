// A disk that fills up or loses power, for tests of what the store does then
// (full_disk_test.cpp, power_cut_test.cpp). While a FaultyDisk is installed, the SQLite files
// this process opens go through it to the real ones: reads and writes reach the files at once
// (the process sees them, as it sees its page cache), and the disk remembers what each write
// or truncation replaced until the file is next synced, as a disk with a volatile write cache
// holds what it has not flushed.
//   fill_up() makes the writes to some files fail as on a full disk, until make_room().
//   cut() is the power failing: from then on nothing reaches the files and no sync succeeds.
//   restore() then puts back what was not synced, which is what the machine finds on its disk
//   when it boots again.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

namespace switchyard::testing {

class FaultyDisk {
public:
    // Installs it as SQLite's default VFS and as "unix-excl" (the inbox file's), each passing
    // to the real VFS of its name. One at a time, in one thread's test.
    FaultyDisk();
    // Uninstalls it. Every connection opened through it must be closed by then.
    ~FaultyDisk();
    FaultyDisk(const FaultyDisk&) = delete;
    FaultyDisk& operator=(const FaultyDisk&) = delete;

    // Writes to the files whose paths begin with `path` (a database, and its WAL) fail with
    // SQLITE_FULL, as on a full disk; the other files are written as before.
    void fill_up(const std::string& path);
    void make_room();
    // Writes refused since fill_up().
    std::size_t refused() const;

    // The power fails: waits for an operation in progress, then drops every write and fails
    // every sync.
    void cut();
    // The same once `writes` more writes have reached the files (the last of them included, not
    // synced): the power fails in the middle of whatever is being written then.
    void cut_after_writes(std::size_t writes);
    // Once every file opened through it is closed: each file back to what its last sync left,
    // and no -shm file (the wal-index lived in memory, and SQLite rebuilds it from the WAL).
    // How many writes and truncations were undone.
    std::size_t restore();
    bool is_cut() const;
    // Syncs that succeeded before the cut.
    std::size_t syncs() const;

    struct State;

private:
    std::unique_ptr<State> state_;
};

}  // namespace switchyard::testing
