// What the files of runtime/actions share, and nothing else sees: the desk's state, reading a
// request's JSON field by field, and refusals.
#pragma once

#include "runtime/actions/actions.hpp"
#include "runtime/files/links.hpp"
#include "runtime/net/client.hpp"
#include "runtime/worker/channels.hpp"
#include "runtime/worker/facts.hpp"
#include "runtime/worker/processor.hpp"

#include <mutex>
#include <stdexcept>

namespace switchyard::actions {

namespace json = boost::json;

// Why a call is refused: thrown inside the desk, answered at its surface (Desk's methods).
struct Refusal {
    int status = 400;
    std::string message;
    std::string field = {};  // the input field it is about; empty: the call as a whole
    std::string rule = {};   // the rule that refused (`telegram.rules:40`), for the rules' refusals
};
[[noreturn]] void refuse(int status, std::string message, std::string field = {});

// A refusal as the API answers it.
Answer answer(const Refusal& r);
// Runs `body`, answering its refusal when it refuses.
template <class F>
Answer guarded(F&& body) {
    try {
        return body();
    } catch (const Refusal& r) {
        return answer(r);
    }
}

// The fields of a request's JSON object; a field of the wrong type is a refusal naming it.
class Input {
public:
    explicit Input(const json::value& v);

    bool has(std::string_view key) const { return object_->contains(key); }
    std::int64_t id(std::string_view key) const;  // required, from 1
    std::optional<std::int64_t> optional_id(std::string_view key) const;
    std::optional<std::string> text(std::string_view key) const;
    std::string required_text(std::string_view key) const;
    bool flag(std::string_view key, bool fallback) const;
    // A nested object, read as an Input named `key`; none when absent.
    std::optional<Input> object(std::string_view key) const;
    std::vector<std::int64_t> ids(std::string_view key) const;
    // The objects of an array, each read as an Input named `key[i]`.
    std::vector<Input> objects(std::string_view key) const;
    const std::string& name() const { return name_; }

private:
    Input(const json::object& o, std::string name) : object_(&o), name_(std::move(name)) {}
    std::string field(std::string_view key) const { return name_.empty() ? std::string(key) : name_ + "." + std::string(key); }

    const json::object* object_;
    std::string name_;  // this object's place in the request (`files[1]`); empty: the request
};

// A file of a comment being posted, its bytes in the file store.
struct GivenFile {
    std::string name;
    std::string mime;
    std::string blob;
    std::int64_t size = 0;
    std::string source;  // `upload`, or the URL it was fetched from
};

// A comment as a request asks for it: read, its files fetched.
struct CommentRequest {
    const config::Employee* by = nullptr;
    std::string text;  // with the quick reply's text first, when one is used
    bool notify_contact = false;
    std::vector<std::int64_t> notify_employees;
    std::optional<std::int64_t> quotes;
    std::vector<GivenFile> files;
    // I6: a private reply answers a comment of another task (its id: the rules' message.reply_to),
    // quoted on Wazzup by its message id.
    std::optional<std::int64_t> answers;
    std::string answers_message_id;
};

struct Desk::Impl {
    Impl(const config::Config& c, store::Store& s, files::FileStore& f, engine::RulesetHolder& r, worker::ChannelBook& ch,
         std::function<void()> w);

    // The employee `by` names.
    const config::Employee& actor(const Input& in) const;
    store::HistoryActor history_actor(const config::Employee& e) const { return {"employee", e.id, e.name}; }
    // The text of the quick reply `name` (the rules' or a stored one), refusing an unknown one.
    std::string quick_reply_text(std::string_view name, const config::Employee& employee);
    // The bytes of each file of a comment's request: an earlier upload, or fetched from its URL
    // now (before the transaction, so that a slow server holds no lock).
    std::vector<GivenFile> gather_files(const Input& in);
    // A comment request's fields, checked, and its files' bytes (before any lock).
    CommentRequest read_comment(const Input& in);
    // Decides the comment by the rules and writes it, its files, notifications, outbox rows and
    // history in `work` (with `deciding_mutex` held), and the bot's alerts to the employees it
    // notifies (T8); the answer's body, and how many outbox rows were queued (the customer's
    // messages and the alerts). `first`: the message that opens a conversation an employee
    // starts (W4).
    boost::json::object write_comment(store::Work& work, std::int64_t task, const CommentRequest& c, bool first,
                                      std::size_t& messages);
    // The download link of a stored file, valid for `[files] link_ttl`.
    std::string download_link(std::string_view blob, std::string_view name) const;
    // The task, refusing a missing one (404) and, unless `deleted_ok`, a deleted one (409).
    store::TaskRecord task(store::Work& work, std::int64_t id, bool deleted_ok = false) const;
    // The deciding state of the ruleset now serving (made again after a swap). Call with
    // `deciding_mutex` held.
    worker::Deciding& deciding();
    void wake() const {
        if (wake_outbox) wake_outbox();
    }

    const config::Config& config;
    store::Store& store;
    files::FileStore& files;
    engine::RulesetHolder& rulesets;
    worker::ChannelBook& channels;
    std::function<void()> wake_outbox;
    worker::Employees employees;
    files::LinkSigner links;
    net::Client fetcher;
    std::mutex deciding_mutex;
    std::unique_ptr<worker::Deciding> deciding_;
};

}  // namespace switchyard::actions
