// Settings of dates, times of day and times, given in the configuration as TOML's own dates
// and times or as text: what the rules write (`2027-01-01`, `09:00`) is what TOML writes.
#include "runtime/engine/engine.hpp"
#include "tests/config/config_support.hpp"

using namespace switchyard;

namespace {

const std::string head = "[server]\napi_token = \"0123456789abcdef\"\n[ruleset]\nrules = \"rules\"\n";
// The integration's settings start at line 12.
const std::string integration = "[[integrations]]\nid = \"tg\"\nservice = \"telegram\"\nbot_token = \"123:abc\"\n"
                                "bot_username = \"example_bot\"\nwebhook_secret = \"secret\"\n[integrations.settings]\n";

const std::string time_rules = R"(
setting holidays: set<date> = {}
setting opens: time_of_day = 09:00
setting launch: time = 2027-01-01T00:00Z

policy reopen for inbound {
    when date_in(now, "Europe/Moscow") in setting.holidays                   -> append
    when time_of_day_in(now, "Europe/Moscow") < setting.opens or now < setting.launch -> append
    otherwise                                                                -> reopen
}
)";

std::string misfits(const std::string& settings) {
    auto config = config::parse(head + integration + settings, "test.toml");
    auto found = engine::check_settings(config, *testing::image_of(time_rules));
    return found.empty() ? "(no error)" : testing::compact(found, *config.sources);
}

}  // namespace

TEST_CASE("settings of dates, times of day and times take TOML's dates and times, or text", "[config][time]") {
    CHECK(misfits("holidays = [2027-01-01, 2027-01-07]\nopens = 10:30:00\nlaunch = 2027-02-01T09:00:00+03:00\n") ==
          "(no error)");
    CHECK(misfits("holidays = [\"2027-01-01\"]\nopens = \"10:30\"\nlaunch = \"2027-02-01T09:00+03:00\"\n") == "(no error)");
    auto bad_day = misfits("holidays = [\"2027-02-30\"]\n");
    CHECK(bad_day.find("E0811") != std::string::npos);
    CHECK(bad_day.find("day 30 is out of range") != std::string::npos);
    // A TOML local date-time has no offset: which moment it is depends on a zone nobody named.
    auto local = misfits("launch = 2027-02-01T09:00:00\n");
    CHECK(local.find("E0811") != std::string::npos);
    CHECK(local.find("offset") != std::string::npos);
}
