// libFuzzer target for the configuration reader (runtime/config): any bytes, as the text of a
// TOML file, go to config::parse. It must never crash, hang or throw anything but ConfigError;
// a ConfigError must carry diagnostics that point inside the file and render; and a Config it
// accepts must hold what the checks promise (an API token of 16 printable characters, one of
// `rules` and `compiled`, a body limit, unique integration ids, credentials for each service).
#include "fuzz/checks.hpp"
#include "runtime/config/config.hpp"

#include <cstddef>
#include <cstdint>
#include <set>
#include <sstream>

namespace sy = switchyard;
using sy::fuzz::require;

namespace {

void check_error(const sy::config::ConfigError& e) {
    require(!e.diagnostics().empty() && e.sources() != nullptr, "a ConfigError without diagnostics");
    require(std::string_view(e.what()).size() > 0, "a ConfigError without a message");
    for (const auto& d : e.diagnostics()) {
        const auto& text = e.sources()->file(d.file).text();
        require(d.span.begin <= d.span.end && d.span.end <= text.size(), "a diagnostic outside the file");
        require(!d.message.empty(), "a diagnostic without a message");
    }
    std::ostringstream out;
    sy::common::render_text(e.diagnostics(), *e.sources(), out);
}

void check_integration(const sy::config::Integration& in) {
    using sy::config::Service;
    require(!in.id.empty(), "an integration without an id");
    if (in.service == Service::wazzup) {
        require(!in.api_key.empty() && !(in.crm_key.empty() && in.url_secret.empty()), "wazzup credentials");
        require(!in.channels.empty(), "a wazzup integration without channels");
    } else {
        require(!in.bot_token.empty() && !in.bot_username.empty() && !in.webhook_secret.empty(), "telegram credentials");
    }
}

void check_config(const sy::config::Config& c) {
    require(c.api_token.size() >= 16, "a short api_token accepted");
    for (char ch : c.api_token) require(ch > ' ' && ch < 0x7f, "an api_token with a space or control character");
    require(c.rules.empty() != c.compiled.empty(), "not exactly one of rules and compiled");
    require(c.body_limit > 0, "a body limit of 0");
    std::set<std::string> ids;
    for (const auto& in : c.integrations) {
        require(ids.insert(in.id).second, "two integrations with one id");
        check_integration(in);
    }
    std::set<std::int64_t> employees;
    int owners = 0;
    for (const auto& e : c.employees) {
        require(employees.insert(e.id).second, "two employees with one id");
        owners += e.owner ? 1 : 0;
    }
    require(owners <= 1, "more than one owner");
    (void)c.public_base_url();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        check_config(sy::config::parse(sy::fuzz::bytes_of(data, size), "/fuzz/switchyard.toml"));
    } catch (const sy::config::ConfigError& e) {
        check_error(e);
    }
    return 0;
}
