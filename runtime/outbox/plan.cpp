#include "runtime/outbox/plan.hpp"

#include "common/utf8.hpp"

namespace switchyard::outbox {

namespace {

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

// The longest prefix of `text` (cut between characters) that takes at most `limit` UTF-16 units.
std::size_t fitting_prefix(std::string_view text, std::int64_t limit) {
    std::size_t i = 0;
    std::int64_t units = 0;
    while (i < text.size()) {
        auto end = common::utf8_character_end(text, i);
        std::int64_t width = end - i == 4 ? 2 : 1;
        if (units + width > limit) break;
        units += width;
        i = end;
    }
    return i;
}

// Where to cut inside `window` (the part that fits): after the last paragraph break, line
// break or space in its second half, so that a piece is never cut to a sliver; else at its end.
std::size_t cut_point(std::string_view window) {
    for (std::string_view separator : {"\n\n", "\n", " "}) {
        auto at = window.rfind(separator);
        if (at != std::string_view::npos && at >= window.size() / 2) return at;
    }
    return window.size();
}

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

Method media_method(stdlib::FileKind kind) {
    switch (kind) {
    case stdlib::FileKind::image: return Method::send_photo;
    case stdlib::FileKind::video: return Method::send_video;
    case stdlib::FileKind::audio:
    case stdlib::FileKind::voice: return Method::send_audio;
    default: return Method::send_document;
    }
}

// The text as sent: the employee's text, the signature, then one line per download link.
std::string full_text(std::string_view text, const std::vector<FilePlan>& files, std::string_view signature) {
    std::string body(trimmed(text));
    if (!signature.empty()) body += (body.empty() ? "" : "\n\n") + std::string("— ") + std::string(signature);
    bool first_link = true;
    for (const auto& f : files) {
        if (f.carry != Carry::link) continue;
        body += body.empty() ? "" : first_link ? "\n\n" : "\n";
        body += f.name + ": " + f.link;
        first_link = false;
    }
    return body;
}

}  // namespace

std::vector<std::string> split_text(std::string_view text, std::int64_t limit) {
    std::vector<std::string> pieces;
    text = trimmed(text);
    while (!text.empty()) {
        if (common::utf16_length(text) <= limit) {
            pieces.emplace_back(text);
            break;
        }
        auto fits = fitting_prefix(text, limit);
        if (fits == 0) fits = common::utf8_character_end(text, 0);  // a limit below one character
        auto cut = cut_point(text.substr(0, fits));
        pieces.emplace_back(trimmed(text.substr(0, cut)));
        text = trimmed(text.substr(cut));
    }
    return pieces;
}

std::vector<Piece> plan_telegram(std::string_view text, const std::vector<FilePlan>& files, std::string_view signature,
                                 std::optional<std::int64_t> reply_to) {
    auto body = full_text(text, files, signature);
    std::vector<const FilePlan*> uploads;
    for (const auto& f : files)
        if (f.carry != Carry::link) uploads.push_back(&f);

    auto upload = [](const FilePlan& f) {
        Piece p;
        p.outgoing.method = f.carry == Carry::media ? media_method(f.kind) : Method::send_document;
        p.file = f.file;
        return p;
    };
    std::vector<Piece> pieces;
    if (uploads.size() == 1 && common::utf16_length(body) <= telegram_caption_limit) {
        pieces.push_back(upload(*uploads.front()));
        pieces.back().outgoing.text = body;
    } else {
        for (auto& part : split_text(body, telegram_text_limit)) {
            Piece p;
            p.outgoing.text = std::move(part);
            pieces.push_back(std::move(p));
        }
        for (const auto* f : uploads) pieces.push_back(upload(*f));
    }
    if (!pieces.empty()) pieces.front().outgoing.reply_to = reply_to;
    return pieces;
}

std::vector<Piece> plan_wazzup(std::string_view text, const std::vector<FilePlan>& files, std::string_view signature,
                               const std::string& ref_message_id, const WazzupTarget& target) {
    auto message = [&] {
        Piece p;
        p.outgoing.method = Method::wazzup_message;
        p.outgoing.channel_id = target.channel_id;
        p.outgoing.chat_type = target.chat_type;
        p.outgoing.crm_user_id = target.crm_user_id;
        return p;
    };
    std::vector<Piece> pieces;
    for (auto& part : split_text(full_text(text, files, signature), target.text_limit)) {
        pieces.push_back(message());
        pieces.back().outgoing.text = std::move(part);
    }
    for (const auto& f : files) {
        if (f.carry == Carry::link) continue;
        pieces.push_back(message());
        pieces.back().outgoing.content_uri = f.link;
        pieces.back().file = f.file;
    }
    if (!pieces.empty()) pieces.front().outgoing.ref_message_id = ref_message_id;
    return pieces;
}

}  // namespace switchyard::outbox
