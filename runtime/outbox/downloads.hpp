// Files customers send, fetched into the file store in the background (docs/outbound.md,
// "Files"): the worker records an inbound file as `pending` and goes on with the message; this
// thread downloads it (Telegram: getFile, then the file's path; Wazzup: its contentUri) and
// records it stored, or why not (Telegram lets bots download 20 MB at most).
#pragma once

#include "runtime/config/config.hpp"
#include "runtime/files/file_store.hpp"
#include "runtime/store/store.hpp"

#include <memory>

namespace switchyard::outbox {

// Telegram's limit on what a bot may download (getFile).
inline constexpr std::int64_t telegram_download_limit = 20ll * 1000 * 1000;

class Downloader {
public:
    Downloader(const config::Config& config, store::Store& store, files::FileStore& files);
    ~Downloader();
    Downloader(const Downloader&) = delete;
    Downloader& operator=(const Downloader&) = delete;

    void wake();  // a pending file was committed
    void stop();
    std::uint64_t downloaded() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace switchyard::outbox
