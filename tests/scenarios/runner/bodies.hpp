// Webhook bodies from the short tables of a scenario (`telegram = { from = 501, text = "Hi" }`)
// and the placeholders a step's strings may hold ({{now}}, {{upload:NAME}}, …).
#pragma once

#include "tests/scenarios/runner/scenario.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace switchyard::scenarios {

// Builds the webhooks of one scenario: update ids and message ids count up across it, so that
// a scenario names message 3 as the third message it sent. Each throws std::invalid_argument
// for a key it does not know or a value of the wrong type.
class Bodies {
public:
    Webhook telegram_message(const boost::json::object& fields);
    Webhook telegram_reaction(const boost::json::object& fields);
    Webhook wazzup_message(const boost::json::object& fields);

private:
    std::int64_t next_update_ = 1;
    std::map<std::string, std::int64_t> next_message_;  // per Telegram chat
    std::int64_t next_wazzup_ = 1;
};

// `bytes = "…"`, or `size = N` for N bytes of filler (both: the text repeated to N bytes).
std::string bytes_of(const boost::json::object& fields);

// What the placeholders stand for in one run.
struct Placeholders {
    std::map<std::string, std::string> uploads;  // name -> upload id
    std::string telegram_url;
    std::string wazzup_url;
};

// `text` with its placeholders replaced: {{now}} (Unix seconds), {{now_iso}}, either with an
// offset ({{now - 25 h}}; units s, min, h, d), {{upload:NAME}}, {{telegram}}, {{wazzup}}.
// Throws std::invalid_argument naming a placeholder it does not know.
std::string expand(const std::string& text, const Placeholders& p);
// The same in every string of a JSON value.
boost::json::value expand(const boost::json::value& v, const Placeholders& p);

}  // namespace switchyard::scenarios
