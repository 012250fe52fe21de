// The schema, as numbered migrations for each of the two files (store.hpp): the inbox file and
// the tracker database. A migration, once released, is never edited: a change is a new
// migration at the end of its file's list. Times are milliseconds since 1970 (UTC) as integers;
// JSON columns hold JSON text. Person references are (kind, id): kind `employee` with the
// configuration's employee id, or kind `contact` with a contact id.
#include "runtime/store/migration_names.hpp"
#include "runtime/store/store.hpp"

#include <array>

namespace switchyard::store {

namespace {

// ---- the inbox file ----

// 1: what the server needs to acknowledge a webhook (R1). Append-only: a row is never updated,
// and deleted only by the retention pruning once processed, never the last row, so that the
// ids, given in commit order by the one writer, are the order in which the worker takes the
// rows (what became of each is in the tracker's inbox_state).
constexpr std::string_view inbox_sql = R"sql(
CREATE TABLE inbox (
    -- The largest id so far plus one: as the last row is never deleted, ids only grow. Not
    -- AUTOINCREMENT, whose sqlite_sequence page would be one more page written per commit.
    id          INTEGER PRIMARY KEY,
    integration TEXT    NOT NULL,
    received_at INTEGER NOT NULL,
    body        BLOB    NOT NULL
);

-- Which inbox file this is: the tracker records it (inbox_link), so that a tracker is never
-- paired with an inbox file it was not made with.
CREATE TABLE inbox_file (identity TEXT NOT NULL);
INSERT INTO inbox_file (identity) VALUES (lower(hex(randomblob(16))));
)sql";

// ---- the tracker database ----

// 1: what processing makes of the inbox (C1-C8, T1-T8, TB, W, I) and the decision log (R2).
// Inbox ids here (inbox_state, seen, comments, decisions) have no foreign key: the inbox is
// another file.
constexpr std::string_view tracker_sql = R"sql(
-- What became of each inbox row the worker took, written in the same transaction as the row's
-- effects: a row is done exactly when its effects are committed. Rows are taken strictly in id
-- order, so the next one is the first inbox id above the largest here; a row not here is pending.
CREATE TABLE inbox_state (
    id           INTEGER PRIMARY KEY,  -- the inbox row
    state        TEXT    NOT NULL CHECK (state IN ('done', 'failed')),
    note         TEXT,
    processed_at INTEGER NOT NULL
);
CREATE INDEX inbox_state_failed ON inbox_state (id) WHERE state = 'failed';

-- The inbox file this database goes with (its inbox_file.identity), and the last inbox id that
-- predates this database: rows up to it were in the file before (another tracker's) and are
-- neither processed nor counted here. One row.
CREATE TABLE inbox_link (
    inbox_file  TEXT    NOT NULL,
    start_after INTEGER NOT NULL
);

-- One row per event ever applied; its key is the adapters' dedup_key (`tg:<bot>:update:<id>`,
-- `wz:message:<id>`, `wz:status:<id>:<status>`).
CREATE TABLE seen (
    key   TEXT    PRIMARY KEY,
    inbox INTEGER NOT NULL,  -- the inbox row that applied it
    at    INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE contacts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT    NOT NULL,
    username   TEXT,
    phone      TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
-- Rules see employees and contacts as one `person` type whose id is an integer: contact ids
-- start above a million so that they never meet the configuration's employee ids there.
INSERT INTO sqlite_sequence (name, seq) VALUES ('contacts', 1000000);
CREATE INDEX contacts_phone ON contacts (phone) WHERE phone IS NOT NULL;

-- How a contact is known on each messenger: a Telegram user id, a WhatsApp number, an
-- Instagram account. One contact may have several (the same phone on two messengers).
CREATE TABLE identities (
    id          INTEGER PRIMARY KEY,
    contact     INTEGER NOT NULL REFERENCES contacts (id),
    transport   TEXT    NOT NULL,
    external_id TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    username    TEXT,
    phone       TEXT,
    created_at  INTEGER NOT NULL,
    UNIQUE (transport, external_id)
);
CREATE INDEX identities_contact ON identities (contact);
CREATE INDEX identities_username ON identities (transport, username COLLATE NOCASE) WHERE username IS NOT NULL;

-- A number or bot inside an integration, numbered here: `channel.id` in rules (W5, W7).
CREATE TABLE channels (
    id          INTEGER PRIMARY KEY,
    integration TEXT NOT NULL,
    external_id TEXT NOT NULL,
    UNIQUE (integration, external_id)
);

CREATE TABLE conversations (
    id               INTEGER PRIMARY KEY,
    integration      TEXT    NOT NULL,
    key              TEXT    NOT NULL,  -- the routing keys as JSON text: `["79990001122",79011112233]`
    channel          INTEGER REFERENCES channels (id),
    chat             TEXT    NOT NULL,  -- the messenger's chat id as text
    chat_kind        TEXT    NOT NULL,
    contact          INTEGER REFERENCES contacts (id),
    started_by       TEXT    NOT NULL CHECK (started_by IN ('contact', 'employee')),
    task             INTEGER REFERENCES tasks (id),  -- the current task: a new one replaces a completed one
    last_inbound_at  INTEGER,
    last_direction   TEXT,
    first_comment_id INTEGER,
    created_at       INTEGER NOT NULL,
    UNIQUE (integration, key)
);
CREATE INDEX conversations_chat ON conversations (integration, chat);

CREATE TABLE tasks (
    id           INTEGER PRIMARY KEY,
    conversation INTEGER REFERENCES conversations (id),
    contact      INTEGER REFERENCES contacts (id),  -- the author (C1)
    title        TEXT    NOT NULL,
    description  TEXT    NOT NULL DEFAULT '',
    status       TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'completed', 'cancelled')),
    project      TEXT,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX tasks_conversation ON tasks (conversation);
CREATE INDEX tasks_contact ON tasks (contact);

CREATE TABLE assignees (
    task   INTEGER NOT NULL REFERENCES tasks (id),
    kind   TEXT    NOT NULL CHECK (kind IN ('employee', 'contact')),
    person INTEGER NOT NULL,
    name   TEXT    NOT NULL,
    PRIMARY KEY (task, kind, person)  -- and the rowid keeps the order the rules gave
);

CREATE TABLE comments (
    id              INTEGER PRIMARY KEY,
    task            INTEGER NOT NULL REFERENCES tasks (id),
    conversation    INTEGER REFERENCES conversations (id),
    integration     TEXT    NOT NULL,
    chat            TEXT    NOT NULL,
    chat_kind       TEXT    NOT NULL,
    direction       TEXT    NOT NULL CHECK (direction IN ('inbound', 'outbound', 'echo')),
    author_kind     TEXT    CHECK (author_kind IN ('employee', 'contact')),
    author          INTEGER,  -- null for an employee the messenger does not name
    author_name     TEXT    NOT NULL,
    text            TEXT    NOT NULL,
    external_id     TEXT,     -- the messenger's message id (Telegram message_id, Wazzup messageId)
    number          INTEGER,  -- Telegram's numeric message_id: what reactions and deletions name
    participants    TEXT    NOT NULL DEFAULT '[]',  -- persons as case JSON: sender, mentioned, notified
    sent_at         INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    edited_at       INTEGER,
    deleted_at      INTEGER,
    delivery_status TEXT,     -- Wazzup statuses[]: sent, delivered, read, error, edited
    delivery_error  TEXT,
    delivery_at     INTEGER,
    inbox           INTEGER   -- the inbox row it came in
);
CREATE INDEX comments_task ON comments (task, id);
CREATE INDEX comments_conversation ON comments (conversation, id);
CREATE INDEX comments_number ON comments (integration, chat, number) WHERE number IS NOT NULL;
CREATE INDEX comments_external ON comments (integration, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX comments_chat ON comments (integration, chat, author_kind, author);  -- a chat's known members
CREATE INDEX comments_author ON comments (author_kind, author, direction);       -- has a contact written

CREATE TABLE files (
    id       INTEGER PRIMARY KEY,
    comment  INTEGER NOT NULL REFERENCES comments (id),
    position INTEGER NOT NULL,  -- the index in message.files
    name     TEXT    NOT NULL,
    ext      TEXT    NOT NULL,
    mime     TEXT    NOT NULL,
    size     INTEGER NOT NULL,
    kind     TEXT    NOT NULL,
    source   TEXT    NOT NULL,  -- how to fetch it: Telegram file_id, Wazzup contentUri
    action   TEXT    CHECK (action IN ('attach', 'inline', 'link', 'reject')),  -- null: no policy decided
    reason   TEXT
);
CREATE INDEX files_comment ON files (comment);

CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    task       INTEGER NOT NULL REFERENCES tasks (id),
    comment    INTEGER REFERENCES comments (id),
    kind       TEXT    NOT NULL CHECK (kind IN ('employee', 'contact')),
    person     INTEGER NOT NULL,
    name       TEXT    NOT NULL,
    reason     TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX notifications_task ON notifications (task, comment);

CREATE TABLE likes (
    comment INTEGER NOT NULL REFERENCES comments (id),
    kind    TEXT    NOT NULL CHECK (kind IN ('employee', 'contact')),
    person  INTEGER NOT NULL,
    name    TEXT    NOT NULL,
    emoji   TEXT    NOT NULL,
    at      INTEGER NOT NULL,
    PRIMARY KEY (comment, kind, person, emoji)
);

-- T3: a Telegram group or channel linked to a task.
CREATE TABLE chat_links (
    integration TEXT    NOT NULL,
    chat        TEXT    NOT NULL,
    task        INTEGER NOT NULL REFERENCES tasks (id),
    linked_at   INTEGER NOT NULL,
    PRIMARY KEY (integration, chat)
) WITHOUT ROWID;

-- TB: Telegram Business connections, as Telegram last reported them.
CREATE TABLE business_connections (
    id                TEXT    PRIMARY KEY,
    integration       TEXT    NOT NULL,
    owner_external_id TEXT    NOT NULL,
    owner_name        TEXT    NOT NULL,
    owner_chat_id     INTEGER NOT NULL,
    can_reply         INTEGER NOT NULL,
    enabled           INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
) WITHOUT ROWID;

-- T2: users who stopped or blocked the bot (my_chat_member kicked/left in a private chat).
CREATE TABLE bot_blocks (
    integration TEXT    NOT NULL,
    transport   TEXT    NOT NULL,
    external_id TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    PRIMARY KEY (integration, transport, external_id)
) WITHOUT ROWID;

-- R2: one row per event the ruleset decided on.
CREATE TABLE decisions (
    id        INTEGER PRIMARY KEY,
    inbox     INTEGER NOT NULL,  -- the inbox row the event came in
    event     TEXT    NOT NULL,  -- the event's dedup key
    task      INTEGER REFERENCES tasks (id),
    comment   INTEGER REFERENCES comments (id),
    ruleset   TEXT    NOT NULL,  -- the ruleset version (its source hash)
    rules     TEXT    NOT NULL,  -- JSON: the rules that fired, with their policies
    trace     TEXT    NOT NULL,  -- JSON: every rule tried, per decision
    decisions TEXT    NOT NULL,  -- JSON: the decisions object (docs/cases.md)
    note      TEXT,
    at        INTEGER NOT NULL
);
CREATE INDEX decisions_task ON decisions (task, id);
)sql";

// 2: who is in a chat, as data (T4): kept from Telegram's chat_member updates and from the
// people seen writing, so that `member_of` is one indexed lookup instead of a scan of the
// chat's comments. Filled from the comments that are already there.
constexpr std::string_view chat_members_sql = R"sql(
CREATE TABLE chat_members (
    integration TEXT    NOT NULL,
    chat        TEXT    NOT NULL,  -- the messenger's chat id as text
    kind        TEXT    NOT NULL CHECK (kind IN ('employee', 'contact')),
    person      INTEGER NOT NULL,
    since       INTEGER NOT NULL,
    PRIMARY KEY (integration, chat, kind, person)
) WITHOUT ROWID;
INSERT INTO chat_members (integration, chat, kind, person, since)
    SELECT integration, chat, author_kind, author, min(sent_at) FROM comments
    WHERE author IS NOT NULL AND author_kind IS NOT NULL GROUP BY integration, chat, author_kind, author;
-- The scan of a chat's authors that this table replaces.
DROP INDEX comments_chat;
)sql";

// 3: outbound delivery and the employees' desk. The outbox: what is to be sent to the
// messengers, one row per API call, sent by the dispatcher in id order and retried from here;
// the comment it carries is summarised in the comment's delivery columns (C7). The history of a
// task (who did what to it), tasks deleted by an employee, a comment quoting another (I3), the
// bytes of files in the file store (runtime/files), and quick replies (C8).
constexpr std::string_view outbound_sql = R"sql(
-- Who did what to a task: every state-changing call of the API, and the worker's command actions.
CREATE TABLE history (
    id         INTEGER PRIMARY KEY,
    task       INTEGER NOT NULL REFERENCES tasks (id),
    actor_kind TEXT    NOT NULL CHECK (actor_kind IN ('employee', 'contact', 'system')),
    actor      INTEGER,          -- null for the system, or an employee the messenger does not name
    actor_name TEXT    NOT NULL,
    action     TEXT    NOT NULL,
    detail     TEXT    NOT NULL DEFAULT '{}',  -- a JSON object
    at         INTEGER NOT NULL
);
CREATE INDEX history_task ON history (task, id);

-- A deleted task is kept (its comments and history stay readable) but left out of the lists.
ALTER TABLE tasks ADD COLUMN deleted_at INTEGER;

ALTER TABLE comments ADD COLUMN quotes INTEGER REFERENCES comments (id);  -- the comment it quotes
-- comments.delivery_status now also holds the outbound states, the summary of the comment's
-- outbox rows: queued, sending, sent, failed (Wazzup's later statuses may turn sent into
-- delivered or read).

-- The bytes of a file, in the file store: `blob` is their sha-256 in lowercase hex, which names
-- the file there, so the check keeps a row from ever naming a path outside the store.
ALTER TABLE files ADD COLUMN blob TEXT
    CHECK (blob IS NULL OR (length(blob) = 64 AND blob NOT GLOB '*[^0-9a-f]*'));
-- pending: to download (inbound Telegram files); stored: the bytes are in the store;
-- too_large, failed: not stored, with the reason in store_error; none: nothing to fetch. The
-- rows already here get `none` by the default: their bytes were never fetched, and their
-- sources (Telegram file_ids, Wazzup links) may have expired since.
ALTER TABLE files ADD COLUMN stored TEXT NOT NULL DEFAULT 'none'
    CHECK (stored IN ('pending', 'stored', 'too_large', 'failed', 'none'));
ALTER TABLE files ADD COLUMN store_error TEXT;
CREATE INDEX files_pending ON files (id) WHERE stored = 'pending';

-- One call to a messenger's API: a Telegram method (sendMessage, sendDocument, sendPhoto,
-- sendVideo, sendAudio, setMessageReaction) or, later, Wazzup's. A comment may take several
-- (its text, then each file: `part` 0, 1, ...).
CREATE TABLE outbox (
    id                  INTEGER PRIMARY KEY,
    comment             INTEGER REFERENCES comments (id),
    task                INTEGER REFERENCES tasks (id),
    integration         TEXT    NOT NULL,
    chat                TEXT    NOT NULL,
    chat_kind           TEXT    NOT NULL,
    business_connection TEXT,
    method              TEXT    NOT NULL,
    params              TEXT    NOT NULL,  -- a JSON object: the method's parameters
    file                INTEGER REFERENCES files (id),
    part                INTEGER NOT NULL DEFAULT 0,
    -- sending: handed to the messenger, no answer recorded yet (a crash leaves it so)
    state               TEXT    NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'failed')),
    attempts            INTEGER NOT NULL DEFAULT 0,
    not_before          INTEGER NOT NULL,  -- not to be sent before (retries, rate limits)
    external_id         TEXT,              -- the messenger's id of what was sent
    error               TEXT,              -- why the last attempt failed
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
);
CREATE INDEX outbox_due ON outbox (not_before, id) WHERE state IN ('queued', 'sending');
CREATE INDEX outbox_comment ON outbox (comment);

-- C8: named canned answers.
CREATE TABLE quick_replies (
    id              INTEGER PRIMARY KEY,
    name            TEXT    NOT NULL UNIQUE,
    text            TEXT    NOT NULL,
    created_by      INTEGER,  -- the employee
    created_by_name TEXT    NOT NULL,
    created_at      INTEGER NOT NULL
);
)sql";

// 4: what the bot says back and how the dispatcher finds its work. The Business connection a
// conversation's customer last wrote through (its replies must carry it, TB1); the private chat
// each employee opened with a bot, where their notifications go (T8); and the indexes behind
// the dispatcher's question, "the first waiting row of each chat, if due" (outbox_heads).
constexpr std::string_view replies_sql = R"sql(
ALTER TABLE conversations ADD COLUMN business_connection TEXT;
CREATE TABLE employee_chats (
    integration TEXT    NOT NULL,
    employee    INTEGER NOT NULL,  -- the configuration's id
    chat        TEXT    NOT NULL,  -- the private chat with the bot: the employee's Telegram user id
    at          INTEGER NOT NULL,
    PRIMARY KEY (integration, employee)
) WITHOUT ROWID;
CREATE INDEX outbox_waiting ON outbox (id) WHERE state IN ('queued', 'sending');
CREATE INDEX outbox_chat ON outbox (integration, chat, id) WHERE state IN ('queued', 'sending');
)sql";

// 5: Wazzup channels added and deleted through the API (W3-W7), over those of the
// configuration: a row here names a channel the file does not list, or marks one it lists
// deleted.
constexpr std::string_view channels_sql = R"sql(
CREATE TABLE api_channels (
    integration TEXT    NOT NULL,
    id          TEXT    NOT NULL,  -- Wazzup's channelId
    number      TEXT    NOT NULL,  -- normalised as the configuration's (digits; an account without @)
    transport   TEXT    NOT NULL CHECK (transport IN ('whatsapp', 'instagram')),
    name        TEXT    NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0,
    at          INTEGER NOT NULL,
    PRIMARY KEY (integration, id)
) WITHOUT ROWID;
)sql";

// 6: the facts admins asked for (issue 12). When a task was completed (cleared when it is
// reopened), filled for the tasks completed already from their history; how many messages of
// the contact wait for an answer and when an employee last replied, kept by each comment (as
// last_inbound_at is) and filled from the comments already here; a contact's tags and custom
// fields, set through the API. A field's value is JSON text of the type the configuration's
// [contact_fields] declares.
constexpr std::string_view facts_sql = R"sql(
ALTER TABLE tasks ADD COLUMN completed_at INTEGER;
UPDATE tasks SET completed_at =
    (SELECT max(h.at) FROM history h WHERE h.task = tasks.id AND h.action = 'complete')
    WHERE status = 'completed';

ALTER TABLE conversations ADD COLUMN unanswered_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN last_reply_at INTEGER;
UPDATE conversations SET last_reply_at =
    (SELECT max(c.sent_at) FROM comments c WHERE c.conversation = conversations.id AND c.author_kind = 'employee');
UPDATE conversations SET unanswered_count =
    (SELECT count(*) FROM comments c WHERE c.conversation = conversations.id AND c.author_kind = 'contact'
        AND c.id > coalesce((SELECT max(e.id) FROM comments e
                             WHERE e.conversation = conversations.id AND e.author_kind = 'employee'), 0));

CREATE TABLE contact_tags (
    contact INTEGER NOT NULL REFERENCES contacts (id),
    tag     TEXT    NOT NULL,
    PRIMARY KEY (contact, tag)
) WITHOUT ROWID;
CREATE TABLE contact_fields (
    contact INTEGER NOT NULL REFERENCES contacts (id),
    name    TEXT    NOT NULL,
    value   TEXT    NOT NULL,  -- JSON text: true, 3, "gold"
    PRIMARY KEY (contact, name)
) WITHOUT ROWID;
)sql";

// 7: failed inbox rows put back in the queue through the API (POST /api/v1/inbox/{id}/requeue).
// A row here has no inbox_state row: it is pending again, and the worker takes it before the
// rows after the last one taken.
constexpr std::string_view requeue_sql = R"sql(
CREATE TABLE inbox_requeued (
    id          INTEGER PRIMARY KEY,  -- the inbox row
    requeued_at INTEGER NOT NULL,
    reason      TEXT    NOT NULL      -- why it had failed
);
)sql";

// 8: where each like was made (T6): `tracker`, an employee's like through the API, or
// `telegram`, a reaction there (a contact's, or an employee's from their own account). The bot's
// reaction on a Telegram message stands for the tracker's likes alone, and one person may like a
// comment both ways, so the source is part of the key: SQLite cannot change a key, so the table
// is made anew. The likes already here are a contact's, hence from Telegram, or an employee's,
// from Telegram when the latest `like` of that person, comment and emoji in the history says so.
constexpr std::string_view like_sources_sql = R"sql(
CREATE TABLE likes_by_source (
    comment INTEGER NOT NULL REFERENCES comments (id),
    kind    TEXT    NOT NULL CHECK (kind IN ('employee', 'contact')),
    person  INTEGER NOT NULL,
    name    TEXT    NOT NULL,
    emoji   TEXT    NOT NULL,
    source  TEXT    NOT NULL CHECK (source IN ('tracker', 'telegram')),
    at      INTEGER NOT NULL,
    PRIMARY KEY (comment, kind, person, source, emoji)
);
INSERT INTO likes_by_source (comment, kind, person, name, emoji, source, at)
    SELECT l.comment, l.kind, l.person, l.name, l.emoji,
           CASE WHEN l.kind = 'contact' OR
                     (SELECT json_extract(h.detail, '$.from') FROM history h
                      WHERE h.action = 'like' AND h.actor_kind = l.kind AND h.actor = l.person
                        AND json_extract(h.detail, '$.comment') = l.comment
                        AND json_extract(h.detail, '$.emoji') = l.emoji
                      ORDER BY h.id DESC LIMIT 1) = 'telegram'
                THEN 'telegram' ELSE 'tracker' END,
           l.at
    FROM likes l ORDER BY l.rowid;
DROP TABLE likes;
ALTER TABLE likes_by_source RENAME TO likes;
)sql";

// 9: the integration's contact_template a contact was made from (C1, TB2), kept as it was then:
// changing the configuration later does not change the contacts made before. Null for the
// contacts made before this migration, and for those of an integration without a template.
constexpr std::string_view contact_template_sql = R"sql(
ALTER TABLE contacts ADD COLUMN template TEXT;
)sql";

// 10: what each decision read (issue 15): the cases the engine was given for the event, one per
// time the worker asked (routing, then the kinds that need the task, then each alert), holding
// only the facts those policies' footprints read and the answers of the fact queries they asked.
// Replay and explanations run the recorded cases again, with no store to ask. Null for the rows
// logged before this migration: they cannot be replayed.
constexpr std::string_view decision_cases_sql = R"sql(
ALTER TABLE decisions ADD COLUMN cases TEXT;
)sql";

// 11: the rulesets that have served, and what admins did with them (issue 15). A ruleset is
// kept by its version (engine::version_of, a hash of what runs) with the compiled file's bytes as
// they came, which carry the sources' text: any of them can be shown, compared and served again.
// Every way a ruleset comes in is an event: loaded from the configuration's files at start or on
// SIGHUP (`configured`, recorded when it is not what was configured last), swapped in through
// the API (`publish`, `rollback`), or refused (`refuse`, with the action it refused). At start
// the latest admin action wins: a ruleset published or rolled back to after the configuration's
// files were last loaded serves again, unless the files have changed since.
constexpr std::string_view rulesets_sql = R"sql(
CREATE TABLE rulesets (
    version         TEXT    PRIMARY KEY,
    name            TEXT    NOT NULL,  -- `ruleset NAME`
    compiled        BLOB    NOT NULL,  -- the compiled file, byte for byte
    first_served_at INTEGER NOT NULL,
    -- who made it serve first: an employee (actor: the configuration's id), the configuration's
    -- files, or the API token when the request named nobody
    actor_kind      TEXT    NOT NULL CHECK (actor_kind IN ('employee', 'configuration', 'api')),
    actor           INTEGER,
    actor_name      TEXT    NOT NULL
);

CREATE TABLE ruleset_events (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    action     TEXT    NOT NULL CHECK (action IN ('configured', 'publish', 'rollback', 'refuse')),
    version    TEXT,  -- the ruleset acted on; null for one refused before it loaded
    previous   TEXT,  -- the version serving before (after a refusal, still); null before the first
    attempted  TEXT   CHECK (attempted IN ('configured', 'publish', 'rollback')),  -- what a refusal refused
    actor_kind TEXT    NOT NULL CHECK (actor_kind IN ('employee', 'configuration', 'api')),
    actor      INTEGER,
    actor_name TEXT    NOT NULL,
    reason     TEXT,  -- why, in the words of whoever did it
    detail     TEXT   -- configured: the files it came from; refuse: why it was refused
);
CREATE INDEX ruleset_events_action ON ruleset_events (action, id);
)sql";

// 12: Telegram usernames compared in lower case, as both databases can (issue 16: PostgreSQL has
// no NOCASE collation); ASCII only, like NOCASE, and usernames are ASCII.
constexpr std::string_view username_index_sql = R"sql(
CREATE INDEX identities_username_lower ON identities (transport, lower(username)) WHERE username IS NOT NULL;
DROP INDEX identities_username;
)sql";

// PostgreSQL's migration 2 makes the queue that several servers' workers share; an SQLite
// inbox file has one server, which takes its rows in the order of their ids.
constexpr std::string_view shared_queue_sql = "-- nothing: one server per SQLite inbox file";

constexpr std::array<Migration, migration_names::inbox.size()> inbox_file = {{
    {1, migration_names::inbox[0], inbox_sql},
    {2, migration_names::inbox[1], shared_queue_sql},
}};

constexpr std::array<Migration, migration_names::tracker.size()> tracker_file = {{
    {1, migration_names::tracker[0], tracker_sql},
    {2, migration_names::tracker[1], chat_members_sql},
    {3, migration_names::tracker[2], outbound_sql},
    {4, migration_names::tracker[3], replies_sql},
    {5, migration_names::tracker[4], channels_sql},
    {6, migration_names::tracker[5], facts_sql},
    {7, migration_names::tracker[6], requeue_sql},
    {8, migration_names::tracker[7], like_sources_sql},
    {9, migration_names::tracker[8], contact_template_sql},
    {10, migration_names::tracker[9], decision_cases_sql},
    {11, migration_names::tracker[10], rulesets_sql},
    {12, migration_names::tracker[11], username_index_sql},
}};

}  // namespace

Schema current_schema() { return {tracker_file, inbox_file}; }

}  // namespace switchyard::store
