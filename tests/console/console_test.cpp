// The console's routes in process (console/): the login and its cookie, CSRF on every change,
// the pages and their files, and the rule workbench answering what the command line says.
#include "console/console.hpp"
#include "console/workbench.hpp"

#include "cli/cli.hpp"
#include "runtime/store/sqlite.hpp"
#include "tests/support.hpp"
#include "tests/support/in_process_request.hpp"
#include "tests/support/temp_storage.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <filesystem>
#include <unistd.h>

using namespace switchyard;
namespace http = server::http;
namespace json = boost::json;

namespace {

const std::string token = "console-token-0123456789";

std::string cookie_value(const std::string& set_cookie) {
    auto start = set_cookie.find('=') + 1;
    return set_cookie.substr(start, set_cookie.find(';') - start);
}

struct Fixture {
    testing::TempStorage db{"console"};
    config::Config config;
    std::unique_ptr<store::Store> store;
    engine::RulesetHolder rulesets;
    std::unique_ptr<server::Context> context;
    std::string cookie, csrf;

    explicit Fixture(bool enabled = true) {
        testing::source_dir();
        config.api_token = token;
        config.console.enabled = enabled;
        store = std::make_unique<store::Store>(db.path());
        context = std::make_unique<server::Context>(config, *store, rulesets);
        console::attach(*context, [](const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err) {
            return cli::run(args, in, out, err);
        });
    }
    ~Fixture() {
        context.reset();
        store.reset();
    }

    server::Response send(http::verb verb, const std::string& target, const std::string& body = {},
                          const testing::Headers& headers = {}) {
        return testing::handle(*context, verb, target, body, headers);
    }

    void login() {
        auto r = send(http::verb::post, "/console/login", "token=" + token, {{"Content-Type", "application/x-www-form-urlencoded"}});
        REQUIRE(r.result() == http::status::see_other);
        cookie = "switchyard_session=" + cookie_value(std::string(r[http::field::set_cookie]));
        auto s = send(http::verb::get, "/console/session", {}, {{"Cookie", cookie}});
        REQUIRE(s.result() == http::status::ok);
        csrf = std::string(json::parse(s.body()).at("csrf").as_string());
    }

    // A change from the logged-in console: the cookie and the CSRF token.
    server::Response change(const std::string& target, const json::value& body) {
        return send(http::verb::post, target, json::serialize(body), {{"Cookie", cookie}, {"X-CSRF-Token", csrf}});
    }
};

json::array shipped_rules() {
    json::array files;
    for (const auto& path : compiler::rule_files_in("rules"))
        files.push_back({{"file", std::filesystem::path(path).filename().string()}, {"text", testing::read_text(path)}});
    return files;
}

// The shipped rules with `from` replaced by `to` in `file`.
json::array edited_rules(const std::string& file, const std::string& from, const std::string& to) {
    auto files = shipped_rules();
    for (auto& f : files) {
        if (f.at("file").as_string() != file) continue;
        std::string text(f.at("text").as_string());
        auto at = text.find(from);
        REQUIRE(at != std::string::npos);
        f.as_object()["text"] = text.replace(at, from.size(), to);
    }
    return files;
}

}  // namespace

TEST_CASE("the console asks for the API token, then keeps a session in a strict HttpOnly cookie", "[console]") {
    Fixture f;
    auto root = f.send(http::verb::get, "/console");
    CHECK(root.result() == http::status::see_other);
    CHECK(root[http::field::location] == "/console/");
    auto page = f.send(http::verb::get, "/console/");
    CHECK(page.result() == http::status::see_other);
    CHECK(page[http::field::location] == "/console/login");
    auto form = f.send(http::verb::get, "/console/login");
    CHECK(form.result() == http::status::ok);
    CHECK(form.body().find("name=\"token\"") != std::string::npos);
    CHECK(form.body().find("id=\"refused\" class=\"refused\" hidden") != std::string::npos);

    auto wrong = f.send(http::verb::post, "/console/login", "token=nope", {{"Content-Type", "application/x-www-form-urlencoded"}});
    CHECK(wrong.result() == http::status::unauthorized);
    CHECK(wrong.find(http::field::set_cookie) == wrong.end());
    CHECK(wrong.body().find("id=\"refused\" class=\"refused\">") != std::string::npos);
    CHECK(f.context->metrics.api_unauthorized == 1);

    auto right = f.send(http::verb::post, "/console/login", "token=" + token, {{"Content-Type", "application/x-www-form-urlencoded"}});
    REQUIRE(right.result() == http::status::see_other);
    CHECK(right[http::field::location] == "/console/");
    std::string set_cookie(right[http::field::set_cookie]);
    CHECK(set_cookie.starts_with("switchyard_session="));
    CHECK(cookie_value(set_cookie).size() == 64);
    CHECK(set_cookie.find("; HttpOnly") != std::string::npos);
    CHECK(set_cookie.find("; SameSite=Strict") != std::string::npos);
    CHECK(set_cookie.find("; Path=/") != std::string::npos);
    CHECK(set_cookie.find("; Max-Age=28800") != std::string::npos);

    auto cookie = "switchyard_session=" + cookie_value(set_cookie);
    auto app = f.send(http::verb::get, "/console/", {}, {{"Cookie", cookie}});
    CHECK(app.result() == http::status::ok);
    CHECK(app.body().find("id=\"editor\"") != std::string::npos);
    CHECK(app[http::field::cache_control] == "no-store");
    CHECK(app["X-Frame-Options"] == "DENY");
}

TEST_CASE("a console session reads the API, and changes only with its CSRF token", "[console]") {
    Fixture f;
    f.login();
    CHECK(f.send(http::verb::get, "/api/v1/tasks", {}, {{"Cookie", f.cookie}}).result() == http::status::ok);
    CHECK(f.send(http::verb::get, "/api/v1/tasks").result() == http::status::unauthorized);

    auto requeue = f.send(http::verb::post, "/api/v1/inbox/1/requeue", {}, {{"Cookie", f.cookie}});
    CHECK(requeue.result() == http::status::forbidden);
    CHECK(requeue.body().find("X-CSRF-Token") != std::string::npos);
    CHECK(f.context->metrics.csrf_refused == 1);
    CHECK(f.change("/api/v1/inbox/1/requeue", nullptr).result() == http::status::conflict);  // authorized: the row has not failed

    // A change posted with a body: refused from the header, before the body is read.
    server::Request head{http::verb::post, "/console/api/check", 11};
    head.set(http::field::cookie, f.cookie);
    head.set(http::field::content_length, "10");
    auto refused = server::refuse_before_body(head, *f.context);
    REQUIRE(refused);
    CHECK(refused->result() == http::status::forbidden);
    head.set(std::string(server::csrf_header), f.csrf);
    CHECK_FALSE(server::refuse_before_body(head, *f.context));

    // The Bearer token works as before, on the API and on the workbench.
    CHECK(f.send(http::verb::post, "/console/api/check", json::serialize(json::object{{"files", shipped_rules()}}),
                 {{"Authorization", "Bearer " + token}})
              .result() == http::status::ok);

    auto out = f.change("/console/logout", nullptr);
    CHECK(out.result() == http::status::ok);
    CHECK(std::string(out[http::field::set_cookie]).find("Max-Age=0") != std::string::npos);
    CHECK(f.send(http::verb::get, "/console/session", {}, {{"Cookie", f.cookie}}).result() == http::status::unauthorized);
    CHECK(f.send(http::verb::get, "/api/v1/tasks", {}, {{"Cookie", f.cookie}}).result() == http::status::unauthorized);
}

TEST_CASE("check: the shipped rules have no problems, and a typo is an error with its did-you-mean", "[console]") {
    Fixture f;
    f.login();
    auto clean = f.change("/console/api/check", json::object{{"files", shipped_rules()}});
    REQUIRE(clean.result() == http::status::ok);
    auto doc = json::parse(clean.body()).as_object();
    CHECK(doc.at("errors").as_int64() == 0);

    auto typo = f.change("/console/api/check",
                         json::object{{"files", edited_rules("telegram.rules", "when contact.blocked_bot", "when contact.blocked_bott")}});
    REQUIRE(typo.result() == http::status::ok);
    auto found = json::parse(typo.body()).as_object();
    CHECK(found.at("errors").as_int64() == 1);
    const auto& d = found.at("diagnostics").as_array().at(0).as_object();
    CHECK(d.at("file").as_string() == "telegram.rules");  // as the editor names it, not the temporary folder
    CHECK(d.at("severity").as_string() == "error");
    CHECK(std::string(d.at("help").as_string()).find("did you mean `blocked_bot`") != std::string::npos);
    CHECK(typo.body().find("switchyard-console-") == std::string::npos);
}

TEST_CASE("the workbench refuses file names that could leave its folder, and bodies that are not its JSON", "[console]") {
    Fixture f;
    f.login();
    for (std::string name : {"../x.rules", "/etc/x.rules", "a/../../x.rules", "x.txt", "", "a b.rules"}) {
        INFO(name);
        auto r = f.change("/console/api/check", json::object{{"files", json::array{{{"file", name}, {"text", ""}}}}});
        CHECK(r.result() == http::status::bad_request);
    }
    CHECK(f.change("/console/api/check", json::object{}).result() == http::status::bad_request);
    CHECK(f.change("/console/api/check", json::array{}).result() == http::status::bad_request);
    CHECK(f.send(http::verb::post, "/console/api/check", "{", {{"Cookie", f.cookie}, {"X-CSRF-Token", f.csrf}}).result() ==
          http::status::bad_request);
    CHECK(f.send(http::verb::get, "/console/api/check", {}, {{"Cookie", f.cookie}}).result() == http::status::method_not_allowed);
    CHECK(f.change("/console/api/nothing", json::object{}).result() == http::status::not_found);
}

TEST_CASE("format: the text in its canonical layout, and text that does not parse is refused with why", "[console]") {
    Fixture f;
    f.login();
    auto r = f.change("/console/api/format", json::object{{"text", "policy attachment for inbound {\notherwise->attach\n}\n"}});
    REQUIRE(r.result() == http::status::ok);
    CHECK(json::parse(r.body()).at("text").as_string() == "policy attachment for inbound {\n    otherwise -> attach\n}\n");
    auto broken = f.change("/console/api/format", json::object{{"text", "policy attachment for inbound {\n"}});
    CHECK(broken.result() == http::status::unprocessable_entity);
    CHECK(json::parse(broken.body()).at("output").as_string().size() > 0);
}

TEST_CASE("test: the rules' tests with their results and coverage, and a broken rule fails one", "[console]") {
    Fixture f;
    f.login();
    auto r = f.change("/console/api/test", json::object{{"files", shipped_rules()}});
    REQUIRE(r.result() == http::status::ok);
    auto doc = json::parse(r.body()).as_object();
    CHECK(doc.at("failed").as_int64() == 0);
    CHECK(doc.at("passed").as_int64() > 10);
    CHECK(doc.at("coverage").at("rules").as_int64() > 0);

    auto broken = f.change("/console/api/test",
                           json::object{{"files", edited_rules("telegram.rules", "-> refuse(bot_blocked)", "-> send")}});
    REQUIRE(broken.result() == http::status::ok);
    CHECK(json::parse(broken.body()).at("failed").as_int64() >= 1);

    auto wrong = f.change("/console/api/test", json::object{{"files", edited_rules("telegram.rules", "contact.blocked_bot", "nope")}});
    CHECK(wrong.result() == http::status::unprocessable_entity);
    CHECK(std::string(json::parse(wrong.body()).at("output").as_string()).find("telegram.rules:") != std::string::npos);
}

TEST_CASE("eval: what the rules decide for one case, explained", "[console]") {
    Fixture f;
    f.login();
    json::array files{{{"file", "attachment.rules"}, {"text", testing::read_text("tests/cli/data/eval/attachment.rules")}}};
    auto big = json::parse(R"({"message": {"direction": "inbound", "files": [{"name": "a.pdf", "size": "20 MB"}]}})");
    auto r = f.change("/console/api/eval", json::object{{"files", files}, {"case", big}});
    REQUIRE(r.result() == http::status::ok);
    CHECK(r.body().find("\"link\"") != std::string::npos);
    CHECK(r.body().find("attachment.rules:2") != std::string::npos);
    CHECK(f.change("/console/api/eval", json::object{{"files", files}}).result() == http::status::bad_request);
}

TEST_CASE("compile: the bytes a preview and a publish take", "[console]") {
    Fixture f;
    f.login();
    auto r = f.change("/console/api/compile", json::object{{"files", shipped_rules()}});
    REQUIRE(r.result() == http::status::ok);
    CHECK(r[http::field::content_type] == "application/octet-stream");
    auto loaded = vm::load(r.body());
    CHECK(std::holds_alternative<std::shared_ptr<const vm::Image>>(loaded));
    auto preview = f.send(http::verb::post, "/api/v1/ruleset/preview", r.body(), {{"Cookie", f.cookie}, {"X-CSRF-Token", f.csrf}});
    CHECK(preview.result() == http::status::ok);
    CHECK(f.send(http::verb::post, "/api/v1/ruleset/preview", r.body(), {{"Cookie", f.cookie}}).result() == http::status::forbidden);

    auto wrong = f.change("/console/api/compile", json::object{{"files", edited_rules("common.rules", "policy", "polcy")}});
    CHECK(wrong.result() == http::status::unprocessable_entity);
}

TEST_CASE("the console's files, and Debian's CodeMirror from [console] codemirror, or why it is missing", "[console]") {
    Fixture f;
    auto js = f.send(http::verb::get, "/console/assets/console.js");
    CHECK(js.result() == http::status::ok);
    CHECK(js[http::field::content_type] == "text/javascript; charset=utf-8");
    CHECK(js.body().find("X-CSRF-Token") != std::string::npos);
    CHECK(f.send(http::verb::get, "/console/assets/rules-mode.js").body().find("defineSimpleMode") != std::string::npos);
    CHECK(f.send(http::verb::get, "/console/assets/nothing.js").result() == http::status::not_found);
    for (std::string bad : {"../../../etc/passwd", "lib/../../x", "/etc/passwd", "lib/a b.js"}) {
        INFO(bad);
        CHECK(f.send(http::verb::get, "/console/codemirror/" + bad).result() == http::status::bad_request);
    }

    auto folder = std::filesystem::temp_directory_path() / ("switchyard-cm-" + std::to_string(::getpid()));
    std::filesystem::create_directories(folder / "lib");
    std::ofstream(folder / "lib" / "codemirror.js") << "var CodeMirror;";
    f.config.console.codemirror = folder.string();
    auto served = f.send(http::verb::get, "/console/codemirror/lib/codemirror.js");
    CHECK(served.result() == http::status::ok);
    CHECK(served.body() == "var CodeMirror;");
    auto missing = f.send(http::verb::get, "/console/codemirror/lib/codemirror.css");
    CHECK(missing.result() == http::status::not_found);
    CHECK(missing.body().find("libjs-codemirror") != std::string::npos);
    std::filesystem::remove_all(folder);

    server::Context bare(f.config, *f.store, f.rulesets);
    auto notice = console::attach(bare, {});
    CHECK(notice.enabled);
    CHECK(notice.problem.find("needs CodeMirror, which is not in " + folder.string()) != std::string::npos);
}

TEST_CASE("with [console] enabled = false there is no console", "[console]") {
    Fixture f(false);
    CHECK(f.send(http::verb::get, "/console/login").result() == http::status::not_found);
    CHECK(f.send(http::verb::post, "/console/login", "token=" + token).result() == http::status::not_found);
    CHECK(f.context->sessions.size() == 0);
}
