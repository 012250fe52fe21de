// FaultyDisk (faulty_disk.hpp): two SQLite VFS shims, each in front of the real VFS of its
// name, that keep an undo record of every write and truncation not yet synced, and refuse the
// writes to a file filled up.
#include "tests/worker/faulty_disk.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <limits>
#include <map>
#include <mutex>
#include <new>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace switchyard::testing {

namespace {

// What one write or truncation replaced: the bytes it overwrote from `offset` on, and the
// file's size before it.
struct Undo {
    sqlite3_int64 offset = 0;
    std::string replaced;
    sqlite3_int64 size_before = 0;
};

}  // namespace

struct FaultyDisk::State {
    // One installed shim: the VFS SQLite calls, and the real one it passes to.
    struct Shim {
        sqlite3_vfs vfs{};
        sqlite3_vfs* real = nullptr;
        State* state = nullptr;
    };

    mutable std::mutex mutex;  // held through each read, write, truncation and sync: a cut falls between two
    bool cut = false;
    std::size_t writes_left = 0;  // cut_after_writes(): the writes until the cut, or 0
    std::string full;             // fill_up(): the files whose writes fail begin with it, or empty
    std::size_t refused = 0;
    std::map<std::string, std::vector<Undo>> unsynced;  // by file path, oldest first
    std::set<std::string> paths;                        // every file opened; its nodes do not move
    std::size_t syncs = 0;
    Shim by_default;
    Shim excl;
};

namespace {

using State = FaultyDisk::State;

// A file opened through a shim, in the memory SQLite gives the VFS for it: this header, then
// the real VFS's own file.
struct ShimFile {
    sqlite3_file base;
    State* state;
    sqlite3_file* real;
    const std::string* path;  // null for a file without a name (none here: temp_store is MEMORY)
};

constexpr std::size_t header_size = (sizeof(ShimFile) + 15) / 16 * 16;

ShimFile* shim_of(sqlite3_file* f) { return reinterpret_cast<ShimFile*>(f); }
const sqlite3_io_methods& real_methods(ShimFile* s) { return *s->real->pMethods; }
State::Shim* installed(sqlite3_vfs* v) { return static_cast<State::Shim*>(v->pAppData); }

// Called with the state's lock held, before the write or truncation of [offset, end) it
// records. False when what it replaces cannot be read (the operation then fails: no exception
// may cross SQLite's C code).
bool remember(ShimFile* s, sqlite3_int64 offset, sqlite3_int64 end) {
    sqlite3_int64 size = 0;
    if (real_methods(s).xFileSize(s->real, &size) != SQLITE_OK) return false;
    Undo undo{offset, {}, size};
    if (offset < size) {
        undo.replaced.resize(static_cast<std::size_t>(std::min(end, size) - offset));
        if (real_methods(s).xRead(s->real, undo.replaced.data(), static_cast<int>(undo.replaced.size()), offset) != SQLITE_OK)
            return false;
    }
    s->state->unsynced[*s->path].push_back(std::move(undo));
    return true;
}

// ---- the file's methods ----

int file_close(sqlite3_file* f) {
    auto* s = shim_of(f);
    return s->real->pMethods ? real_methods(s).xClose(s->real) : SQLITE_OK;
}

int file_read(sqlite3_file* f, void* into, int amount, sqlite3_int64 offset) {
    auto* s = shim_of(f);
    std::lock_guard lock(s->state->mutex);
    return real_methods(s).xRead(s->real, into, amount, offset);
}

int file_write(sqlite3_file* f, const void* from, int amount, sqlite3_int64 offset) {
    auto* s = shim_of(f);
    std::lock_guard lock(s->state->mutex);
    if (s->state->cut) return SQLITE_OK;  // the machine is off: nothing reaches the disk
    if (s->path && !s->state->full.empty() && s->path->starts_with(s->state->full)) {
        ++s->state->refused;
        return SQLITE_FULL;
    }
    if (s->path && !remember(s, offset, offset + amount)) return SQLITE_IOERR_WRITE;
    int rc = real_methods(s).xWrite(s->real, from, amount, offset);
    if (s->state->writes_left > 0 && --s->state->writes_left == 0) s->state->cut = true;
    return rc;
}

int file_truncate(sqlite3_file* f, sqlite3_int64 size) {
    auto* s = shim_of(f);
    std::lock_guard lock(s->state->mutex);
    if (s->state->cut) return SQLITE_OK;
    if (s->path && !remember(s, size, std::numeric_limits<sqlite3_int64>::max())) return SQLITE_IOERR_TRUNCATE;
    return real_methods(s).xTruncate(s->real, size);
}

int file_sync(sqlite3_file* f, int flags) {
    auto* s = shim_of(f);
    std::lock_guard lock(s->state->mutex);
    if (s->state->cut) return SQLITE_IOERR_FSYNC;
    int rc = real_methods(s).xSync(s->real, flags);
    if (rc == SQLITE_OK && s->path) {
        s->state->unsynced.erase(*s->path);  // a sync makes the file durable, whichever handle wrote
        ++s->state->syncs;
    }
    return rc;
}

int file_size(sqlite3_file* f, sqlite3_int64* size) {
    auto* s = shim_of(f);
    return real_methods(s).xFileSize(s->real, size);
}
int file_lock(sqlite3_file* f, int level) { return real_methods(shim_of(f)).xLock(shim_of(f)->real, level); }
int file_unlock(sqlite3_file* f, int level) { return real_methods(shim_of(f)).xUnlock(shim_of(f)->real, level); }
int file_check_reserved(sqlite3_file* f, int* out) {
    return real_methods(shim_of(f)).xCheckReservedLock(shim_of(f)->real, out);
}
int file_control(sqlite3_file* f, int op, void* arg) { return real_methods(shim_of(f)).xFileControl(shim_of(f)->real, op, arg); }
int file_sector_size(sqlite3_file* f) { return real_methods(shim_of(f)).xSectorSize(shim_of(f)->real); }
int file_device(sqlite3_file* f) { return real_methods(shim_of(f)).xDeviceCharacteristics(shim_of(f)->real); }
// The wal-index is shared memory, not the disk: it passes through, and restore() removes its file.
int file_shm_map(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
    return real_methods(shim_of(f)).xShmMap(shim_of(f)->real, page, size, extend, out);
}
int file_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
    return real_methods(shim_of(f)).xShmLock(shim_of(f)->real, offset, n, flags);
}
void file_shm_barrier(sqlite3_file* f) { real_methods(shim_of(f)).xShmBarrier(shim_of(f)->real); }
int file_shm_unmap(sqlite3_file* f, int delete_flag) { return real_methods(shim_of(f)).xShmUnmap(shim_of(f)->real, delete_flag); }
// No memory-mapped reads (the store sets no mmap_size): SQLite then reads with xRead.
int file_fetch(sqlite3_file*, sqlite3_int64, int, void** out) {
    *out = nullptr;
    return SQLITE_OK;
}
int file_unfetch(sqlite3_file*, sqlite3_int64, void*) { return SQLITE_OK; }

const sqlite3_io_methods shim_methods = {
    3,           file_close,         file_read,          file_write,    file_truncate,    file_sync,
    file_size,   file_lock,          file_unlock,        file_check_reserved, file_control, file_sector_size,
    file_device, file_shm_map,       file_shm_lock,      file_shm_barrier,    file_shm_unmap, file_fetch,
    file_unfetch,
};

// ---- the VFS's methods ----

int vfs_open(sqlite3_vfs* v, const char* name, sqlite3_file* f, int flags, int* out_flags) {
    auto* in = installed(v);
    auto* s = new (f) ShimFile{{nullptr}, in->state, reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(f) + header_size), nullptr};
    s->real->pMethods = nullptr;
    int rc = in->real->xOpen(in->real, name, s->real, flags, out_flags);
    if (rc != SQLITE_OK) return rc;  // base.pMethods stays null: SQLite will not close it
    if (name) {
        std::lock_guard lock(in->state->mutex);
        s->path = &*in->state->paths.insert(name).first;
    }
    s->base.pMethods = &shim_methods;
    return SQLITE_OK;
}

int vfs_delete(sqlite3_vfs* v, const char* name, int sync_dir) {
    auto* in = installed(v);
    std::lock_guard lock(in->state->mutex);
    if (in->state->cut) return SQLITE_OK;
    in->state->unsynced.erase(name);
    return in->real->xDelete(in->real, name, sync_dir);
}

int vfs_access(sqlite3_vfs* v, const char* name, int flags, int* out) {
    return installed(v)->real->xAccess(installed(v)->real, name, flags, out);
}
int vfs_full_pathname(sqlite3_vfs* v, const char* name, int n, char* out) {
    return installed(v)->real->xFullPathname(installed(v)->real, name, n, out);
}
void* vfs_dl_open(sqlite3_vfs* v, const char* name) { return installed(v)->real->xDlOpen(installed(v)->real, name); }
void vfs_dl_error(sqlite3_vfs* v, int n, char* out) { installed(v)->real->xDlError(installed(v)->real, n, out); }
void (*vfs_dl_sym(sqlite3_vfs* v, void* lib, const char* symbol))(void) {
    return installed(v)->real->xDlSym(installed(v)->real, lib, symbol);
}
void vfs_dl_close(sqlite3_vfs* v, void* lib) { installed(v)->real->xDlClose(installed(v)->real, lib); }
int vfs_randomness(sqlite3_vfs* v, int n, char* out) { return installed(v)->real->xRandomness(installed(v)->real, n, out); }
int vfs_sleep(sqlite3_vfs* v, int micros) { return installed(v)->real->xSleep(installed(v)->real, micros); }
int vfs_current_time(sqlite3_vfs* v, double* out) { return installed(v)->real->xCurrentTime(installed(v)->real, out); }
int vfs_last_error(sqlite3_vfs* v, int n, char* out) { return installed(v)->real->xGetLastError(installed(v)->real, n, out); }
int vfs_current_time_ms(sqlite3_vfs* v, sqlite3_int64* out) {
    return installed(v)->real->xCurrentTimeInt64(installed(v)->real, out);
}

// `shim` in front of the real VFS `name`, registered under the same name (first in SQLite's
// list of VFSes when `as_default`, second otherwise: before the real one either way).
void install(State::Shim& shim, State& state, const char* name, bool as_default) {
    shim.real = sqlite3_vfs_find(name);
    if (!shim.real) throw std::runtime_error(std::string("SQLite has no VFS ") + (name ? name : "by default"));
    if (shim.real->iVersion < 2) throw std::runtime_error("the real VFS is too old to stand in front of");
    shim.state = &state;
    shim.vfs = sqlite3_vfs{
        .iVersion = 2,
        .szOsFile = static_cast<int>(header_size) + shim.real->szOsFile,
        .mxPathname = shim.real->mxPathname,
        .pNext = nullptr,
        .zName = shim.real->zName,
        .pAppData = &shim,
        .xOpen = vfs_open,
        .xDelete = vfs_delete,
        .xAccess = vfs_access,
        .xFullPathname = vfs_full_pathname,
        .xDlOpen = vfs_dl_open,
        .xDlError = vfs_dl_error,
        .xDlSym = vfs_dl_sym,
        .xDlClose = vfs_dl_close,
        .xRandomness = vfs_randomness,
        .xSleep = vfs_sleep,
        .xCurrentTime = vfs_current_time,
        .xGetLastError = vfs_last_error,
        .xCurrentTimeInt64 = vfs_current_time_ms,
        .xSetSystemCall = nullptr,
        .xGetSystemCall = nullptr,
        .xNextSystemCall = nullptr,
    };
    if (sqlite3_vfs_register(&shim.vfs, as_default ? 1 : 0) != SQLITE_OK) throw std::runtime_error("cannot register the VFS");
}

// Undoes `undos`, newest first, in the file at `path`.
void undo_all(const std::string& path, const std::vector<Undo>& undos) {
    int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) return;  // deleted since (SQLite removes a WAL when it closes the last connection)
    for (auto it = undos.rbegin(); it != undos.rend(); ++it) {
        auto written = ::pwrite(fd, it->replaced.data(), it->replaced.size(), it->offset);
        if (written != static_cast<ssize_t>(it->replaced.size()) || ::ftruncate(fd, it->size_before) != 0) {
            ::close(fd);
            throw std::runtime_error("cannot undo a write in " + path);
        }
    }
    ::close(fd);
}

}  // namespace

FaultyDisk::FaultyDisk() : state_(std::make_unique<State>()) {
    // "unix-excl" first, so that the default (put first in the list) stays this one's.
    install(state_->excl, *state_, "unix-excl", false);
    install(state_->by_default, *state_, nullptr, true);
}

FaultyDisk::~FaultyDisk() {
    sqlite3_vfs_unregister(&state_->by_default.vfs);
    sqlite3_vfs_unregister(&state_->excl.vfs);
}

void FaultyDisk::cut() {
    std::lock_guard lock(state_->mutex);
    state_->cut = true;
}

void FaultyDisk::fill_up(const std::string& path) {
    std::lock_guard lock(state_->mutex);
    state_->full = path;
    state_->refused = 0;
}

void FaultyDisk::make_room() {
    std::lock_guard lock(state_->mutex);
    state_->full.clear();
}

std::size_t FaultyDisk::refused() const {
    std::lock_guard lock(state_->mutex);
    return state_->refused;
}

void FaultyDisk::cut_after_writes(std::size_t writes) {
    std::lock_guard lock(state_->mutex);
    if (writes == 0) state_->cut = true;
    state_->writes_left = writes;
}

std::size_t FaultyDisk::restore() {
    std::lock_guard lock(state_->mutex);
    std::size_t undone = 0;
    for (const auto& [path, undos] : state_->unsynced) {
        undo_all(path, undos);
        undone += undos.size();
    }
    state_->unsynced.clear();
    for (const auto& path : state_->paths) {
        std::error_code ignored;
        std::filesystem::remove(path + "-shm", ignored);
    }
    return undone;
}

bool FaultyDisk::is_cut() const {
    std::lock_guard lock(state_->mutex);
    return state_->cut;
}

std::size_t FaultyDisk::syncs() const {
    std::lock_guard lock(state_->mutex);
    return state_->syncs;
}

}  // namespace switchyard::testing
