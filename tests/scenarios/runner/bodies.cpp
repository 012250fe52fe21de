// The shorthands of scenario files and their placeholders: what tests/scenarios/README.md
// documents, key by key.
#include "tests/scenarios/runner/bodies.hpp"

#include <chrono>
#include <ctime>
#include <regex>
#include <set>
#include <stdexcept>

namespace switchyard::scenarios {

namespace json = boost::json;

namespace {

// The fields of a shorthand, read with their types checked and unknown keys refused.
class Fields {
public:
    Fields(std::string_view what, const json::object& fields, std::set<std::string_view> known) : what_(what), fields_(fields) {
        for (const auto& [key, value] : fields)
            if (!known.contains(key)) {
                std::string names;
                for (auto k : known) names += (names.empty() ? "" : ", ") + std::string(k);
                throw std::invalid_argument("`" + std::string(key) + "` is not a key of `" + what_ + "` (it takes " + names + ")");
            }
    }
    bool has(std::string_view key) const { return fields_.contains(key); }
    std::string string(std::string_view key, std::string fallback = {}) const {
        if (!has(key)) return fallback;
        if (!fields_.at(key).is_string()) wrong(key, "a string");
        return std::string(fields_.at(key).as_string());
    }
    std::int64_t integer(std::string_view key, std::int64_t fallback = 0) const {
        if (!has(key)) return fallback;
        if (!fields_.at(key).is_int64()) wrong(key, "an integer");
        return fields_.at(key).as_int64();
    }
    bool boolean(std::string_view key) const {
        if (!has(key)) return false;
        if (!fields_.at(key).is_bool()) wrong(key, "true or false");
        return fields_.at(key).as_bool();
    }
    const json::value& raw(std::string_view key) const { return fields_.at(key); }
    // `ago = "25 h"` as the placeholder of that moment.
    std::string date(bool iso) const {
        std::string name = iso ? "now_iso" : "now";
        if (!has("ago")) return "{{" + name + "}}";
        return "{{" + name + " - " + string("ago") + "}}";
    }

private:
    [[noreturn]] void wrong(std::string_view key, std::string_view expected) const {
        throw std::invalid_argument("`" + what_ + "." + std::string(key) + "` must be " + std::string(expected));
    }
    std::string what_;
    const json::object& fields_;
};

// Telegram's `date` is a number: the placeholder is written unquoted.
std::string unquote_dates(std::string text) {
    static const std::regex quoted(R"re("(\{\{now(?: - [^}]*)?\}\})")re");
    return std::regex_replace(text, quoted, "$1");
}

// UTF-16 code units of UTF-8 text: Telegram's entity offsets count those.
std::int64_t utf16_length(std::string_view s) {
    std::int64_t n = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        if ((c & 0xC0) == 0x80) continue;
        n += c >= 0xF0 ? 2 : 1;
    }
    return n;
}

json::array entities_of(const Fields& f, const std::string& text) {
    json::array out;
    if (text.starts_with("/")) {
        auto end = text.find_first_of(" @");
        out.push_back({{"type", "bot_command"}, {"offset", 0}, {"length", utf16_length(text.substr(0, end))}});
    }
    if (!f.has("mentions")) return out;
    for (const auto& m : f.raw("mentions").as_array()) {
        std::string mention(m.as_string());
        auto at = text.find(mention);
        if (at == std::string::npos) throw std::invalid_argument("the mention " + mention + " is not in the text");
        out.push_back({{"type", "mention"}, {"offset", utf16_length(text.substr(0, at))}, {"length", utf16_length(mention)}});
    }
    return out;
}

json::object telegram_user(const Fields& f) {
    json::object user{{"id", f.integer("from")}, {"is_bot", false}, {"first_name", f.string("name", "Anna")}};
    if (f.has("username")) user["username"] = f.string("username");
    return user;
}

json::object telegram_chat(const Fields& f) {
    auto type = f.string("chat_type", "private");
    json::object chat{{"id", f.integer("chat", f.integer("from"))}, {"type", type}};
    if (type == "private") {
        chat["first_name"] = f.string("name", "Anna");
    } else {
        chat["title"] = f.string("chat_title", "Team chat");
    }
    return chat;
}

std::int64_t utc_seconds_now() { return static_cast<std::int64_t>(std::time(nullptr)); }

// "25 h" in seconds.
std::int64_t offset_seconds(const std::string& text) {
    static const std::regex form(R"(\s*(\d+)\s*(s|min|h|d)\s*)");
    std::smatch m;
    if (!std::regex_match(text, m, form)) throw std::invalid_argument("`" + text + "` is not a duration like 25 h (units s, min, h, d)");
    auto n = std::stoll(m[1]);
    auto unit = m[2].str();
    return n * (unit == "s" ? 1 : unit == "min" ? 60 : unit == "h" ? 3600 : 86400);
}

std::string iso(std::int64_t unix_seconds) {
    std::time_t t = unix_seconds;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char out[32];
    std::strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
    return out;
}

}  // namespace

Webhook Bodies::telegram_message(const json::object& fields) {
    Fields f("telegram", fields,
             {"integration", "from", "name", "username", "chat", "chat_type", "chat_title", "text", "caption", "message_id", "ago",
              "reply_to", "document", "mentions", "business", "extra"});
    if (!f.has("from")) throw std::invalid_argument("`telegram` needs `from`: the sender's Telegram user id");
    auto chat = telegram_chat(f);
    auto chat_key = std::to_string(chat.at("id").as_int64());
    auto id = f.has("message_id") ? f.integer("message_id") : next_message_[chat_key] + 1;
    next_message_[chat_key] = std::max(next_message_[chat_key], id);
    json::object message{{"message_id", id}, {"from", telegram_user(f)}, {"chat", chat}, {"date", f.date(false)}};
    auto text = f.string("text");
    if (f.has("text")) message["text"] = text;
    if (f.has("caption")) message["caption"] = f.string("caption");
    auto entities = entities_of(f, text);
    if (!entities.empty()) message["entities"] = entities;
    if (f.has("reply_to")) {
        json::object replied{{"message_id", f.integer("reply_to")}, {"chat", chat}, {"date", f.date(false)}};
        message["reply_to_message"] = replied;
    }
    if (f.has("document")) {
        Fields d("telegram.document", f.raw("document").as_object(), {"file_id", "name", "size", "mime"});
        message["document"] = json::object{{"file_id", d.string("file_id")}, {"file_unique_id", d.string("file_id") + "-u"},
                                           {"file_name", d.string("name")}, {"mime_type", d.string("mime", "application/octet-stream")},
                                           {"file_size", d.integer("size", 1)}};
    }
    if (f.has("extra"))
        for (const auto& [k, v] : f.raw("extra").as_object()) message[k] = v;
    std::string integration = f.string("integration", f.has("business") ? "tgb" : "tg");
    json::object update{{"update_id", next_update_++}};
    if (f.has("business")) {
        message["business_connection_id"] = f.string("business");
        update["business_message"] = message;
    } else {
        update["message"] = message;
    }
    return Webhook{integration, unquote_dates(json::serialize(update)), 200, {}};
}

Webhook Bodies::telegram_reaction(const json::object& fields) {
    Fields f("telegram_reaction", fields,
             {"integration", "from", "name", "username", "chat", "chat_type", "chat_title", "message_id", "emoji", "removed", "anonymous"});
    if (!f.has("message_id")) throw std::invalid_argument("`telegram_reaction` needs the `message_id` it reacts to");
    auto chat = telegram_chat(f);
    auto reactions = [](const std::string& emoji) {
        json::array out;
        if (!emoji.empty()) out.push_back({{"type", "emoji"}, {"emoji", emoji}});
        return out;
    };
    json::object r{{"chat", chat}, {"message_id", f.integer("message_id")}, {"date", f.date(false)},
                   {"old_reaction", reactions(f.string("removed"))}, {"new_reaction", reactions(f.string("emoji"))}};
    if (f.boolean("anonymous"))
        r["actor_chat"] = chat;
    else
        r["user"] = telegram_user(f);
    json::object update{{"update_id", next_update_++}, {"message_reaction", r}};
    return Webhook{f.string("integration", "tg"), unquote_dates(json::serialize(update)), 200, {}};
}

Webhook Bodies::wazzup_message(const json::object& fields) {
    Fields f("wazzup", fields,
             {"integration", "channel", "chat", "chat_type", "name", "text", "type", "content_uri", "is_echo", "author", "message_id",
              "ago", "quoted", "post", "extra"});
    if (!f.has("channel") || !f.has("chat"))
        throw std::invalid_argument("`wazzup` needs its `channel` (an id of [[integrations.channels]]) and its `chat` (the customer)");
    bool echo = f.boolean("is_echo");
    json::object m{{"messageId", f.has("message_id") ? f.string("message_id") : "wz-" + std::to_string(next_wazzup_)},
                   {"dateTime", f.date(true)}, {"channelId", f.string("channel")}, {"chatType", f.string("chat_type", "whatsapp")},
                   {"chatId", f.string("chat")}, {"type", f.string("type", "text")}, {"isEcho", echo},
                   {"status", echo ? "sent" : "inbound"}};
    ++next_wazzup_;
    if (echo)
        m["authorName"] = f.string("author", "Olga Owner");
    else
        m["contact"] = json::object{{"name", f.string("name", "Anna")}};
    if (f.has("text")) m["text"] = f.string("text");
    if (f.has("content_uri")) m["contentUri"] = f.string("content_uri");
    if (f.has("quoted")) m["quotedMessage"] = json::object{{"messageId", f.string("quoted")}};
    if (f.has("post")) m["instPost"] = f.raw("post");
    if (f.has("extra"))
        for (const auto& [k, v] : f.raw("extra").as_object()) m[k] = v;
    json::object body{{"messages", json::array{m}}};
    return Webhook{f.string("integration", "wz"), json::serialize(body), 200, {}};
}

std::string bytes_of(const json::object& fields) {
    std::string text = fields.contains("bytes") ? std::string(fields.at("bytes").as_string()) : "";
    if (!fields.contains("size")) return text;
    auto size = static_cast<std::size_t>(fields.at("size").as_int64());
    if (text.empty()) text = "x";
    std::string out;
    out.reserve(size);
    while (out.size() < size) out += text;
    out.resize(size);
    return out;
}

std::string expand(const std::string& text, const Placeholders& p) {
    static const std::regex placeholder(R"(\{\{([^}]*)\}\})");
    static const std::regex moment(R"((now|now_iso)(?:\s*-\s*(.+))?)");
    std::string out;
    auto begin = std::sregex_iterator(text.begin(), text.end(), placeholder);
    std::size_t last = 0;
    for (auto it = begin; it != std::sregex_iterator(); ++it) {
        const auto& m = *it;
        out.append(text, last, static_cast<std::size_t>(m.position(0)) - last);
        last = static_cast<std::size_t>(m.position(0) + m.length(0));
        auto name = m[1].str();
        std::smatch when;
        if (std::regex_match(name, when, moment)) {
            auto at = utc_seconds_now() - (when[2].matched ? offset_seconds(when[2].str()) : 0);
            out += when[1] == "now" ? std::to_string(at) : iso(at);
        } else if (name.starts_with("upload:") && p.uploads.contains(name.substr(7))) {
            out += p.uploads.at(name.substr(7));
        } else if (name == "telegram") {
            out += p.telegram_url;
        } else if (name == "wazzup") {
            out += p.wazzup_url;
        } else {
            throw std::invalid_argument("{{" + name + "}} is no placeholder (there are {{now}}, {{now - 25 h}}, {{now_iso}}, " +
                                        "{{upload:NAME}} after an upload of NAME, {{telegram}}, {{wazzup}})");
        }
    }
    out.append(text, last);
    return out;
}

json::value expand(const json::value& v, const Placeholders& p) {
    if (v.is_string()) return json::string(expand(std::string(v.as_string()), p));
    if (v.is_array()) {
        json::array out;
        for (const auto& item : v.as_array()) out.push_back(expand(item, p));
        return out;
    }
    if (v.is_object()) {
        json::object out;
        for (const auto& [k, item] : v.as_object()) out[k] = expand(item, p);
        return out;
    }
    return v;
}

}  // namespace switchyard::scenarios
