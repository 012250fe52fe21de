// The worker's side of the store: one write transaction (Work) with the lookups and changes
// that applying a decision needs. Everything done through one Work is committed together or not
// at all, which is what makes processing an inbox row safe against kill -9: the row is marked
// done (inbox_state, in the tracker) in the same transaction as its effects.
#pragma once

#include "runtime/store/savepoint.hpp"
#include "runtime/store/store.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::store {

// Someone a row points at: an employee (the configuration's id) or a contact (a contact id).
// `id` 0 is someone the messenger did not identify (an employee writing from the Wazzup app).
struct PersonRef {
    std::string kind;  // "employee" or "contact"
    std::int64_t id = 0;
    std::string name;
};

// T6: where a like was made. The bot's reaction on a Telegram message stands for the likes made
// in the tracker alone: a reaction in Telegram (a contact's, or an employee's from their own
// account) is a like of its own, which the bot must not answer for.
enum class LikeSource : std::uint8_t { tracker, telegram };

// What a messenger tells about a person, to find or create the contact with that identity.
struct IdentityInput {
    std::string transport;    // telegram, whatsapp, instagram
    std::string external_id;  // unique per transport
    std::string name;
    std::optional<std::string> username;
    std::optional<std::string> phone;  // digits only, with the country code
};

struct ContactRecord {
    std::int64_t id = 0;
    std::string name;
    std::optional<std::string> username;
    std::optional<std::string> phone;
    bool is_new = false;  // created by this call
};

struct TaskRecord {
    std::int64_t id = 0;
    std::optional<std::int64_t> conversation;
    std::optional<std::int64_t> contact;
    std::string title;
    std::string description;
    std::string status;  // active, completed, cancelled
    std::optional<std::string> project;
    std::int64_t created_at = 0;
    std::vector<PersonRef> assignees;
    std::optional<std::int64_t> deleted_at;  // when an employee deleted it (delete_task)
    std::optional<std::int64_t> completed_at;  // set while its status is completed
};

// One change of a task's status, from its history.
struct StatusChangeRecord {
    std::string status;           // active, completed
    std::int64_t at = 0;
    std::optional<PersonRef> by;  // none for the system
};

struct NewTask {
    std::optional<std::int64_t> conversation;
    std::optional<std::int64_t> contact;
    std::string title;
    std::string description;
    std::optional<std::string> project;
    std::vector<PersonRef> assignees;
    std::int64_t at = 0;
};

struct ConversationRecord {
    std::int64_t id = 0;
    std::string integration;
    std::string key;
    std::optional<std::int64_t> channel;
    std::string channel_external_id;  // empty when the conversation has no channel
    std::string chat;
    std::string chat_kind;
    std::optional<std::int64_t> contact;
    std::string started_by;  // contact or employee
    std::optional<std::int64_t> task;
    std::optional<std::int64_t> last_inbound_at;
    std::optional<std::string> last_direction;
    std::optional<std::int64_t> first_comment_id;
    std::optional<std::string> business_connection;  // Telegram Business: the one its customer last wrote through
    std::int64_t unanswered_count = 0;               // the contact's comments since an employee's last one
    std::optional<std::int64_t> last_reply_at;       // when an employee last wrote in it
};

struct NewConversation {
    std::string integration;
    std::string key;
    std::optional<std::int64_t> channel;
    std::string chat;
    std::string chat_kind;
    std::optional<std::int64_t> contact;
    std::string started_by;
    std::int64_t at = 0;
};

struct CommentRecord {
    std::int64_t id = 0;
    std::int64_t task = 0;
    std::optional<std::int64_t> conversation;
    std::string chat;
    std::string chat_kind;
    std::string direction;
    PersonRef author;
    std::string text;
    std::optional<std::string> external_id;
    std::optional<std::int64_t> number;
    boost::json::array participants;  // persons as case JSON
    std::int64_t sent_at = 0;
    std::string integration;
    std::optional<std::int64_t> quotes;            // the comment it quotes
    std::optional<std::string> delivery_status;    // the outbox's summary, or Wazzup's latest status
};

struct NewComment {
    std::int64_t task = 0;
    std::optional<std::int64_t> conversation;
    std::string integration;
    std::string chat;
    std::string chat_kind;
    std::string direction;
    PersonRef author;
    std::string text;
    std::optional<std::string> external_id;
    std::optional<std::int64_t> number;
    boost::json::array participants;
    std::int64_t sent_at = 0;
    std::int64_t created_at = 0;
    std::optional<std::int64_t> inbox;
    // Fields added for outbound delivery have initialisers, so that aggregates written before
    // them need not name them (-Wmissing-field-initializers); the same in NewFile.
    std::optional<std::int64_t> quotes = std::nullopt;  // the comment it quotes (I3)
    // For an employee's comment going out: `queued` until enqueue() summarises its outbox rows.
    std::optional<std::string> delivery_status = std::nullopt;
};

struct NewFile {
    std::int64_t position = 0;
    std::string name;
    std::string ext;
    std::string mime;
    std::int64_t size = 0;
    std::string kind;
    std::string source;
    std::optional<std::string> action;  // attach, inline, link, reject; none when no policy decided
    std::optional<std::string> reason;
    std::optional<std::string> blob = std::nullopt;  // its bytes in the file store (sha-256 hex), when already there
    // pending (to download: inbound Telegram), stored (with `blob`), too_large, failed (with
    // `store_error`), none (nothing to fetch)
    std::string stored = "none";
    std::optional<std::string> store_error = std::nullopt;
};

// A file with what the store knows of its bytes: for serving them, and for sending them.
struct FileRecord {
    std::int64_t id = 0;
    std::int64_t comment = 0;
    int position = 0;
    std::string name;
    std::string ext;
    std::string mime;
    std::string kind;
    std::string source;  // how the messenger lets it be fetched
    std::int64_t size = 0;
    std::optional<std::string> blob;
    std::string stored;  // as NewFile::stored
    std::optional<std::string> store_error;
    std::optional<std::string> action;
    std::optional<std::string> reason;
};

// A file whose bytes are still to be fetched from the messenger (stored = pending).
struct PendingDownload {
    std::int64_t file = 0;
    std::int64_t comment = 0;
    std::string integration;  // the comment's: whose API to fetch it through
    std::string source;       // the Telegram file_id
    std::string name;
    std::int64_t size = 0;    // as the messenger said (0 when it did not)
};

// ---- the outbox (runtime/store/outbox.cpp) ----

// One call to a messenger's API, to be made by the dispatcher.
struct NewOutboxMessage {
    std::optional<std::int64_t> comment;  // the comment it carries, whose delivery state it sets
    std::optional<std::int64_t> task;
    std::string integration;
    std::string chat;
    std::string chat_kind;
    std::optional<std::string> business_connection;  // Telegram Business: the connection to reply through
    std::string method;  // sendMessage, sendDocument, sendPhoto, sendVideo, sendAudio, setMessageReaction
    std::string params;  // the method's parameters: JSON object text
    std::optional<std::int64_t> file;  // the file it uploads
    int part = 0;                      // its place among the comment's calls; part 0's message id names the comment
    std::int64_t not_before = 0;
    std::int64_t at = 0;
};

// The file an outbox row uploads.
struct OutboxFile {
    std::int64_t id = 0;
    std::string name;
    std::string mime;
    std::int64_t size = 0;
    std::optional<std::string> blob;  // none while the bytes are not in the file store
};

struct OutboxRow {
    std::int64_t id = 0;
    std::optional<std::int64_t> comment;
    std::optional<std::int64_t> task;
    std::string integration;
    std::string chat;
    std::string chat_kind;
    std::optional<std::string> business_connection;
    std::string method;
    std::string params;
    std::optional<OutboxFile> file;
    int part = 0;
    std::string state;  // queued, sending, sent, failed
    int attempts = 0;   // how many times it was handed to the messenger
    std::int64_t not_before = 0;
    std::int64_t created_at = 0;
    std::optional<std::string> external_id;  // once sent: the messenger's id of it
    std::optional<std::string> error;        // why the last attempt failed (kept when retried)
    std::int64_t updated_at = 0;
};

// ---- the employees' desk (runtime/store/desk.cpp) ----

// Who did something to a task: an employee (the configuration's id), a contact, or the system
// (id none).
struct HistoryActor {
    std::string kind;  // employee, contact, system
    std::optional<std::int64_t> id;
    std::string name;
};

// C8: a named canned answer.
struct QuickReplyRecord {
    std::int64_t id = 0;
    std::string name;
    std::string text;
    std::optional<std::int64_t> created_by;  // the employee
    std::string created_by_name;
    std::int64_t created_at = 0;
};

struct BusinessConnectionRecord {
    std::string id;
    std::string integration;
    std::string owner_external_id;
    std::string owner_name;
    std::int64_t owner_chat_id = 0;
    bool can_reply = false;
    bool enabled = true;
    std::int64_t at = 0;
};

struct NewDecision {
    std::int64_t inbox = 0;
    std::string event;  // the event's dedup key
    std::optional<std::int64_t> task;
    std::optional<std::int64_t> comment;
    std::string ruleset;  // the version
    boost::json::array rules;
    boost::json::array trace;
    boost::json::object decisions;
    // The cases each ask of the engine was given (engine/recorded.hpp), with the event's
    // integration: {"integration": "tg", "asks": [...]}. Empty: none recorded.
    boost::json::object cases;
    std::optional<std::string> note;
    std::int64_t at = 0;
};

class Work {
public:
    Work(Work&&) noexcept;
    Work& operator=(Work&&) = delete;
    ~Work();  // rolls back unless committed

    void commit();

    // A part of the transaction that can be undone alone (an sql::Savepoint): what an
    // `ignore` routing created, or everything a failing row did before it is marked failed.
    // Undoing it, or destroying it unkept, also forgets the channel ids this transaction has
    // cached, since a channel made inside it is gone with it.
    class Unit {
    public:
        explicit Unit(Work& work);
        ~Unit();  // rolls back unless kept
        Unit(const Unit&) = delete;
        Unit& operator=(const Unit&) = delete;
        void keep();
        void undo();

    private:
        void forget_new_channels();

        Work& work_;
        sql::Savepoint savepoint_;
    };

    // ---- the inbox ----
    // The first row after the last one finished (rows are taken strictly in order), or none.
    std::optional<InboxRow> next_pending();
    // Up to `limit` rows after the last one finished, in order: a batch to apply in this one
    // transaction (one commit for all of them). Fewer when their bodies pass 8 MiB together.
    // Rows put back in the queue (Store::requeue_failed) come first, as a batch of their own.
    // On a shared store: up to `limit` rows of the queue that no other server's worker holds,
    // in id order, none of them behind an earlier row of the same lane that another holds
    // (claims.cpp); their lanes stay this worker's until the Work ends.
    std::vector<InboxRow> next_pending(std::size_t limit);
    // After finish() of a row that had been put back in the queue (InboxRow::requeued).
    void drop_requeued(std::int64_t inbox);
    // Records what became of the row (inbox_state), in this transaction: state done or failed.
    void finish(std::int64_t inbox, std::string_view state, std::string_view note, std::int64_t at);
    // R1: false when the key was seen before (the event was applied already).
    bool first_sight(std::string_view key, std::int64_t inbox, std::int64_t at);

    // ---- contacts ----
    // Found by identity (name, username and phone refreshed; an empty name changes nothing), or
    // by phone when another messenger knows the same number (the identity is added), or created
    // (named by its external id when the messenger gives no name). A contact created here
    // records `contact_template`, the template of the integration that made it (C1, TB2); one
    // found keeps the template it was made from.
    ContactRecord find_or_create_contact(const IdentityInput& identity, std::int64_t at,
                                         const std::optional<std::string>& contact_template = std::nullopt);
    std::optional<ContactRecord> find_contact(std::string_view transport, std::string_view external_id);
    std::optional<ContactRecord> find_contact_by_username(std::string_view transport, std::string_view username);
    std::optional<ContactRecord> contact(std::int64_t id);
    // T2: the contact has written through this integration (an inbound comment exists).
    bool has_written(std::string_view integration, std::int64_t contact);
    bool bot_blocked(std::string_view integration, std::int64_t contact);
    void set_bot_blocked(std::string_view integration, std::string_view transport, std::string_view external_id,
                         bool blocked, std::int64_t at);

    // ---- channels, conversations, tasks ----
    std::int64_t channel_id(std::string_view integration, std::string_view external_id);
    std::optional<ConversationRecord> conversation(std::string_view integration, std::string_view key);
    std::optional<ConversationRecord> conversation(std::int64_t id);
    // The conversation of a chat that last had a comment (for messages no routing decided).
    std::optional<ConversationRecord> latest_conversation_of_chat(std::string_view integration, std::string_view chat);
    // W5: the task of a conversation with this chat, on any channel of the integration, that is
    // not deleted: the dialogue an employee may not start again from another channel.
    std::optional<std::int64_t> open_dialogue(std::string_view integration, std::string_view chat, std::string_view chat_kind);
    std::int64_t create_conversation(const NewConversation& conversation);
    void set_conversation_task(std::int64_t conversation, std::int64_t task);
    // W7: a new channel with the same number takes over the conversation.
    void set_conversation_channel(std::int64_t conversation, std::int64_t channel);
    // After a comment: who spoke last, when the contact last wrote, the first comment; by
    // `author_kind` (contact, employee, or empty for nobody known) how many of the contact's
    // comments wait for an answer, and when an employee last replied.
    void note_comment(std::int64_t conversation, std::string_view direction, std::int64_t comment, std::int64_t at,
                      std::string_view author_kind);

    std::optional<TaskRecord> task(std::int64_t id);
    std::int64_t create_task(const NewTask& task);
    // Also sets completed_at (to `at` when completed, else none).
    void set_task_status(std::int64_t task, std::string_view status, std::int64_t at);
    // The task's status changes (its history's `complete` and `reopen`), oldest first.
    std::vector<StatusChangeRecord> status_history(std::int64_t task);

    // ---- a contact's tags and custom fields (facts.cpp) ----
    // Sorted by tag.
    std::vector<std::string> contact_tags(std::int64_t contact);
    void set_contact_tags(std::int64_t contact, const std::vector<std::string>& tags);
    // Name and value (JSON text), sorted by name.
    std::vector<std::pair<std::string, std::string>> contact_fields(std::int64_t contact);
    // Sets each field given; a value of none removes the field.
    void set_contact_fields(std::int64_t contact, const std::vector<std::pair<std::string, std::optional<std::string>>>& fields);
    std::optional<std::int64_t> linked_task(std::string_view integration, std::string_view chat);
    void link_chat(std::string_view integration, std::string_view chat, std::int64_t task, std::int64_t at);
    // T3: the chat's messages go to no task any more. False when it was linked to none.
    bool unlink_chat(std::string_view integration, std::string_view chat);
    // Marks the task deleted (deleted_at): it stays readable by id, and leaves the lists of
    // tasks. False when it is missing or deleted already.
    bool delete_task(std::int64_t task, std::int64_t at);
    // Adds to the task's history: `action` names what was done (`comment`, `status`, `delete`,
    // ...), `detail` says with what.
    void record_history(std::int64_t task, const HistoryActor& actor, std::string_view action,
                        const boost::json::object& detail, std::int64_t at);

    // ---- comments and what hangs on them ----
    std::int64_t add_comment(const NewComment& comment);
    std::optional<CommentRecord> comment(std::int64_t id);
    std::optional<CommentRecord> comment_by_number(std::string_view integration, std::string_view chat, std::int64_t number);
    std::optional<CommentRecord> comment_by_external_id(std::string_view integration, std::string_view external_id);
    void edit_comment(std::int64_t comment, std::string_view text, std::int64_t at);
    // The number of comments marked deleted.
    std::int64_t mark_deleted(std::string_view integration, std::string_view chat, const std::vector<std::int64_t>& numbers,
                              std::int64_t at);
    // Wazzup statuses[]: false when no comment has that message id.
    bool set_delivery(std::string_view integration, std::string_view external_id, std::string_view status,
                      std::string_view error, std::int64_t at);
    // The conversation's latest `limit` comments, newest first (last_message_with).
    std::vector<CommentRecord> history(std::int64_t conversation, std::int64_t limit);

    // ---- who is in a chat (T4) ----
    // Known members: people seen writing and Telegram's chat_member updates. Adding a member
    // who is one already changes nothing.
    void add_chat_member(std::string_view integration, std::string_view chat, const PersonRef& person, std::int64_t at);
    void remove_chat_member(std::string_view integration, std::string_view chat, const PersonRef& person);
    bool is_chat_member(std::string_view integration, std::string_view chat, std::string_view kind, std::int64_t person);

    // The new file's id.
    std::int64_t add_file(std::int64_t comment, const NewFile& file);
    // The comment's files, in their order.
    std::vector<FileRecord> files_of(std::int64_t comment);
    // Files to download (stored = pending), oldest first, at most `limit`.
    std::vector<PendingDownload> pending_downloads(std::size_t limit);
    // The file's bytes are in the file store as `blob` (`size` bytes: the messenger's size may
    // have been missing or wrong).
    void file_stored(std::int64_t file, std::string_view blob, std::int64_t size);
    // The bytes were not stored: `state` too_large or failed (anything else throws StoreError),
    // with the reason a person can act on.
    void file_not_stored(std::int64_t file, std::string_view state, std::string_view reason);
    void add_notification(std::int64_t task, std::optional<std::int64_t> comment, const PersonRef& person,
                          std::string_view reason, std::int64_t at);
    // T6: one like, by its person, emoji and source; false when there was nothing to add or
    // remove (Telegram may repeat a reaction, and a removed reaction need not have been a like).
    bool like(std::int64_t comment, const PersonRef& person, std::string_view emoji, LikeSource from, std::int64_t at);
    bool unlike(std::int64_t comment, const PersonRef& person, std::string_view emoji, LikeSource from);

    // ---- Telegram Business ----
    void upsert_business_connection(const BusinessConnectionRecord& connection);
    std::optional<BusinessConnectionRecord> business_connection(std::string_view id);

    // ---- the decision log ----
    std::int64_t log_decision(const NewDecision& decision);

    // ---- the rulesets that have served (runtime/store/rulesets.cpp) ----
    // Keeps a ruleset that serves now; one kept before (the same version) keeps its first
    // record. True when it is new.
    bool keep_ruleset(const RulesetRecord& ruleset, std::string_view compiled);
    std::int64_t record_ruleset_event(const RulesetEvent& event);
    // Read in this transaction, so that what is decided from it is written before anyone else's
    // change (the server's publish and the configuration's reload both decide in a Work).
    RulesetState ruleset_state();
    std::optional<StoredRuleset> ruleset(std::string_view version);

    // ---- the outbox (runtime/store/outbox.cpp) ----
    // After every change of an outbox row, its comment (if any) gets the summary of all its
    // rows in delivery_status, delivery_error and delivery_at: failed if any row failed (with
    // that row's error), else sending if any is, else queued if any is, else sent (a `delivered`
    // or `read` that Wazzup reported meanwhile is kept over `sent`). When part 0 is sent, its
    // external id becomes the comment's external_id, and its number when it is all digits
    // (Telegram's message_id, which replies and reactions name). Changing a row that is not
    // there does nothing; the dispatcher owns the order of the states.

    // Queues a call (state queued); its id.
    std::int64_t enqueue(const NewOutboxMessage& message);
    // Rows queued or sending with not_before <= now, oldest (id) first, at most `limit`. A row
    // still `sending` is one whose attempt a crash interrupted (whether it reached the
    // messenger is unknown: the dispatcher decides what to do), or one the dispatcher is
    // sending right now: outbox_sending leaves not_before as it was, so a dispatcher that asks
    // while its own sends are under way gets those too, and must skip them.
    std::vector<OutboxRow> due_outbox(std::int64_t now, std::size_t limit);
    // The earliest not_before of the rows queued or sending: when the dispatcher has work next.
    std::optional<std::int64_t> next_outbox_time();
    // Being handed to the messenger: state sending, one attempt more.
    void outbox_sending(std::int64_t id, std::int64_t at);
    void outbox_sent(std::int64_t id, std::string_view external_id, std::int64_t at);
    // Back to queued until `not_before`, the error kept for the record.
    void outbox_retry(std::int64_t id, std::int64_t not_before, std::string_view error, std::int64_t at);
    // Given up: the reason a person can act on (`Forbidden: bot was blocked by the user`).
    void outbox_failed(std::int64_t id, std::string_view error, std::int64_t at);

    // ---- quick replies (C8; runtime/store/desk.cpp) ----
    // The new reply's id; none when the name is taken.
    std::optional<std::int64_t> add_quick_reply(std::string_view name, std::string_view text, std::optional<std::int64_t> by,
                                                std::string_view by_name, std::int64_t at);
    // False when there was none with that id.
    bool delete_quick_reply(std::int64_t id);
    std::optional<QuickReplyRecord> quick_reply(std::string_view name);

    // ---- replies and the dispatcher (runtime/store/replies.cpp; outbox_heads in outbox.cpp) ----
    // The first row of each chat that is queued or sending, when it is due (not_before <= now),
    // oldest first, at most `limit`: a chat's rows go strictly in order, so a later row never
    // passes one that waits for its retry.
    std::vector<OutboxRow> outbox_heads(std::int64_t now, std::size_t limit);
    // W9: Wazzup's echo of a message the outbox sent names it: its message id is kept on the
    // row (and on its comment, for part 0) when the send's answer did not give it
    // (`repeatedCrmMessageId`). False when there is no such row.
    bool outbox_echo(std::int64_t row, std::string_view message_id);
    // W3-W7: records a channel added or deleted through the API (replacing what was recorded).
    void save_channel(const ChannelRow& channel);
    // TB1: the Business connection the conversation's customer last wrote through.
    void set_conversation_business(std::int64_t conversation, std::string_view connection);
    // T6: the emoji of `person`'s like of the comment made `from` there, if they have one.
    std::optional<std::string> like_of(std::int64_t comment, const PersonRef& person, LikeSource from);
    // T6: how many likes made in the tracker the comment has (the bot's reaction stands for them).
    std::int64_t tracker_likes(std::int64_t comment);
    // T7: the contact's active tasks that are not deleted, oldest first.
    std::vector<TaskRecord> open_tasks_of(std::int64_t contact);
    // T8: the private chat an employee opened with the integration's bot (their user id).
    void set_employee_chat(std::string_view integration, std::int64_t employee, std::string_view chat, std::int64_t at);
    std::optional<std::string> employee_chat(std::string_view integration, std::int64_t employee);

private:
    friend class Store;
    struct State;
    explicit Work(std::unique_ptr<State> state);
    std::vector<std::int64_t> requeued_ids(std::size_t limit);
    std::vector<InboxRow> claim_shared(std::size_t limit);
    void fail_bodiless(const std::vector<std::int64_t>& requeued, const std::vector<InboxRow>& found);
    std::unique_ptr<State> state_;
};

}  // namespace switchyard::store
