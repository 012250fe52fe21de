// libFuzzer target for the HTTP side of the server: any bytes, as what a client sends on a
// connection, go to a Beast request parser with the server's limits (body_limit from the
// configuration, Beast's default header limit), and then, as Session in runtime/server/server.cpp
// does, to refuse_before_body on the header and to handle_request_async on a whole request. The
// Context is built once: a store in a temporary folder, the shipped rules compiled, a Telegram
// and a Wazzup integration, an API token and a Desk, so that webhooks, the read API and the
// write API are all reached (fuzz/dict-http.txt holds the secrets below). Every response must
// have a status from 200 to 599, and a 5xx must not show SQL (StorageHealth logs it instead).
#include "fuzz/checks.hpp"
#include "compiler/lower.hpp"
#include "compiler/workspace.hpp"
#include "runtime/files/file_store.hpp"
#include "runtime/server/server.hpp"
#include "runtime/worker/channels.hpp"

#include <boost/asio/buffer.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <future>
#include <memory>
#include <unistd.h>

namespace sy = switchyard;
namespace fs = std::filesystem;
namespace http = sy::server::http;
using sy::fuzz::require;

namespace {

// Small body_limit, so that inputs of a few KiB reach the 413 path too.
constexpr std::string_view config_text = R"(
[server]
listen = "127.0.0.1:0"
api_token = "fuzz-api-token-0123456789"
body_limit = "2 KiB"
[ruleset]
rules = "rules"
[account]
name = "Fuzz Ltd"
[[employees]]
id = 1
name = "Olga Owner"
owner = true
telegram = "@fuzz_owner"
[[employees]]
id = 2
name = "Ivan Support"
[[integrations]]
id = "tg"
name = "Telegram"
service = "telegram"
bot_token = "123456789:AAFuzzFakeTokenDoNotUse"
bot_username = "fuzz_bot"
webhook_secret = "fuzz-tg-secret"
assignees = [2]
[[integrations]]
id = "wz"
name = "Wazzup"
service = "wazzup"
api_key = "fuzz-wazzup-api-key"
crm_key = "fuzz-wz-crm-key"
[[integrations.channels]]
id = "fuzz-channel-1"
transport = "whatsapp"
number = "79990001122"
)";

std::shared_ptr<const sy::vm::Image> shipped_rules() {
    sy::common::DiagnosticBag bag;
    std::vector<sy::compiler::LoadError> errors;
    auto ws = sy::compiler::load_workspace({SWITCHYARD_SOURCE_DIR "/rules/planfix.rules"}, bag, errors);
    auto module = sy::compiler::compile(ws, bag);
    require(errors.empty() && module.has_value(), "the shipped rules do not compile");
    auto loaded = sy::vm::load_module(std::move(*module));
    require(std::holds_alternative<std::shared_ptr<const sy::vm::Image>>(loaded), "the shipped rules do not load");
    return std::get<std::shared_ptr<const sy::vm::Image>>(loaded);
}

sy::config::Config fuzz_config(const fs::path& folder) {
    auto config = sy::config::parse(config_text, (folder / "switchyard.toml").string());
    config.storage = (folder / "fuzz.db").string();
    return config;
}

// Everything a request may touch, built once for the whole run; the folder goes with it.
struct World {
    fs::path folder = fs::temp_directory_path() / ("switchyard-http-fuzz-" + std::to_string(::getpid()));
    bool made = (fs::remove_all(folder), fs::create_directories(folder));
    sy::config::Config config = fuzz_config(folder);
    sy::store::Store store{config.storage};
    sy::files::FileStore files{folder / "files", {64u << 10, 16u << 20}};
    sy::engine::RulesetHolder rulesets;
    sy::worker::ChannelBook channels{config, store};
    sy::actions::Desk desk{config, store, files, rulesets, channels, [] {}};
    sy::server::Context context{config, store, rulesets, [] {}};

    World() {
        auto swapped = sy::engine::swap_ruleset(rulesets, shipped_rules(), config);
        require(std::holds_alternative<sy::engine::Swapped>(swapped), "the shipped rules do not fit the configuration");
        context.desk = &desk;
    }
    ~World() {
        std::error_code ignored;
        fs::remove_all(folder, ignored);
    }
};

bool contains(std::string_view text, std::string_view what) { return text.find(what) != std::string_view::npos; }

void check(const sy::server::Response& response) {
    unsigned status = response.result_int();
    require(status >= 200 && status <= 599, "a status outside 200..599: " + std::to_string(status));
    if (status < 500) return;
    const auto& body = response.body();
    for (std::string_view sql : {"SELECT", "INSERT", "UPDATE ", "DELETE FROM", "sqlite", "SQLite", "SQL "})
        require(!contains(body, sql), "a 5xx body shows SQL: " + body);
}

// Parses what is left of `bytes` into the body, as the session's reads would; false when the
// request never completes (the server would wait, then time out, answering nothing).
bool read_body(http::request_parser<http::string_body>& parser, std::string_view& bytes) {
    parser.eager(true);
    while (!parser.is_done()) {
        boost::system::error_code ec;
        std::size_t used = parser.put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
        bytes.remove_prefix(used);
        if (ec || used == 0) return false;  // 413, 400, or more bytes needed: no handler runs
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static World world;
    std::string_view bytes = sy::fuzz::bytes_of(data, size);
    http::request_parser<http::string_body> parser;
    parser.body_limit(world.config.body_limit);
    boost::system::error_code ec;
    bytes.remove_prefix(parser.put(boost::asio::buffer(bytes.data(), bytes.size()), ec));
    if (ec || !parser.is_header_done()) return 0;
    bool body_follows = parser.chunked() || parser.content_length().value_or(0) > 0;
    if (body_follows) {
        if (auto refused = sy::server::refuse_before_body(parser.get(), world.context)) {
            check(*refused);
            return 0;
        }
    }
    if (!read_body(parser, bytes)) return 0;
    // As the session does: webhooks are answered from the store's committing thread.
    auto request = std::make_shared<const sy::server::Request>(parser.release());
    std::promise<sy::server::Response> answered;
    auto answer = answered.get_future();
    sy::server::handle_request_async(request, world.context, [&answered](sy::server::MakeResponse make) { answered.set_value(make()); });
    check(answer.get());
    return 0;
}
