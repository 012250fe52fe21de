// The adapters' normalised events as JSON, for the golden files of tests/adapters/golden/:
// every field of what an event type carries, in declaration order, indented two spaces.
#pragma once

#include "runtime/adapters/event.hpp"

#include <boost/json.hpp>

#include <string>

namespace switchyard::testing {

namespace event_json {

namespace json = boost::json;

inline json::value text(const std::optional<std::string>& s) { return s ? json::value(*s) : json::value(nullptr); }

inline json::object person(const adapters::Person& p) {
    return {{"external_id", p.external_id}, {"name", p.name}, {"username", text(p.username)}, {"phone", text(p.phone)},
            {"is_bot", p.is_bot}};
}

inline json::array people(const std::vector<adapters::Person>& list) {
    json::array out;
    for (const auto& p : list) out.push_back(person(p));
    return out;
}

inline json::object message(const adapters::Message& m) {
    json::array files;
    for (const auto& f : m.files)
        files.push_back(json::object{{"name", f.name}, {"ext", f.ext}, {"mime", f.mime}, {"size", f.size},
                                     {"kind", stdlib::name_of(f.kind)}, {"source", f.source}});
    json::value post = nullptr;
    if (m.post) post = json::object{{"id", m.post->id}, {"url", m.post->url}, {"caption", m.post->caption}};
    return {{"id", m.id},
            {"number", m.number},
            {"direction", stdlib::name_of(m.direction)},
            {"transport", stdlib::name_of(m.transport)},
            {"chat_kind", stdlib::name_of(m.chat_kind)},
            {"chat_id", m.chat_id},
            {"chat_external_id", m.chat_external_id},
            {"chat_title", m.chat_title},
            {"chat_username", text(m.chat_username)},
            {"sender", person(m.sender)},
            {"text", m.text},
            {"command", text(m.command)},
            {"command_args", m.command_args},
            {"mentions", people(m.mentions)},
            {"files", std::move(files)},
            {"reply_to", m.reply_to ? json::value(*m.reply_to) : json::value(nullptr)},
            {"post", std::move(post)},
            {"channel", m.channel},
            {"business_connection", m.business_connection},
            {"sent_at_ms", m.sent_at_ms},
            {"edited", m.edited},
            {"edited_at_ms", m.edited_at_ms}};
}

inline json::object event(const adapters::Event& e) {
    json::object out{{"dedup_key", e.dedup_key}};
    switch (e.type) {
        case adapters::EventType::message: out["message"] = message(e.message); break;
        case adapters::EventType::reaction: {
            const auto& r = e.reaction;
            json::value by = nullptr;
            if (r.by) by = person(*r.by);
            out["reaction"] = json::object{{"chat_external_id", r.chat_external_id}, {"message_number", r.message_number},
                                           {"emoji", r.emoji}, {"added", r.added}, {"anonymous", r.anonymous},
                                           {"by", std::move(by)}, {"at_ms", r.at_ms}};
            break;
        }
        case adapters::EventType::business_connection: {
            const auto& b = e.business;
            out["business_connection"] = json::object{{"id", b.id}, {"owner", person(b.owner)}, {"owner_chat_id", b.owner_chat_id},
                                                      {"can_reply", b.can_reply}, {"enabled", b.enabled}};
            break;
        }
        case adapters::EventType::deleted: {
            const auto& d = e.deleted;
            json::array numbers;
            for (auto n : d.message_numbers) numbers.push_back(n);
            out["deleted"] = json::object{{"business_connection", d.business_connection},
                                          {"chat_external_id", d.chat_external_id}, {"message_numbers", std::move(numbers)}};
            break;
        }
        case adapters::EventType::member_change: {
            const auto& c = e.member;
            out["member_change"] = json::object{{"chat_external_id", c.chat_external_id}, {"chat_kind", stdlib::name_of(c.chat_kind)},
                                                {"about_bot", c.about_bot}, {"user", person(c.user)}, {"old_status", c.old_status},
                                                {"new_status", c.new_status}, {"at_ms", c.at_ms}};
            break;
        }
        case adapters::EventType::status: {
            const auto& s = e.status;
            out["status"] = json::object{{"message_id", s.message_id}, {"status", s.status}, {"error", s.error}, {"at_ms", s.at_ms}};
            break;
        }
    }
    return out;
}

}  // namespace event_json

// What one body parsed into: its events, or that it was a ping or ignored, or why it could not
// be read (the ParseError's message).
inline boost::json::object parsed_json(const adapters::Parsed& p) {
    boost::json::array events;
    for (const auto& e : p.events) events.push_back(event_json::event(e));
    return {{"ping", p.ping}, {"ignored", p.ignored}, {"events", std::move(events)}};
}

// JSON indented two spaces per level, a value per line: golden files that diff line by line.
inline void pretty(std::string& out, const boost::json::value& v, int indent = 0) {
    auto pad = [&](int n) { out.append(static_cast<std::size_t>(n) * 2, ' '); };
    if (const auto* o = v.if_object(); o && !o->empty()) {
        out += "{\n";
        std::size_t i = 0;
        for (const auto& [key, value] : *o) {
            pad(indent + 1);
            out += boost::json::serialize(boost::json::string(key)) + ": ";
            pretty(out, value, indent + 1);
            out += ++i < o->size() ? ",\n" : "\n";
        }
        pad(indent);
        out += "}";
        return;
    }
    if (const auto* a = v.if_array(); a && !a->empty()) {
        out += "[\n";
        for (std::size_t i = 0; i < a->size(); ++i) {
            pad(indent + 1);
            pretty(out, (*a)[i], indent + 1);
            out += i + 1 < a->size() ? ",\n" : "\n";
        }
        pad(indent);
        out += "]";
        return;
    }
    out += boost::json::serialize(v);
}

}  // namespace switchyard::testing
