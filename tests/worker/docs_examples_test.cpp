// The examples of docs/api.md are what the read API returns after a small scenario: this test
// runs the scenario and compares each example with the answer, so the docs cannot drift from
// the code. The worker's wall-clock times and the ruleset's version are compared by form only. To regenerate the examples after a deliberate change, run
//     SWITCHYARD_PRINT_DOCS=1 build/tests/switchyard_worker_tests "the examples of docs/api.md*"
// and paste each printed block into docs/api.md.
#include "tests/docs_examples.hpp"
#include "tests/worker/worker_support.hpp"

#include <regex>

using namespace switchyard;
using namespace switchyard::testing;

namespace {

// Values that are not the scenario's own: the worker's wall-clock time (`at`: when it decided)
// and the ruleset's version (a hash of the rule files, new with every edit of rules/). They
// are equal when both have the form.
bool same_form(std::string_view key, const json::value& documented, const json::value& actual) {
    static const std::regex time(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z)");
    static const std::regex version(R"([0-9a-f]{16})");
    if (key == "at") return matches(documented, time) && matches(actual, time);
    if (key == "ruleset") return matches(documented, version) && matches(actual, version);
    return false;
}

void check_example(const std::string& heading, const json::value& actual) { testing::check_example(heading, actual, same_form); }

}  // namespace

TEST_CASE("the examples of docs/api.md are what the API returns", "[worker][docs]") {
    auto config = test_config();
    integration_of(config, "tg").contact_template = "Telegram customer";  // the contact's `template`
    Bench b(config);
    auto hello = tg_private(1, anna, 10, "Hello! The invoice is attached.");
    hello.message.files = {file("invoice.pdf", "pdf", 182044, "document")};
    hello.message.files[0].source = "BQACAgIAAxkBAAIBZ2Zk";
    b.deliver("tg", {hello});
    b.deliver("tg", {tg_reaction(2, 55, 10, tg_user(202, "Olga", "olga"), "👍")});
    b.store().link_chat("tg", "-1001234567890", 1, t0());
    auto group = tg_group(3, -1001234567890, anna, 41, "@ivan_support could you check the invoice?");
    group.message.mentions = {tg_user(0, "", "ivan_support")};
    group.message.mentions[0].external_id.clear();
    b.deliver("tg", {group});

    check_example("`GET /api/v1/tasks`", json::object{{"tasks", b.store().tasks(100, 0)}});
    check_example("`GET /api/v1/tasks/{id}`", *b.store().task(1));
    check_example("`GET /api/v1/contacts/{id}`", *b.store().contact(1000001));
    // The docs show the newest row only.
    check_example("`GET /api/v1/decisions?task={id}`", json::object{{"decisions", b.store().decisions(1, 1)}});
}
