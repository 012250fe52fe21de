// Every Telegram and Wazzup fixture of ../shared/fixtures against the events the adapters make
// of it, kept as JSON in tests/adapters/golden/<fixture>.json. A change in what an adapter makes
// shows as a diff of that file. After a deliberate change, rewrite them with
//     SWITCHYARD_UPDATE_GOLDEN=1 build/tests/switchyard_adapters_tests "[golden]"
// and read the diff before committing it.
#include "tests/adapters/event_json.hpp"
#include "tests/adapters/fixtures.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace switchyard;
using namespace switchyard::testing;

namespace {

const adapters::TelegramContext telegram{"my_support_bot", "tg1"};
const adapters::WazzupContext wazzup{"wz1", {{"b96a353b-9999-4cac-8413-ba99999f981", "79990001122"}}};

// The fixtures that are webhook bodies of a messenger we take: Telegram's and Wazzup's (not
// the bodies we send to Wazzup, nor Meta's, which no adapter reads).
std::vector<std::string> webhook_fixtures() {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(source_dir() / ".." / "shared" / "fixtures")) {
        auto name = entry.path().filename().string();
        bool ours = name.starts_with("telegram_") || name.starts_with("wazzup_");
        if (ours && !name.starts_with("wazzup_send_message_") && entry.path().extension() == ".json") names.push_back(name);
    }
    std::sort(names.begin(), names.end());
    return names;
}

std::string parse_as_golden(const std::string& name) {
    auto body = read_fixture(name);
    boost::json::object out;
    try {
        out = parsed_json(name.starts_with("telegram_") ? adapters::parse_telegram(body, telegram)
                                                        : adapters::parse_wazzup(body, wazzup));
    } catch (const adapters::ParseError& e) {
        out = {{"error", e.what()}};
    }
    std::string text;
    pretty(text, out);
    return text + "\n";
}

}  // namespace

TEST_CASE("golden: every webhook fixture makes the events of its golden file", "[golden]") {
    bool update = std::getenv("SWITCHYARD_UPDATE_GOLDEN") != nullptr;
    auto names = webhook_fixtures();
    REQUIRE(names.size() >= 15);
    for (const auto& name : names) {
        DYNAMIC_SECTION(name) {
            auto golden = source_dir() / "tests" / "adapters" / "golden" / name;
            auto actual = parse_as_golden(name);
            if (update) std::ofstream(golden, std::ios::binary) << actual;
            INFO("golden file " << golden.string() << " (SWITCHYARD_UPDATE_GOLDEN=1 rewrites it)");
            REQUIRE(std::filesystem::exists(golden));
            CHECK(read_text(golden) == actual);
        }
    }
}
