// The scenario runner: each file of tests/scenarios/ against the real `switchyard serve` on
// loopback, with a fake Telegram Bot API and a fake Wazzup API of its own. CTest runs one file
// per test (SWITCHYARD_SCENARIO names it); run by hand without it, every file runs.
#include "tests/scenarios/runner/bodies.hpp"
#include "tests/scenarios/runner/json_match.hpp"
#include "tests/scenarios/runner/scenario.hpp"
#include "tests/server/harness.hpp"
#include "tests/support/fake_telegram.hpp"
#include "tests/support/fake_wazzup.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <thread>

namespace switchyard::scenarios {

namespace json = boost::json;
using testing::FakeTelegram;
using testing::FakeWazzup;
using testing::ServerProcess;

namespace {

const std::filesystem::path folder = std::filesystem::path(SWITCHYARD_SOURCE_DIR) / "tests" / "scenarios";

std::vector<std::filesystem::path> scenario_files() {
    if (const char* one = std::getenv("SWITCHYARD_SCENARIO")) return {one};
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(folder))
        if (entry.path().extension() == ".toml" && entry.path().filename() != "base.toml") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    return files;
}

// The calls a fake received, as JSON objects with the fields a scenario can name. Telegram's
// getFile and file downloads are the server fetching customers' files, not sending: left out.
json::array telegram_calls(const FakeTelegram& fake, const Scenario& s) {
    json::array out;
    for (const auto& c : fake.calls()) {
        if (c.method == "getFile" || c.method == "file") continue;
        json::object o{{"method", c.method}, {"chat_id", c.chat_id}, {"text", c.text}};
        for (const auto& [id, integration] : s.integrations)
            if (integration.bot_token == c.token) o["bot"] = id;
        if (c.business_connection_id) o["business_connection_id"] = *c.business_connection_id;
        if (c.reply_to) o["reply_to"] = *c.reply_to;
        if (c.message_id) o["message_id"] = *c.message_id;
        if (c.method == "setMessageReaction") {
            json::array r;
            for (const auto& e : c.reaction) r.push_back(json::string(e));
            o["reaction"] = r;
        }
        if (!c.file_name.empty()) o["file_name"] = c.file_name;
        if (!c.file_field.empty()) o["file_field"] = c.file_field;
        out.push_back(o);
    }
    return out;
}

json::array wazzup_calls(const FakeWazzup& fake) {
    json::array out;
    for (const auto& c : fake.calls()) {
        json::object o{{"channel_id", c.channel_id}, {"chat_type", c.chat_type}, {"chat_id", c.chat_id}};
        if (c.has_text) o["text"] = c.text;
        if (c.has_content_uri) o["content_uri"] = c.content_uri;
        if (!c.ref_message_id.empty()) o["ref_message_id"] = c.ref_message_id;
        if (!c.crm_user_id.empty()) o["crm_user_id"] = c.crm_user_id;
        o["refused"] = c.answered_message_id.empty();
        out.push_back(o);
    }
    return out;
}

std::string pretty(const json::value& v) {
    auto text = json::serialize(v);
    return text.size() > 4000 ? text.substr(0, 4000) + "…" : text;
}

class Run {
public:
    explicit Run(const Scenario& s) : s_(s), server_(configuration(s), "scenario") {
        placeholders_.telegram_url = telegram_.base_url();
        placeholders_.wazzup_url = wazzup_.base_url();
        server_.start();
    }

    void step(const Step& step) {
        where_ = s_.path.filename().string() + ":" + std::to_string(step.line) + ": " + describe(step);
        std::visit([this](const auto& action) { act(action); }, step.action);
    }

private:
    std::string configuration(const Scenario& s) {
        auto text = testing::replace_all(s.config, "{{telegram}}", telegram_.base_url());
        return testing::replace_all(text, "{{wazzup}}", wazzup_.base_url());
    }

    [[noreturn]] void fail(const std::string& why) {
        FAIL(where_ << "\n  " << why << "\n  (the server said: " << last_lines(server_.output(), 8) << ")");
        throw std::logic_error("unreachable");
    }

    static std::string last_lines(const std::string& text, int n) {
        auto end = text.size();
        for (int i = 0; i <= n && end != std::string::npos && end > 0; ++i) end = text.rfind('\n', end - 1);
        return end == std::string::npos ? text : text.substr(end + 1);
    }

    // Every webhook processed and every outbound message sent or failed: what an employee
    // looking at the task, or a customer at the phone, would see once things have happened.
    void settle() {
        if (!server_.wait_until_processed(20)) fail("the webhooks were not all processed within 20 s");
        auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (testing::metric(server_.port(), "switchyard_outbox_depth") > 0) {
            if (std::chrono::steady_clock::now() > until) fail("the outbox still holds messages after 20 s");
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }

    void act(const Webhook& w) {
        auto it = s_.integrations.find(w.integration);
        if (it == s_.integrations.end()) fail("the configuration has no integration `" + w.integration + "`");
        std::string body;
        try {
            body = expand(w.body, placeholders_);
        } catch (const std::invalid_argument& e) {
            fail(e.what());
        }
        const auto& headers = w.headers.empty() ? it->second.webhook_headers : w.headers;
        auto r = testing::http_request(server_.port(), "POST", "/webhooks/" + w.integration, body, headers);
        if (r.status != w.status)
            fail("the webhook was answered " + std::to_string(r.status) + ", expected " + std::to_string(w.status) + ": " + r.body);
    }

    void act(const ApiCall& c) {
        settle();
        std::string body;
        std::string target;
        try {
            target = expand(c.target, placeholders_);
            if (c.body) body = json::serialize(expand(*c.body, placeholders_));
        } catch (const std::invalid_argument& e) {
            fail(e.what());
        }
        auto r = testing::http_request(server_.port(), c.method, target, body, {{"Authorization", "Bearer " + s_.api_token}});
        check_answer(r, c.status, c.expect);
    }

    void check_answer(const testing::HttpResult& r, std::optional<int> status, const std::optional<json::value>& expect) {
        bool status_ok = status ? r.status == *status : r.status >= 200 && r.status < 300;
        if (!status_ok)
            fail("answered " + std::to_string(r.status) + ", expected " + (status ? std::to_string(*status) : "2xx") + ": " + r.body);
        if (!expect) return;
        json::value answer;
        try {
            answer = json::parse(r.body);
        } catch (const std::exception&) {
            fail("the answer is not JSON: " + r.body);
        }
        if (auto d = mismatch(*expect, answer)) fail(*d + "\n  the answer: " + pretty(answer));
    }

    // `switchyard compile`, as an admin runs it, then the bytes to the API.
    void act(const Publish& p) {
        settle();
        std::string bytes = p.bytes;
        if (p.rules) {
            auto out = server_.dir() / ("ruleset-" + std::to_string(++published_) + ".swy");
            auto log = server_.dir() / "compile.log";
            auto command = std::string(SWITCHYARD_BINARY) + " compile '" + p.rules->string() + "' -o '" + out.string() + "' > '" +
                           log.string() + "' 2>&1";
            if (std::system(command.c_str()) != 0) fail("switchyard compile failed:\n" + read_text(log));
            bytes = read_text(out);
        }
        auto r = testing::http_request(server_.port(), "POST", p.to, bytes, {{"Authorization", "Bearer " + s_.api_token}});
        check_answer(r, p.status, p.expect);
    }

    void act(const Sent& sent) {
        settle();
        bool telegram = sent.service == Sent::Service::telegram;
        auto all = telegram ? telegram_calls(telegram_, s_) : wazzup_calls(wazzup_);
        auto& seen = telegram ? telegram_seen_ : wazzup_seen_;
        json::array fresh(all.begin() + static_cast<std::ptrdiff_t>(std::min(seen, all.size())), all.end());
        seen = all.size();
        json::array expected;
        try {
            expected = expand(sent.expect, placeholders_).as_array();
        } catch (const std::invalid_argument& e) {
            fail(e.what());
        }
        if (auto d = mismatch(expected, fresh, "calls"))
            fail(*d + "\n  the calls since the last check: " + pretty(fresh));
    }

    void act(const Refusals& r) {
        std::vector<testing::Reply> replies;
        for (const auto& o : r.replies) {
            auto status = static_cast<int>(o.at("status").as_int64());
            auto text = [&](const char* key) { return o.contains(key) ? std::string(o.at(key).as_string()) : std::string(); };
            if (r.service == Sent::Service::telegram) {
                std::optional<int> retry;
                if (o.contains("retry_after")) retry = static_cast<int>(o.at("retry_after").as_int64());
                replies.push_back(FakeTelegram::error(status, text("description"), retry));
            } else {
                replies.push_back(FakeWazzup::error(status, text("error"), text("description")));
            }
        }
        if (r.service == Sent::Service::telegram)
            telegram_.misbehave(std::move(replies));
        else
            wazzup_.misbehave(std::move(replies));
    }

    void act(const FakeFile& f) {
        if (f.service == Sent::Service::telegram)
            telegram_.add_file(f.id, f.bytes, f.reported_size);
        else
            wazzup_.add_file(f.id, f.bytes);
    }

    void act(const Upload& u) {
        auto r = testing::http_request(server_.port(), "POST", "/api/v1/uploads?name=" + u.name, u.bytes,
                                       {{"Authorization", "Bearer " + s_.api_token}, {"Content-Type", u.mime}});
        if (r.status != 201) fail("the upload was answered " + std::to_string(r.status) + ": " + r.body);
        placeholders_.uploads[u.name] = std::string(json::parse(r.body).at("upload").as_string());
    }

    const Scenario& s_;
    FakeTelegram telegram_;
    FakeWazzup wazzup_;
    ServerProcess server_;
    Placeholders placeholders_;
    std::size_t telegram_seen_ = 0;
    std::size_t wazzup_seen_ = 0;
    int published_ = 0;
    std::string where_;
};

}  // namespace

TEST_CASE("scenarios: each file of tests/scenarios/, through the real server", "[scenario]") {
    auto base = read_text(folder / "base.toml");
    for (const auto& file : scenario_files()) {
        DYNAMIC_SECTION(file.filename().string()) {
            Scenario s;
            try {
                s = load_scenario(file, base);
            } catch (const ScenarioError& e) {
                FAIL(e.what());
            }
            INFO(s.behaviour << ": " << s.title);
            if (std::getenv("SWITCHYARD_TEST_POSTGRES") && !s.sqlite_only.empty()) {
                WARN(file.filename().string() << " skipped on PostgreSQL: " << s.sqlite_only);
                continue;
            }
            Run run(s);
            for (const auto& step : s.steps) run.step(step);
        }
    }
}

}  // namespace switchyard::scenarios
