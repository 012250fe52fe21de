// [files], [outbound] and [server] public_url: what they read as, their defaults, and the
// diagnostics of bad values.
#include "tests/config/config_support.hpp"

using namespace switchyard;

namespace {

const std::string head = R"([server]
api_token = "0123456789abcdef"
[ruleset]
rules = "rules"
)";

}  // namespace

TEST_CASE("[files] and [outbound] read as the server uses them", "[config][outbound]") {
    auto c = config::parse(head + R"([files]
path = "files"
max_file = "20 MiB"
max_total = "1 GiB"
link_ttl = "3 d"
[outbound]
pacing = false
connections = 8
timeout = "10 s"
max_attempts = 5
max_backoff = "1 min"
)",
                           "/etc/switchyard/switchyard.toml");
    CHECK(c.files.path == "/etc/switchyard/files");
    CHECK(c.files.max_file == 20u << 20);
    CHECK(c.files.max_total == 1u << 30);
    CHECK(c.files.link_ttl_ms == 3 * 86400000);
    CHECK_FALSE(c.outbound.pacing);
    CHECK(c.outbound.connections == 8);
    CHECK(c.outbound.timeout_ms == 10000);
    CHECK(c.outbound.max_attempts == 5);
    CHECK(c.outbound.max_backoff_ms == 60000);
}

TEST_CASE("[files] and [outbound] defaults, the public URL defaults to the listen address", "[config][outbound]") {
    auto c = config::parse(head, "/etc/switchyard/switchyard.toml");
    CHECK(c.files.path.empty());
    CHECK(c.files.max_file == 50u << 20);
    CHECK(c.files.link_ttl_ms == 7 * 86400000);
    CHECK(c.outbound.pacing);
    CHECK(c.outbound.connections == 4);
    CHECK(c.outbound.max_attempts == 10);
    CHECK(c.public_base_url() == "http://127.0.0.1:8080");
    auto with = config::parse("[server]\napi_token = \"0123456789abcdef\"\npublic_url = \"https://s.example.com/\"\n[ruleset]\nrules = \"r\"\n",
                              "/x.toml");
    CHECK(with.public_base_url() == "https://s.example.com");
}

TEST_CASE("bad [files] and [outbound] values are diagnosed at their lines", "[config][outbound]") {
    struct Case {
        std::string toml;
        std::string error;
    };
    for (const auto& c : std::vector<Case>{
             {head + "[outbound]\nconnections = 0\n", "6:15 E0804 outbound.connections: expected 1 to 64, found 0"},
             {head + "[outbound]\ntimeout = \"soon\"\n",
              "6:11 E0804 outbound.timeout: cannot read \"soon\" = help: write a duration such as \"30 s\" (units ms, s, min, h, d)"},
             {head + "[outbound]\npacing_on = true\n", "6:1 E0801 outbound.pacing_on: unknown key = help: did you mean `pacing`?"},
             {head + "[files]\nmax_file = \"2 GiB\"\nmax_total = \"1 GiB\"\n",
              "6:12 E0804 files.max_file: is larger than `max_total` = help: a file larger than the whole store could never be kept"},
             {"[server]\napi_token = \"0123456789abcdef\"\npublic_url = \"example.com\"\n[ruleset]\nrules = \"rules\"\n",
              "3:14 E0804 server.public_url: cannot read \"example.com\" = help: write an http:// or https:// URL such as \"https://api.telegram.org\""},
         }) {
        INFO(c.toml);
        CHECK(testing::config_error(c.toml, false) == c.error);
    }
}
