// How an employee's comment becomes the messages Telegram can take (docs/outbound.md): the text
// and the download links in one text, split where it passes Telegram's 4,096 characters; each
// file sent by itself; a lone file with a short text as one message with a caption.
#pragma once

#include "runtime/outbox/outgoing.hpp"
#include "stdlib/enums.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::outbox {

// Telegram's limits, in the UTF-16 code units Telegram counts text in.
inline constexpr std::int64_t telegram_text_limit = 4096;
inline constexpr std::int64_t telegram_caption_limit = 1024;

// `text` in pieces of at most `limit` UTF-16 units, cut after a paragraph, else a line, else a
// space, else between two characters; the whitespace at a cut is dropped. Empty text gives none.
std::vector<std::string> split_text(std::string_view text, std::int64_t limit);

// How one file travels, as the attachment policy decided (a rejected file is not passed).
enum class Carry : std::uint8_t {
    file,   // attach: as a document
    media,  // inline: as a photo, video or audio where its kind is one, else as a document
    link,   // link: a download link in the text
};

struct FilePlan {
    std::int64_t file = 0;  // the store's file id
    std::string name;
    stdlib::FileKind kind = stdlib::FileKind::document;
    Carry carry = Carry::file;
    std::string link;  // the download URL: for Carry::link, and for every file sent through Wazzup
};

// One message to send, in order; `file` is the store's file id it uploads.
struct Piece {
    Outgoing outgoing;
    std::optional<std::int64_t> file;
};

// The messages for a comment, in the order they are sent. `signature` (TB3) ends the text with
// `— Name`; `reply_to` quotes a message with the first piece. Nothing when there is nothing to send.
std::vector<Piece> plan_telegram(std::string_view text, const std::vector<FilePlan>& files, std::string_view signature,
                                 std::optional<std::int64_t> reply_to);

// Wazzup's text limits (characters; ../shared/reference/outbound.md).
inline constexpr std::int64_t whatsapp_text_limit = 10000;
inline constexpr std::int64_t instagram_text_limit = 1000;

// Where a Wazzup message goes, and who writes it.
struct WazzupTarget {
    std::string channel_id;
    std::string chat_type;  // whatsapp, instagram
    std::string crm_user_id;
    std::int64_t text_limit = whatsapp_text_limit;
};

// The messages for a comment through Wazzup: the text (with the signature and the links) split
// at the channel's limit, then one message per file as a URL Wazzup fetches (`FilePlan::link`:
// Wazzup takes a text or a file, never both, so files never carry a caption). The first
// message quotes `ref_message_id` when given.
std::vector<Piece> plan_wazzup(std::string_view text, const std::vector<FilePlan>& files, std::string_view signature,
                               const std::string& ref_message_id, const WazzupTarget& target);

}  // namespace switchyard::outbox
