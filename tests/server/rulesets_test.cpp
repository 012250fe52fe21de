// Rulesets without sockets (docs/api.md, "Rulesets"): what serves when the configuration's files
// are loaded (server::serve_configured), publishing and rolling back through handle_request,
// and what the store keeps of each: the rulesets with their sources, the events with who and why.
#include "bytecode/serialize.hpp"
#include "runtime/server/rulesets.hpp"
#include "runtime/server/server.hpp"
#include "tests/docs_examples.hpp"
#include "tests/support.hpp"
#include "tests/support/in_process_request.hpp"
#include "tests/support/temp_storage.hpp"
#include "tests/vm_support.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <filesystem>
#include <regex>

using namespace switchyard;
namespace http = server::http;
namespace json = boost::json;

namespace {

const std::string token = "rulesets-token-0123456789";
const std::string head = "[server]\napi_token = \"" + token + "\"\n[ruleset]\nrules = \"rules\"\n"
                         "[[employees]]\nid = 1\nname = \"Olga\"\nowner = true\n";
const std::string tier_declared = "[contact_fields]\ntier = \"string\"\n";

// Three small rulesets: two that differ in one rule, one that reads a contact field.
const std::string attach = "policy reopen for inbound {\n    otherwise -> reopen\n}\n";
const std::string replace = "policy reopen for inbound {\n    otherwise -> new_task\n}\n";
const std::string tiered = "contact_field tier: string = \"basic\"\n\npolicy reopen for inbound {\n"
                           "    when contact.fields.tier == \"gold\" -> reopen\n    otherwise -> new_task\n}\n";

std::string compiled(const std::string& text, const std::string& file = "rules/planfix.rules") {
    return bytecode::write(testing::compile_text(text, file));
}

struct Fixture {
    testing::TempStorage db{"rulesets"};
    config::Config config = config::parse(head + tier_declared, "switchyard.toml");
    std::unique_ptr<store::Store> store;
    engine::RulesetHolder rulesets;
    std::unique_ptr<server::Context> context;

    Fixture() {
        store = std::make_unique<store::Store>(db.path());
        context = std::make_unique<server::Context>(config, *store, rulesets);
    }
    ~Fixture() {
        context.reset();
        store.reset();
    }

    // The configuration's files loaded, as at start or on SIGHUP.
    server::Served load(const std::string& text, const config::Config* with = nullptr) {
        return server::serve_configured(rulesets, *store, with ? *with : config, server::offer_compiled(compiled(text)),
                                        "compiled from `rules`");
    }
    std::string serving() const { return rulesets.current() ? rulesets.current()->version : ""; }

    server::Response send(http::verb verb, const std::string& target, const std::string& body = {}) {
        return testing::handle(*context, verb, target, body, testing::bearer(token));
    }
    json::value get(const std::string& target) {
        auto r = send(http::verb::get, target);
        INFO(target << " -> " << r.body());
        REQUIRE(r.result() == http::status::ok);
        return json::parse(r.body());
    }
    json::array events() { return get("/api/v1/rulesets/events").at("events").as_array(); }
};

std::string version_of(const server::Served& s) { return std::get<engine::Swapped>(s.result).ruleset->version; }

}  // namespace

TEST_CASE("the configuration's ruleset serves and is recorded once, however often it is loaded unchanged", "[server][rulesets]") {
    Fixture f;
    auto first = f.load(attach);
    REQUIRE(std::holds_alternative<engine::Swapped>(first.result));
    CHECK_FALSE(first.restored);
    f.load(attach);  // a restart, a SIGHUP: the same files
    auto events = f.events();
    REQUIRE(events.size() == 1);
    CHECK(events[0].at("action") == "configured");
    CHECK(events[0].at("version") == json::value(version_of(first)));
    CHECK(events[0].at("previous").is_null());
    CHECK(events[0].at("by") == json::parse(R"({"kind": "configuration", "id": null, "name": "configuration"})"));
    CHECK(events[0].at("detail") == "compiled from `rules`");
    auto listed = f.get("/api/v1/rulesets").at("rulesets").as_array();
    REQUIRE(listed.size() == 1);
    CHECK(listed[0].at("serving") == true);
    CHECK(listed[0].at("name") == "planfix");
}

TEST_CASE("a publish names who and why, and an unknown employee is refused and changes nothing", "[server][rulesets][R3]") {
    Fixture f;
    auto configured = version_of(f.load(attach));
    auto bad_by = f.send(http::verb::post, "/api/v1/ruleset?by=7&reason=x", compiled(replace));
    CHECK(bad_by.result() == http::status::unprocessable_entity);
    CHECK(json::parse(bad_by.body()).at("error") == "by: no employee has id 7");
    CHECK(f.send(http::verb::post, "/api/v1/ruleset?by=olga", compiled(replace)).result() == http::status::bad_request);
    CHECK(f.serving() == configured);

    auto published = f.send(http::verb::post, "/api/v1/ruleset?by=1&reason=new%20tasks%20always", compiled(replace));
    REQUIRE(published.result() == http::status::ok);
    auto answer = json::parse(published.body());
    CHECK(answer.at("previous") == json::value(configured));
    CHECK(answer.at("version") == json::value(f.serving()));
    auto e = f.events().at(0);
    CHECK(e.at("action") == "publish");
    CHECK(e.at("reason") == "new tasks always");
    CHECK(e.at("by") == json::parse(R"({"kind": "employee", "id": 1, "name": "Olga"})"));

    // Without `by`, as callers did before rulesets were recorded: the API token's holder.
    REQUIRE(f.send(http::verb::post, "/api/v1/ruleset", compiled(tiered)).result() == http::status::ok);
    CHECK(f.events().at(0).at("by").at("kind") == "api");
    CHECK(f.get("/api/v1/rulesets").at("rulesets").as_array().size() == 3);
}

TEST_CASE("a refused ruleset is an event with the reason, and the one serving goes on", "[server][rulesets][R3]") {
    Fixture f;
    auto configured = version_of(f.load(attach));
    auto refused = f.send(http::verb::post, "/api/v1/ruleset?by=1&reason=try", "SWYDRULE not really");
    CHECK(refused.result() == http::status::unprocessable_entity);
    CHECK_THAT(std::string(refused.body()), Catch::Contains("the ruleset is refused"));
    CHECK(f.serving() == configured);
    auto e = f.events().at(0);
    CHECK(e.at("action") == "refuse");
    CHECK(e.at("attempted") == "publish");
    CHECK(e.at("version").is_null());  // it never loaded
    CHECK(e.at("previous") == json::value(configured));
    CHECK(e.at("reason") == "try");
    CHECK_THAT(std::string(e.at("detail").as_string()), Catch::Contains("format version"));  // the loader's reason
    CHECK(f.get("/api/v1/rulesets").at("rulesets").as_array().size() == 1);  // only what served is kept
}

TEST_CASE("a ruleset shows its sources, and the diff from another, file by file", "[server][rulesets]") {
    Fixture f;
    auto first = version_of(f.load(attach));
    REQUIRE(f.send(http::verb::post, "/api/v1/ruleset", compiled(replace, "/elsewhere/rules/planfix.rules")).result() ==
            http::status::ok);
    auto second = f.serving();

    auto shown = f.get("/api/v1/rulesets/" + first);
    CHECK(shown.at("serving") == false);
    CHECK(shown.at("sources") == json::parse(R"([{"path": "rules/planfix.rules", "file": "planfix.rules", "text": ")" +
                                             std::string("policy reopen for inbound {\\n    otherwise -> reopen\\n}\\n") + "\"}]"));
    // Files are compared by their path from the root file's folder, wherever each was compiled.
    auto diff = f.get("/api/v1/rulesets/" + second + "?against=" + first);
    CHECK(diff.at("against") == json::value(first));
    CHECK(diff.at("diff") == json::parse(R"([{"file": "planfix.rules", "change": "changed", "diff": ")" + std::string("--- ") +
                                         first + "/planfix.rules\\n+++ " + second +
                                         "/planfix.rules\\n@@ -1,3 +1,3 @@\\n policy reopen for inbound {\\n-    otherwise -> "
                                         "reopen\\n+    otherwise -> new_task\\n }\\n\"}]"));
    CHECK(f.get("/api/v1/rulesets/" + first + "?against=" + first).at("diff").as_array().empty());

    auto unknown = f.send(http::verb::get, "/api/v1/rulesets/0123456789abcdef");
    CHECK(unknown.result() == http::status::not_found);
    CHECK(json::parse(unknown.body()).at("error") == "no ruleset `0123456789abcdef` has served here");
    CHECK(f.send(http::verb::get, "/api/v1/rulesets/" + first + "?against=0123456789abcdef").result() == http::status::not_found);
    CHECK(f.send(http::verb::post, "/api/v1/rulesets/" + first).result() == http::status::method_not_allowed);
}

TEST_CASE("a rollback swaps back to a stored ruleset, atomically, with who and why", "[server][rulesets][R3]") {
    Fixture f;
    auto first = version_of(f.load(attach));
    REQUIRE(f.send(http::verb::post, "/api/v1/ruleset?by=1", compiled(replace)).result() == http::status::ok);
    auto second = f.serving();

    CHECK(f.send(http::verb::post, "/api/v1/rulesets/0123456789abcdef/rollback?by=1").result() == http::status::not_found);
    CHECK(f.send(http::verb::post, "/api/v1/rulesets/" + second + "/rollback?by=1").result() == http::status::conflict);
    CHECK(f.send(http::verb::get, "/api/v1/rulesets/" + first + "/rollback").result() == http::status::method_not_allowed);
    auto rolled = f.send(http::verb::post, "/api/v1/rulesets/" + first + "/rollback?by=1&reason=back%20to%20reopening");
    REQUIRE(rolled.result() == http::status::ok);
    CHECK(json::parse(rolled.body()) == json::parse(R"({"version": ")" + first + R"(", "previous": ")" + second + "\"}"));
    CHECK(f.serving() == first);
    auto e = f.events().at(0);
    CHECK(e.at("action") == "rollback");
    CHECK(e.at("version") == json::value(first));
    CHECK(e.at("previous") == json::value(second));
    CHECK(e.at("reason") == "back to reopening");
    CHECK(f.context->metrics.ruleset_swaps == 2);
}

TEST_CASE("the latest admin action wins at start: a publish since the files were loaded serves again", "[server][rulesets]") {
    Fixture f;
    auto configured = version_of(f.load(attach));
    REQUIRE(f.send(http::verb::post, "/api/v1/ruleset?by=1&reason=r", compiled(replace)).result() == http::status::ok);
    auto published = f.serving();

    auto again = f.load(attach);  // unchanged files: the published one serves again
    REQUIRE(again.restored);
    CHECK(again.restored->action == store::RulesetAction::publish);
    CHECK(version_of(again) == published);
    CHECK(f.events().size() == 2);  // nothing new happened

    auto changed = f.load(tiered);  // changed files: they serve
    CHECK_FALSE(changed.restored);
    CHECK(version_of(changed) != configured);
    CHECK(f.serving() == version_of(changed));
    CHECK(f.events().at(0).at("action") == "configured");

    // A rollback after that wins again over the files, until they change.
    REQUIRE(f.send(http::verb::post, "/api/v1/rulesets/" + configured + "/rollback?by=1").result() == http::status::ok);
    CHECK(f.load(tiered).restored);
    CHECK(f.serving() == configured);
}

TEST_CASE("files that hold what was swapped in last serve as the files, and a later publish still wins over them",
          "[server][rulesets]") {
    Fixture f;
    f.load(attach);
    REQUIRE(f.send(http::verb::post, "/api/v1/ruleset?by=1", compiled(replace)).result() == http::status::ok);
    auto published = f.serving();
    auto files_now = f.load(replace);  // the files now hold what was published: they changed
    CHECK_FALSE(files_now.restored);
    CHECK(f.serving() == published);
    CHECK(f.events().at(0).at("action") == "configured");

    REQUIRE(f.send(http::verb::post, "/api/v1/ruleset?by=1", compiled(tiered)).result() == http::status::ok);
    auto later = f.serving();
    CHECK(f.load(replace).restored);  // unchanged files: the later publish serves on
    CHECK(f.serving() == later);

    // A rollback to what the files hold, then a restart: the same ruleset, nothing to record.
    REQUIRE(f.send(http::verb::post, "/api/v1/rulesets/" + published + "/rollback?by=1").result() == http::status::ok);
    auto count = f.events().size();
    auto restart = f.load(replace);
    CHECK_FALSE(restart.restored);
    CHECK(f.serving() == published);
    CHECK(f.events().size() == count);
}

TEST_CASE("a stored ruleset the configuration no longer fits is refused at start, and the files serve", "[server][rulesets]") {
    Fixture f;
    auto configured = version_of(f.load(attach));
    REQUIRE(f.send(http::verb::post, "/api/v1/ruleset?by=1", compiled(tiered)).result() == http::status::ok);
    auto published = f.serving();

    auto without_tier = config::parse(head, "switchyard.toml");  // [contact_fields] tier is gone
    auto start = f.load(attach, &without_tier);
    REQUIRE(start.restore_refused);
    CHECK_THAT(start.restore_refused->reason, Catch::Contains("contact fields do not fit"));
    CHECK(version_of(start) == configured);
    auto events = f.events();
    CHECK(events.at(0).at("action") == "configured");
    CHECK(events.at(1).at("action") == "refuse");
    CHECK(events.at(1).at("attempted") == "publish");
    CHECK(events.at(1).at("version") == json::value(published));

    // The next start serves the files without trying the refused one again.
    auto next = f.load(attach, &without_tier);
    CHECK_FALSE(next.restore_refused);
    CHECK_FALSE(next.restored);
    CHECK(f.events().size() == events.size());
}

TEST_CASE("ruleset events page by limit and before, newest first", "[server][rulesets]") {
    Fixture f;
    f.load(attach);
    for (const auto* text : {&replace, &tiered}) REQUIRE(f.send(http::verb::post, "/api/v1/ruleset", compiled(*text)).result() == http::status::ok);
    auto all = f.events();
    REQUIRE(all.size() == 3);
    auto page = f.get("/api/v1/rulesets/events?limit=1&before=" + std::to_string(all[0].at("id").as_int64())).at("events").as_array();
    REQUIRE(page.size() == 1);
    CHECK(page[0] == all[1]);
    CHECK(f.send(http::verb::get, "/api/v1/rulesets/events?limit=0").result() == http::status::bad_request);
    CHECK(f.send(http::verb::get, "/api/v1/rulesets/x/y").result() == http::status::not_found);
}

// ---- the examples of docs/api.md, "Rulesets" ----

namespace {

// Times are the server's clock and versions hashes of what the compiler makes: equal by form,
// and in a diff's text, the versions in its headers too.
bool same_form(std::string_view key, const json::value& documented, const json::value& actual) {
    static const std::regex time(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z)");
    static const std::regex version(R"([0-9a-f]{16})");
    if (key == "at" || key == "first_served_at") return testing::matches(documented, time) && testing::matches(actual, time);
    if (key == "version" || key == "previous" || key == "against")
        return testing::matches(documented, version) && testing::matches(actual, version);
    if (key != "diff" || !documented.is_string() || !actual.is_string()) return false;
    static const std::regex in_text("[0-9a-f]{16}/");
    auto plain = [](const json::value& v) { return std::regex_replace(std::string(v.get_string()), in_text, "VERSION/"); };
    return plain(documented) == plain(actual);
}

const std::string docs_v1 = "ruleset planfix\n\npolicy reopen for inbound {\n    otherwise -> reopen\n}\n";
const std::string docs_v2 = "ruleset planfix\n\n# A customer who writes after their task is done starts a new one.\n"
                            "policy reopen for inbound {\n    otherwise -> new_task\n}\n";

}  // namespace

// To regenerate the examples after a deliberate change:
//     SWITCHYARD_PRINT_DOCS=1 build/tests/switchyard_server_tests "the examples of docs/api.md's rulesets*"
TEST_CASE("the examples of docs/api.md's rulesets are what the API answers", "[server][rulesets][docs]") {
    Fixture f;
    const std::string path = "/srv/switchyard/rules/planfix.rules";
    server::serve_configured(f.rulesets, *f.store, f.config, server::offer_compiled(compiled(docs_v1, path)),
                             "compiled from `/srv/switchyard/rules`");
    auto v1 = f.serving();
    auto published = f.send(http::verb::post, "/api/v1/ruleset?by=1&reason=new%20task%20after%20done", compiled(docs_v2, path));
    testing::check_example("`POST /api/v1/ruleset`", json::parse(published.body()), same_form);
    auto v2 = f.serving();
    f.send(http::verb::post, "/api/v1/ruleset?by=1&reason=try%20again", "SWYDRULE");
    testing::check_example("`GET /api/v1/rulesets`", f.get("/api/v1/rulesets"), same_form);
    testing::check_example("`GET /api/v1/rulesets/{version}`", f.get("/api/v1/rulesets/" + v2 + "?against=" + v1), same_form);
    auto rolled = f.send(http::verb::post, "/api/v1/rulesets/" + v1 + "/rollback?by=1&reason=customers%20want%20their%20task%20back");
    testing::check_example("`POST /api/v1/rulesets/{version}/rollback`", json::parse(rolled.body()), same_form);
    testing::check_example("`GET /api/v1/rulesets/events`", f.get("/api/v1/rulesets/events"), same_form);
}
