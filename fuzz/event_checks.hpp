// Invariants of a normalised event that hold whatever the messenger (runtime/adapters/event.hpp).
// Bodies are JSON, which Boost.JSON checks is UTF-8, and the adapters only cut text at character
// boundaries: every string of an event must be valid UTF-8, since the engine and the store take
// it as such.
#pragma once

#include "fuzz/checks.hpp"
#include "runtime/adapters/event.hpp"

#include <algorithm>
#include <string>

namespace switchyard::fuzz {

inline void require_person(const adapters::Person& p, std::string_view where) {
    require_utf8(p.external_id, std::string(where) + ".external_id");
    require_utf8(p.name, std::string(where) + ".name");
    require_utf8_if(p.username, std::string(where) + ".username");
    require_utf8_if(p.phone, std::string(where) + ".phone");
    if (p.phone)
        for (char c : *p.phone) require(c >= '0' && c <= '9', std::string(where) + ".phone has a non-digit");
}

inline void require_file(const adapters::File& f) {
    require_utf8(f.name, "file.name");
    require_utf8(f.mime, "file.mime");
    require_utf8(f.source, "file.source");
    // The extension is the one of the name: lowercase letters and digits, at most 10 of them.
    require(f.ext.size() <= 10, "file.ext longer than 10");
    for (char c : f.ext) require((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'), "file.ext is not lowercase alnum");
    std::string tail = f.name.substr(f.name.size() - std::min(f.name.size(), f.ext.size() + 1));
    for (char& c : tail)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    require(f.ext.empty() || tail == "." + f.ext, "file.ext is not the end of file.name");
}

inline void require_message(const adapters::Message& m) {
    for (const auto* s : {&m.id, &m.chat_external_id, &m.chat_title, &m.text, &m.command_args, &m.channel,
                          &m.business_connection, &m.crm_message_id})
        require_utf8(*s, "message string");
    require_utf8_if(m.chat_username, "message.chat_username");
    require_utf8_if(m.command, "message.command");
    require_person(m.sender, "message.sender");
    for (const auto& p : m.mentions) require_person(p, "message.mentions[]");
    for (const auto& f : m.files) require_file(f);
    if (m.post) {
        require_utf8(m.post->id, "post.id");
        require_utf8(m.post->url, "post.url");
        require_utf8(m.post->caption, "post.caption");
    }
    for (const auto& why : m.dropped) require(!why.empty(), "a dropped part without a reason");
}

}  // namespace switchyard::fuzz
