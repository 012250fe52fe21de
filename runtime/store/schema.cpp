// The schema, as numbered migrations for each of the two files (store.hpp): the inbox file and
// the tracker database. A migration, once released, is never edited: a change is a new
// migration at the end of its file's list. Times are milliseconds since 1970 (UTC) as integers;
// JSON columns hold JSON text. Person references are (kind, id): kind `employee` with the
// configuration's employee id, or kind `contact` with a contact id.
#include "runtime/store/store.hpp"

#include <array>

namespace switchyard::store {

namespace {

// ---- the inbox file ----

// 1: what the server needs to acknowledge a webhook (R1). Append-only: a row is never updated
// or deleted, so that the ids, given in commit order by the one writer, are the order in which
// the worker takes the rows (what became of each is in the tracker's inbox_state).
constexpr std::string_view inbox_sql = R"sql(
CREATE TABLE inbox (
    -- The largest id so far plus one: as no row is ever deleted, ids only grow. Not
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

constexpr std::array<Migration, 1> inbox_file = {{
    {1, "inbox", inbox_sql},
}};

constexpr std::array<Migration, 2> tracker_file = {{
    {1, "tracker", tracker_sql},
    {2, "chat members", chat_members_sql},
}};

}  // namespace

Schema current_schema() { return {tracker_file, inbox_file}; }

}  // namespace switchyard::store
