#include "runtime/outbox/downloads.hpp"

#include "common/clock.hpp"
#include "runtime/net/client.hpp"
#include "runtime/outbox/dispatcher.hpp"
#include "runtime/outbox/pacing.hpp"
#include "runtime/outbox/telegram.hpp"
#include "common/thread_name.hpp"

#include <boost/json.hpp>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>

namespace switchyard::outbox {

namespace {

namespace json = boost::json;

// What became of one download.
struct Got {
    std::string bytes;
};
struct NotKept {
    std::string state;  // too_large or failed: final
    std::string reason;
};
struct Later {
    std::string reason;  // a network error or a 5xx: try again
};
using Fetched = std::variant<Got, NotKept, Later>;

constexpr std::uint32_t max_attempts = 6;

std::string megabytes(std::int64_t bytes) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f MB", static_cast<double>(bytes) / 1e6);
    return text;
}

Fetched from_response(const net::Result& result, std::string_view what) {
    if (const auto* f = std::get_if<net::Failure>(&result)) return Later{std::string(what) + ": " + f->message};
    const auto& r = std::get<net::Response>(result);
    if (r.status == 200) return Got{r.body};
    if (r.status >= 500 || r.status == 429) return Later{std::string(what) + ": HTTP " + std::to_string(r.status)};
    return NotKept{"failed", std::string(what) + ": HTTP " + std::to_string(r.status)};
}

}  // namespace

struct Downloader::Impl {
    Impl(const config::Config& c, store::Store& s, files::FileStore& f) : config(c), store(s), files(f) {
        client = std::make_unique<net::Client>(client_options(c, static_cast<std::size_t>(c.files.max_file)));
        thread = std::thread([this] {
            common::name_this_thread("sy-download");
            loop();
        });
    }

    void loop();
    bool round();
    Fetched fetch(const store::PendingDownload& file);
    Fetched telegram(const config::Integration& integration, const store::PendingDownload& file);
    void record(const store::PendingDownload& file, Fetched fetched);

    const config::Config& config;
    store::Store& store;
    files::FileStore& files;
    std::unique_ptr<net::Client> client;
    std::map<std::int64_t, std::pair<std::uint32_t, std::int64_t>> retries;  // file -> attempts, next try
    std::atomic<std::uint64_t> done{0};
    std::mutex mutex;
    std::condition_variable wake;
    bool woken = false;
    std::atomic<bool> stopping{false};  // read by round() without the lock
    std::thread thread;
};

void Downloader::Impl::loop() {
    std::unique_lock lock(mutex);
    while (!stopping) {
        lock.unlock();
        bool more = false;
        try {
            more = round();
        } catch (const std::exception& e) {
            std::fprintf(stderr, "switchyard: downloads: %s\n", e.what());
        }
        lock.lock();
        if (more || woken) {
            woken = false;
            continue;
        }
        wake.wait_for(lock, std::chrono::seconds(1), [&] { return stopping || woken; });
        woken = false;
    }
}

// Downloads the pending files that are not waiting for a retry; true when it did some.
bool Downloader::Impl::round() {
    // On a shared store one server fetches (the one that leads the outbound duty), so that a
    // file is not fetched by two; the others look again each second.
    if (!store.leads(store::Duty::outbound)) return false;
    std::vector<store::PendingDownload> pending;
    {
        auto work = store.begin_work();
        pending = work.pending_downloads(64);
    }
    auto now = common::wall_clock_ms();
    bool did = false;
    for (const auto& file : pending) {
        if (stopping) break;
        if (auto r = retries.find(file.file); r != retries.end() && r->second.second > now) continue;
        record(file, fetch(file));
        did = true;
    }
    return did;
}

Fetched Downloader::Impl::fetch(const store::PendingDownload& file) {
    const auto* integration = config.integration(file.integration);
    if (!integration) return NotKept{"failed", "the integration `" + file.integration + "` is not in the configuration any more"};
    if (integration->service != config::Service::wazzup) return telegram(*integration, file);
    return from_response(client->get(file.source), "downloading " + file.source);
}

Fetched Downloader::Impl::telegram(const config::Integration& integration, const store::PendingDownload& file) {
    if (file.size > telegram_download_limit)
        return NotKept{"too_large", "Telegram lets bots download files up to 20 MB; this one is " + megabytes(file.size)};
    auto endpoint = bot_endpoint(integration.api_base_url, integration.bot_token);
    if (const auto* why = std::get_if<std::string>(&endpoint)) return NotKept{"failed", *why};
    const auto& e = std::get<BotEndpoint>(endpoint);
    net::Request get_file;
    get_file.target = e.path_prefix + "/bot" + e.token + "/getFile";
    get_file.content_type = "application/json";
    get_file.body = json::serialize(json::object{{"file_id", file.source}});
    auto answer = client->send(e.origin, get_file);
    if (const auto* f = std::get_if<net::Failure>(&answer)) return Later{"getFile: " + f->message};
    const auto& r = std::get<net::Response>(answer);
    boost::system::error_code ec;
    auto v = json::parse(r.body, ec);
    const auto* o = ec ? nullptr : v.if_object();
    std::string description = "HTTP " + std::to_string(r.status);
    if (o)
        if (const auto* d = o->if_contains("description"); d && d->is_string()) description = std::string(d->as_string());
    if (r.status >= 500 || r.status == 429) return Later{"getFile: " + description};
    if (description.find("file is too big") != std::string::npos)
        return NotKept{"too_large", "Telegram lets bots download files up to 20 MB: " + description};
    const json::value* path = nullptr;
    if (r.status == 200 && o)
        if (const auto* result = o->if_contains("result"); result && result->is_object()) path = result->as_object().if_contains("file_path");
    if (!path || !path->is_string()) return NotKept{"failed", "getFile: " + description};
    net::Request download;
    download.method = net::Method::get;
    download.target = e.path_prefix + "/file/bot" + e.token + "/" + std::string(path->as_string());
    return from_response(client->send(e.origin, download), "downloading the file");
}

void Downloader::Impl::record(const store::PendingDownload& file, Fetched fetched) {
    auto now = common::wall_clock_ms();
    if (auto* later = std::get_if<Later>(&fetched)) {
        auto& [attempts, next] = retries[file.file];
        if (++attempts < max_attempts) {
            next = now + backoff_ms(attempts, 60000, 0.5);
            return;
        }
        fetched = NotKept{"failed", "gave up after " + std::to_string(attempts) + " attempts; the last: " + later->reason};
    }
    retries.erase(file.file);
    auto work = store.begin_work();
    if (auto* got = std::get_if<Got>(&fetched)) {
        auto stored = files.put(got->bytes);
        if (const auto* s = std::get_if<files::Stored>(&stored)) {
            work.file_stored(file.file, s->blob, static_cast<std::int64_t>(s->size));
            ++done;
        } else {
            // Over a limit of the store is `too_large`; a disk that failed is `failed`: the reason says which.
            bool too_large = got->bytes.size() > config.files.max_file;
            work.file_not_stored(file.file, too_large ? "too_large" : "failed", std::get<files::Refused>(stored).reason);
        }
    } else {
        const auto& no = std::get<NotKept>(fetched);
        work.file_not_stored(file.file, no.state, no.reason);
    }
    work.commit();
}

Downloader::Downloader(const config::Config& config, store::Store& store, files::FileStore& files)
    : impl_(std::make_unique<Impl>(config, store, files)) {}

Downloader::~Downloader() { stop(); }

void Downloader::wake() {
    std::lock_guard lock(impl_->mutex);
    impl_->woken = true;
    impl_->wake.notify_one();
}

void Downloader::stop() {
    {
        std::lock_guard lock(impl_->mutex);
        impl_->stopping = true;
        impl_->wake.notify_all();
    }
    if (impl_->thread.joinable()) impl_->thread.join();
}

std::uint64_t Downloader::downloaded() const { return impl_->done.load(); }

}  // namespace switchyard::outbox
