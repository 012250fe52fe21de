// The files of comments as rows: where their bytes are (the file store of runtime/files, by
// blob), which are still to be downloaded, and one file for serving its bytes.
#include "runtime/store/impl.hpp"

namespace switchyard::store {

namespace {

using sql::Query;

constexpr std::string_view file_columns =
    "SELECT id, comment, position, name, ext, mime, kind, source, size, blob, stored, store_error, action, reason FROM files ";

FileRecord file_at(const Query& q) {
    FileRecord f;
    f.id = q.integer(0);
    f.comment = q.integer(1);
    f.position = static_cast<int>(q.integer(2));
    f.name = q.text(3);
    f.ext = q.text(4);
    f.mime = q.text(5);
    f.kind = q.text(6);
    f.source = q.text(7);
    f.size = q.integer(8);
    f.blob = q.optional_text(9);
    f.stored = q.text(10);
    f.store_error = q.optional_text(11);
    f.action = q.optional_text(12);
    f.reason = q.optional_text(13);
    return f;
}

}  // namespace

std::vector<FileRecord> Work::files_of(std::int64_t comment) {
    std::vector<FileRecord> out;
    Query q(state_->connection, std::string(file_columns) + "WHERE comment = ? ORDER BY position");
    q.bind(comment);
    while (q.step()) out.push_back(file_at(q));
    return out;
}

std::vector<PendingDownload> Work::pending_downloads(std::size_t limit) {
    std::vector<PendingDownload> out;
    Query q(state_->connection,
            "SELECT f.id, f.comment, c.integration, f.source, f.name, f.size FROM files f JOIN comments c ON c.id = f.comment"
            " WHERE f.stored = 'pending' ORDER BY f.id LIMIT ?");
    q.bind(static_cast<std::int64_t>(limit));
    while (q.step()) out.push_back(PendingDownload{q.integer(0), q.integer(1), q.text(2), q.text(3), q.text(4), q.integer(5)});
    return out;
}

void Work::file_stored(std::int64_t file, std::string_view blob, std::int64_t size) {
    // The column's check refuses a blob that is not 64 lowercase hex digits (StoreError).
    Query(state_->connection, "UPDATE files SET blob = ?, size = ?, stored = 'stored', store_error = NULL WHERE id = ?")
        .bind(blob, size, file)
        .run();
}

void Work::file_not_stored(std::int64_t file, std::string_view state, std::string_view reason) {
    if (state != "too_large" && state != "failed")
        throw StoreError("a file not stored is too_large or failed, not `" + std::string(state) + "`");
    Query(state_->connection, "UPDATE files SET blob = NULL, stored = ?, store_error = ? WHERE id = ?")
        .bind(state, reason, file)
        .run();
}

std::optional<FileRecord> Store::file(std::int64_t comment, int position) {
    std::lock_guard lock(impl_->reader->mutex);
    Query q(impl_->reader->connection, std::string(file_columns) + "WHERE comment = ? AND position = ?");
    q.bind(comment, position);
    if (!q.step()) return std::nullopt;
    return file_at(q);
}

}  // namespace switchyard::store
