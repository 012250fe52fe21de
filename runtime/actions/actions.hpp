// The write side of the HTTP API (docs/api.md, "Changing things"): what employees do from the
// tracker. Each call checks its input, opens one transaction, writes everything it changes
// (the task's history included) or nothing, and answers: 2xx with what it made, or a refusal
// (4xx) saying which field is wrong and why. A comment that leaves the tracker is decided by
// the rules (delivery, attachment) and written with its outbox rows in the same transaction;
// the outbox's dispatcher (runtime/outbox) sends them. No network I/O here except fetching
// the files an employee names by URL.
#pragma once

#include "runtime/config/config.hpp"
#include "runtime/engine/ruleset.hpp"
#include "runtime/files/file_store.hpp"
#include "runtime/store/store.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace switchyard::worker {
class ChannelBook;
}

namespace switchyard::actions {

// An answer: the HTTP status and its JSON body (`{"error": "…", "field": "…"}` for a refusal).
struct Answer {
    int status = 200;
    boost::json::value body;
};

// Bytes to serve: a comment's file, or a file behind a download link.
struct Download {
    std::string bytes;
    std::string name;
    std::string mime;
};

enum class TaskChange : std::uint8_t { complete, reopen };

class Desk {
public:
    // `wake_outbox` is called after a commit that queued messages. `channels`: the Wazzup
    // channels as the configuration and the API make them, shared with the worker.
    Desk(const config::Config& config, store::Store& store, files::FileStore& files, engine::RulesetHolder& rulesets,
         worker::ChannelBook& channels, std::function<void()> wake_outbox);
    ~Desk();
    Desk(const Desk&) = delete;
    Desk& operator=(const Desk&) = delete;

    // Every call that changes something takes `by`: the id of the employee who does it.

    // POST /api/v1/tasks/{id}/comments
    Answer post_comment(std::int64_t task, const boost::json::value& input);
    // POST /api/v1/conversations (W4): an employee writes first through a Wazzup channel.
    Answer start_conversation(const boost::json::value& input);
    // POST /api/v1/tasks/{id}/private-reply (I6): answers an Instagram comment in Direct, opening
    // a Direct task whose first message is its description and first comment.
    Answer private_reply(std::int64_t task, const boost::json::value& input);
    // GET, POST /api/v1/integrations/{id}/channels; DELETE …/channels/{channel} (W3-W7)
    Answer channels(std::string_view integration);
    Answer add_channel(std::string_view integration, const boost::json::value& input);
    Answer delete_channel(std::string_view integration, std::string_view channel, const boost::json::value& input);
    // POST /api/v1/tasks/{id}/complete, /reopen
    Answer change_task(std::int64_t task, TaskChange change, const boost::json::value& input);
    // DELETE /api/v1/tasks/{id}
    Answer delete_task(std::int64_t task, const boost::json::value& input);
    // POST and DELETE /api/v1/comments/{id}/like (T6)
    Answer like(std::int64_t comment, bool on, const boost::json::value& input);
    // POST /api/v1/tasks/{id}/chats, DELETE /api/v1/tasks/{id}/chats/{integration}/{chat} (T3)
    Answer link_chat(std::int64_t task, const boost::json::value& input);
    Answer unlink_chat(std::int64_t task, std::string_view integration, std::string_view chat,
                       const boost::json::value& input);
    // GET, POST /api/v1/quick-replies; DELETE /api/v1/quick-replies/{id} (C8)
    Answer quick_replies(std::optional<std::int64_t> employee);
    Answer add_quick_reply(const boost::json::value& input);
    Answer delete_quick_reply(std::int64_t id, const boost::json::value& input);
    // PUT /api/v1/contacts/{id}: its tags (all of them, replaced) and custom fields (each given
    // set, null removes it).
    Answer set_contact(std::int64_t contact, const boost::json::value& input);
    // POST /api/v1/uploads?name=…: the bytes of a file to attach to a comment later.
    Answer upload(std::string_view bytes, std::string_view name, std::string_view mime);

    // GET /api/v1/comments/{id}/files/{position}: for employees (the API token).
    std::variant<Download, Answer> comment_file(std::int64_t comment, std::int64_t position);
    // GET /files/{blob}/{name}?expires=…&sig=…: a download link from a message, for anyone who
    // has it, until it expires.
    std::variant<Download, Answer> linked_file(std::string_view blob, std::string_view name, std::string_view expires,
                                               std::string_view signature);
    // The download link of a stored file, valid for `[files] link_ttl`.
    std::string download_link(std::string_view blob, std::string_view name) const;

    // The desk's state (runtime/actions/desk_impl.hpp), named here for the desk's own files.
    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace switchyard::actions
