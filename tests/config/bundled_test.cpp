// The bundled example configuration (config/switchyard.toml): it loads, and its settings fit
// the shipped rules, so a fresh checkout starts with it as it is.
#include "tests/config/config_support.hpp"

using namespace switchyard;

TEST_CASE("the bundled configuration loads and fits the shipped rules", "[config]") {
    auto root = testing::source_dir();
    auto c = config::load("config/switchyard.toml");

    CHECK(c.listen_address == "127.0.0.1");
    CHECK(c.listen_port == 8080);
    CHECK(c.storage == (root / "config/var/switchyard.db").string());
    CHECK(c.compiled.empty());
    CHECK(c.body_limit == 10u << 20);
    CHECK(c.plan == "paid");
    REQUIRE(c.owner());
    CHECK(c.owner()->id == 1);

    REQUIRE(c.integrations.size() == 3);
    CHECK(c.integrations[0].service == config::Service::telegram);
    CHECK(c.integrations[1].service == config::Service::telegram_business);
    const auto* wazzup = c.integration("wazzup");
    REQUIRE(wazzup);
    CHECK(wazzup->service == config::Service::wazzup);
    REQUIRE(wazzup->channels.size() == 2);
    CHECK(wazzup->channels[0].transport == "whatsapp");
    CHECK(wazzup->channels[0].number == "79011112233");
    CHECK(wazzup->channels[1].transport == "instagram");
    CHECK(wazzup->channels[1].number == "example_shop");

    // The ruleset the file names is the shipped one: the settings are checked against it.
    CHECK(c.rules == (root / "rules").string());
    auto misfits = engine::check_settings(c, testing::shipped_rules());
    INFO(testing::compact(misfits, *c.sources));
    CHECK(misfits.empty());
}
