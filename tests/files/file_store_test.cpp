// The file store: content addressing, deduplication, the limits and their reasons, blob names
// that could escape the folder, and the total kept across restarts and threads.
#include "runtime/files/file_store.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace switchyard;
namespace fs = std::filesystem;

namespace {

// A folder removed at the end of the test.
class TempFolder {
public:
    TempFolder() {
        static std::atomic<int> counter{0};
        path_ = fs::temp_directory_path() / ("switchyard-files-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        fs::remove_all(path_);
    }
    ~TempFolder() { fs::remove_all(path_); }
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

files::Stored stored(const std::variant<files::Stored, files::Refused>& result) {
    if (const auto* refused = std::get_if<files::Refused>(&result)) FAIL("refused: " << refused->reason);
    return std::get<files::Stored>(result);
}

std::string refused(const std::variant<files::Stored, files::Refused>& result) {
    if (const auto* s = std::get_if<files::Stored>(&result)) FAIL("stored as " << s->blob);
    return std::get<files::Refused>(result).reason;
}

std::size_t files_under(const fs::path& root) {
    std::size_t n = 0;
    for (const auto& entry : fs::recursive_directory_iterator(root))
        if (entry.is_regular_file()) ++n;
    return n;
}

const std::string abc_sha256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

}  // namespace

TEST_CASE("sha-256: the known answers of FIPS 180-2", "[files]") {
    CHECK(files::sha256_hex("abc") == abc_sha256);
    CHECK(files::sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("put stores the bytes under their sha-256, in a subfolder named by its first two digits", "[files]") {
    TempFolder folder;
    files::FileStore store(folder.path() / "store.files");
    CHECK(fs::is_directory(folder.path() / "store.files"));  // made by the constructor
    auto s = stored(store.put("abc"));
    CHECK(s.blob == abc_sha256);
    CHECK(s.size == 3);
    CHECK(store.path_of(s.blob) == folder.path() / "store.files" / "ba" / abc_sha256.substr(2));
    CHECK(fs::is_regular_file(store.path_of(s.blob)));
    CHECK(store.contains(s.blob));
    CHECK(store.read(s.blob) == std::optional<std::string>("abc"));
    CHECK(store.total_bytes() == 3);
    // Binary bytes, NULs included, come back as they went in.
    std::string binary("\0\x01\xff\n\r", 5);
    auto b = stored(store.put(binary));
    CHECK(store.read(b.blob) == binary);
    CHECK(store.total_bytes() == 8);
    // Nothing else is left in the folder (no temporary files).
    CHECK(files_under(store.root()) == 2);
    // Customers' files are the owner's only, and so is the folder the store made.
    CHECK((fs::status(store.path_of(s.blob)).permissions() & fs::perms::all) == (fs::perms::owner_read | fs::perms::owner_write));
    CHECK((fs::status(store.root()).permissions() & fs::perms::all) == fs::perms::owner_all);
}

TEST_CASE("the same bytes are stored once", "[files]") {
    TempFolder folder;
    files::FileStore store(folder.path());
    auto first = stored(store.put("the same invoice"));
    auto mtime = fs::last_write_time(store.path_of(first.blob));
    auto second = stored(store.put("the same invoice"));
    CHECK(second.blob == first.blob);
    CHECK(second.size == first.size);
    CHECK(store.total_bytes() == first.size);
    CHECK(files_under(folder.path()) == 1);
    CHECK(fs::last_write_time(store.path_of(first.blob)) == mtime);  // not written again
}

TEST_CASE("an absent blob reads as none", "[files]") {
    TempFolder folder;
    files::FileStore store(folder.path());
    CHECK_FALSE(store.read(abc_sha256));
    CHECK_FALSE(store.contains(abc_sha256));
}

TEST_CASE("a file over max_file_bytes is refused with its size and the limit", "[files]") {
    TempFolder folder;
    SECTION("in the units a person reads") {
        files::FileStore store(folder.path());  // the default: 50 MiB
        std::string big(60u << 20, 'x');
        CHECK(refused(store.put(big)) == "the file is 60 MiB, over the 50 MiB limit of [files] max_file");
        CHECK(store.total_bytes() == 0);
        CHECK(files_under(folder.path()) == 0);
    }
    SECTION("in bytes when the rounded sizes would read the same") {
        files::FileStore store(folder.path(), {.max_file_bytes = 1024, .max_total_bytes = 1 << 20});
        CHECK(refused(store.put(std::string(1025, 'x'))) == "the file is 1025 bytes, over the 1024 bytes limit of [files] max_file");
        CHECK(stored(store.put(std::string(1024, 'x'))).size == 1024);  // the limit itself is allowed
    }
}

TEST_CASE("a file that would take the store past max_total_bytes is refused, but bytes already there are not", "[files]") {
    TempFolder folder;
    files::FileStore store(folder.path(), {.max_file_bytes = 1 << 20, .max_total_bytes = 2048});
    auto first = stored(store.put(std::string(1500, 'a')));
    CHECK(refused(store.put(std::string(600, 'b'))) ==
          "the file store is full: 1.5 KiB of the 2 KiB of [files] max_total are used, and the file is 600 bytes");
    CHECK(store.total_bytes() == 1500);
    // The same bytes again take no room: stored.
    CHECK(stored(store.put(std::string(1500, 'a'))).blob == first.blob);
    // What fits still goes in, up to the limit exactly.
    stored(store.put(std::string(548, 'c')));
    CHECK(store.total_bytes() == 2048);
}

TEST_CASE("a store opened again totals the blobs already there, and nothing else", "[files]") {
    TempFolder folder;
    {
        files::FileStore store(folder.path());
        stored(store.put("one"));
        stored(store.put("three"));
    }
    // What is not a blob: a temporary file a crash left, a file put there by hand, a file in a
    // folder that is not a blob's.
    std::ofstream(folder.path() / ".tmp-0123456789abcdef") << "half written";
    std::ofstream(folder.path() / "notes.txt") << "hand";
    fs::create_directories(folder.path() / "zz");
    std::ofstream(folder.path() / "zz" / "file") << "other";
    files::FileStore again(folder.path());
    CHECK(again.total_bytes() == 8);
    CHECK(again.read(files::sha256_hex("three")) == std::optional<std::string>("three"));
}

TEST_CASE("a text that is not a blob name never becomes a path", "[files]") {
    TempFolder folder;
    files::FileStore store(folder.path() / "store");
    std::ofstream(folder.path() / "secret") << "outside the store";
    for (std::string bad : {std::string(""), std::string("../secret"), std::string("ab/../../secret"),
                            abc_sha256.substr(0, 63), abc_sha256 + "0", std::string(64, 'A'), std::string(62, 'a') + "/.",
                            std::string("..") + std::string(62, 'a'), std::string(64, 'g')}) {
        INFO("`" << bad << "`");
        CHECK_FALSE(files::is_blob(bad));
        CHECK_FALSE(store.read(bad));
        CHECK_FALSE(store.contains(bad));
        CHECK_THROWS_AS(store.path_of(bad), std::invalid_argument);
    }
    CHECK(files::is_blob(abc_sha256));
}

TEST_CASE("puts from several threads, of the same and of different bytes, count each blob once", "[files]") {
    TempFolder folder;
    files::FileStore store(folder.path());
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&store, t] {
            for (int i = 0; i < 20; ++i) {
                store.put("shared " + std::to_string(i));       // every thread puts these
                store.put("own " + std::to_string(t * 100 + i));  // only this one
            }
        });
    for (auto& t : threads) t.join();
    std::uint64_t expected = 0;
    for (int i = 0; i < 20; ++i) expected += ("shared " + std::to_string(i)).size();
    for (int t = 0; t < 4; ++t)
        for (int i = 0; i < 20; ++i) expected += ("own " + std::to_string(t * 100 + i)).size();
    CHECK(store.total_bytes() == expected);
    CHECK(files_under(folder.path()) == 100);
    CHECK(files::FileStore(folder.path()).total_bytes() == expected);
}

TEST_CASE("the file store's folder is the database's name with .files", "[files]") {
    CHECK(files::files_path("var/switchyard.db") == fs::path("var/switchyard.files"));
    CHECK(files::files_path("/srv/data/store") == fs::path("/srv/data/store.files"));
    CHECK(files::files_path("switchyard.db") == fs::path("switchyard.files"));
}
