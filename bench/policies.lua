-- The shipped policies (rules/*.rules, as rules/planfix.rules composes them) written by hand in
-- Lua, for the comparison in bench/lua_bench.cpp. `decide(case)` returns the decisions.
--
-- Runs unchanged under Lua 5.4 and under LuaJIT 2.1 (Lua 5.1 semantics: no integer division,
-- no bit operators, no `//`). Numbers: LuaJIT has doubles only, so ids, sizes and times are
-- exact only within 2^53, and `-` does not wrap around at 2^63 as the language's does; the
-- event mix (bench/event_mix.cpp) keeps every integer well inside 2^53. Under Lua 5.4 integers
-- stay integers (64-bit, wrapping) throughout.
--
-- The case comes from the host (bench/lua_policies.cpp) shaped like the case JSON of
-- docs/cases.md, with every fact present and every record complete:
--   * enum values are their names ("inbound"), times are milliseconds, sizes bytes;
--   * `none` is NONE, never nil, so that a record can go into a decision as it is;
--   * case.given is the set of facts the case gave ("reaction", "notice", "employee", "file"),
--     which decides whether some kinds are asked at all;
--   * the fact queries' answers are ready for lookups: case.facts.members[chat id] and
--     case.facts.roles[task id] are sets of person ids, case.facts.history the earlier
--     messages, oldest first; settings.positive_reactions (read only by `in`) is a set.
-- Decisions come back shaped like the "decisions" array of docs/cases.md (without "policy" and
-- "rule"), in the schema's order of kinds: { kind = ..., file = index (from 0), value = ... }.
-- A result is { constructor = { parameter = value, ... } }; EMPTY stands for the `{}` of a
-- constructor without parameters (an empty Lua table is read back as an empty list).

-- The two sentinels are globals so that the host can find them after loading this file.
NONE = {}
EMPTY = {}
local NONE, EMPTY = NONE, EMPTY

-- rules/common.rules
local choose_whom = "choose whom to notify: the customer is waiting for a reply and would not see this comment"
local channel_deleted = "the channel of this conversation was deleted; a new channel with the same number takes over its tasks"
-- rules/telegram.rules
local bots_cannot_write_first = "Telegram does not let bots write first: this contact has not written to the bot"
local bot_blocked = "the contact stopped or blocked the bot"
local start_greeting = "Hello! Write your question here and we will answer."
-- rules/telegram_business.rules
local reply_window = 24 * 60 * 60 * 1000 -- 24 h in milliseconds
local never_wrote = "the customer has not written in this chat yet"
local window_closed = "more than 24 hours passed since the customer's last message"
local bot_stopped = "the customer stopped the bot in this chat"
local no_reply_right = "the business bot lacks the right to reply in this chat"
-- rules/whatsapp.rules
local needs_title = "a new conversation needs a task title and a description: the description is sent as the first message"
local bound_channel = "this conversation is bound to its first channel; to change it, delete the task and write anew"
-- rules/instagram.rules
local reply_only = "Instagram is reply-only: nobody can write first"

local MB = 1000000

-- Results are never changed once made, so the constant ones are made once and shared.
local function refuse(reason) return { refuse = { reason = reason } } end

local ATTACH = { attach = EMPTY }
local INLINE = { inline = EMPTY }
local LINK = { link = EMPTY }
local SEND = { send = { signature = NONE, reply_to = NONE } }
local INTERNAL = { internal = EMPTY }
local REFUSE_CHOOSE_WHOM = refuse(choose_whom)
local REFUSE_CHANNEL_DELETED = refuse(channel_deleted)
local REFUSE_BOTS_CANNOT_WRITE_FIRST = refuse(bots_cannot_write_first)
local REFUSE_BOT_BLOCKED = refuse(bot_blocked)
local REFUSE_NEVER_WROTE = refuse(never_wrote)
local REFUSE_WINDOW_CLOSED = refuse(window_closed)
local REFUSE_BOT_STOPPED = refuse(bot_stopped)
local REFUSE_NO_REPLY_RIGHT = refuse(no_reply_right)
local REFUSE_NEEDS_TITLE = refuse(needs_title)
local REFUSE_BOUND_CHANNEL = refuse(bound_channel)
local REFUSE_REPLY_ONLY = refuse(reply_only)

local COMMANDS = {
    start = { reply = { text = start_greeting } },
    new = { create_task = EMPTY },
    tasks = { show_open_tasks = EMPTY },
    contact = { add_contact = EMPTY },
}
local PASS = { pass = EMPTY }

local QUICK_REPLIES = {
    { name = "greeting", text = "Hello! How can we help you?" },
    { name = "thanks", text = "Thank you for your message: we will answer shortly." },
    { name = "done", text = "Your request is done. Write here if anything else comes up." },
}

-- `(if empty(integration.assignees) then [integration.owner] else integration.assignees)
--  + integration.extra_assignees`, shared by every routing policy.
local function routing_assignees(integration)
    local people, n = {}, 0
    local assignees, extra = integration.assignees, integration.extra_assignees
    if #assignees == 0 then
        n = 1
        people[1] = integration.owner
    else
        for i = 1, #assignees do
            n = n + 1
            people[n] = assignees[i]
        end
    end
    for i = 1, #extra do
        n = n + 1
        people[n] = extra[i]
    end
    return people
end

-- routing -------------------------------------------------------------------------------------

local function common_routing(c)
    local m, integration = c.message, c.integration
    local title = m.sender.name .. " (" .. m.transport .. ", " .. integration.service .. ", "
        .. m.channel.number .. ")"
    return { thread = { key = { m.channel.number, m.chat.id }, title = title, description = NONE,
                        assignees = routing_assignees(integration), project = integration.project } }
end

local function telegram_routing(c)
    local m, integration = c.message, c.integration
    local kind = m.chat.kind
    if kind == "group" or kind == "channel" then
        return { linked_task = { chat = m.chat } }
    end
    if m.direction == "inbound" and m.sender.is_employee then
        return { ignore = { reason = "an employee linking their account (T8)" } }
    end
    local title = m.sender.name .. " (telegram, " .. integration.service .. ", @" .. m.channel.number .. ")"
    return { thread = { key = { m.channel.number, m.chat.id }, title = title, description = NONE,
                        assignees = routing_assignees(integration), project = integration.project } }
end

local function instagram_routing(c)
    local m = c.message
    local sender = m.sender
    local title = sender.username
    if title == NONE then title = sender.name end
    if m.chat.kind == "comment" then
        local post = m.post
        local post_id, url = "", "a post"
        if post ~= NONE then post_id, url = post.id, post.url end
        return { thread = { key = { post_id, sender.id }, title = title, description = "Comment under " .. url,
                            assignees = routing_assignees(c.integration), project = NONE } }
    end
    return { thread = { key = { m.channel.number, m.chat.id }, title = title, description = m.text,
                        assignees = routing_assignees(c.integration), project = NONE } }
end

-- notification --------------------------------------------------------------------------------

local function common_notification(c)
    local notices, assignees = {}, c.task.assignees
    for i = 1, #assignees do
        notices[i] = { person = assignees[i], reason = "assignee" }
    end
    return notices
end

-- last_message_with(person): the latest earlier message the person sent or took part in.
local function last_message_with(history, id)
    for i = #history, 1, -1 do
        local earlier = history[i]
        if earlier.sender.id == id then return earlier end
        local participants = earlier.participants
        for j = 1, #participants do
            if participants[j].id == id then return earlier end
        end
    end
    return nil
end

-- T4: mentioned people first, else the employees of the author's last conversation, else the
-- assignees; then chat members only (when set) with a way into the task.
local function telegram_group_notification(c)
    local m, facts = c.message, c.facts
    local chosen, why = m.mentions, "mentioned"
    if #chosen == 0 then
        local recent, n = {}, 0
        local last = last_message_with(facts.history, m.sender.id)
        if last then
            local participants = last.participants
            for i = 1, #participants do
                local p = participants[i]
                if p.is_employee then
                    n = n + 1
                    recent[n] = p
                end
            end
        end
        if n > 0 then
            chosen, why = recent, "recent_participant"
        else
            chosen, why = c.task.assignees, "assignee"
        end
    end
    local members = facts.members[m.chat.id]  -- member_of(it, message.chat)
    local roles = facts.roles[c.task.id]      -- has_role(it, task)
    local any_member = not c.settings.notify_only_chat_members
    local notices, n = {}, 0
    for i = 1, #chosen do
        local p = chosen[i]
        if (any_member or (members ~= nil and members[p.id]))
            and (p.is_employee or p.has_access or (roles ~= nil and roles[p.id])) then
            n = n + 1
            notices[n] = { person = p, reason = why }
        end
    end
    return notices
end

-- attachment ----------------------------------------------------------------------------------

local SMALL_ARCHIVES = { pdf = true, zip = true }
local SMALL_IMAGES = { jpg = true, jpeg = true, png = true, gif = true }

local function telegram_outbound_attachment(file)
    local ext, size = file.ext, file.size
    if SMALL_ARCHIVES[ext] and size < 5 * MB then return ATTACH end
    if SMALL_IMAGES[ext] and size < 5 * MB then return ATTACH end
    if ext == "mp4" and size < 50 * MB then return ATTACH end
    if ext == "mp3" and size < 50 * MB then return ATTACH end
    return LINK
end

local function instagram_outbound_attachment(file)
    if file.kind == "image" then return INLINE end
    return LINK
end

local function whatsapp_outbound_attachment() return ATTACH end

local OUTBOUND_ATTACHMENT = {
    telegram = telegram_outbound_attachment,
    whatsapp = whatsapp_outbound_attachment,
    instagram = instagram_outbound_attachment,
}

local function inbound_attachment() return ATTACH end  -- rules/common.rules

-- delivery ------------------------------------------------------------------------------------

-- The first two rules of every delivery policy: a comment that does not notify the contact
-- stays inside the tracker. nil when it does notify the contact.
local function internal_comment(c)
    if c.message.notifies_contact then return nil end
    if c.conversation.expects_reply then return REFUSE_CHOOSE_WHOM end
    return INTERNAL
end

local function telegram_delivery(c)
    local kept = internal_comment(c)
    if kept then return kept end
    local contact = c.contact
    if not contact.has_written then return REFUSE_BOTS_CANNOT_WRITE_FIRST end
    if contact.blocked_bot then return REFUSE_BOT_BLOCKED end
    return SEND
end

local function telegram_business_delivery(c)
    local kept = internal_comment(c)
    if kept then return kept end
    local conversation = c.conversation
    local last = conversation.last_inbound_at
    if last == NONE then return REFUSE_NEVER_WROTE end
    if c.now - last > reply_window then return REFUSE_WINDOW_CLOSED end
    if conversation.customer_stopped_bot then return REFUSE_BOT_STOPPED end
    if not conversation.can_reply then return REFUSE_NO_REPLY_RIGHT end
    if c.settings.send_as_employee then
        return { send = { signature = c.employee.name, reply_to = NONE } }
    end
    return SEND
end

local function whatsapp_delivery(c)
    local kept = internal_comment(c)
    if kept then return kept end
    local task, conversation = c.task, c.conversation
    if c.channel.deleted then return REFUSE_CHANNEL_DELETED end
    if task.is_new and (task.title == "" or task.description == "") then return REFUSE_NEEDS_TITLE end
    if not conversation.is_new and c.message.channel.id ~= conversation.channel.id then
        return REFUSE_BOUND_CHANNEL
    end
    return SEND
end

local function instagram_delivery(c)
    local kept = internal_comment(c)
    if kept then return kept end
    local conversation = c.conversation
    if conversation.is_new and c.message.reply_to == NONE then return REFUSE_REPLY_ONLY end  -- I6: a private reply may open one
    if c.message.chat.kind == "comment" then
        return { send = { signature = NONE, reply_to = conversation.first_comment_id } }
    end
    return SEND
end

-- rules/common.rules also has `policy delivery for outbound`, but each of the three transports
-- narrows it, so in the planfix ruleset it never applies.
local function outbound_delivery(c)
    local m = c.message
    local transport = m.transport
    if transport == "telegram" then
        if m.chat.kind == "business" then return telegram_business_delivery(c) end
        return telegram_delivery(c)
    elseif transport == "whatsapp" then
        return whatsapp_delivery(c)
    end
    return instagram_delivery(c)
end

-- reaction, alert -----------------------------------------------------------------------------

local function telegram_reaction(c)
    local r = c.reaction
    if r.anonymous then return "skip" end
    if r.added and c.settings.positive_reactions[r.emoji] then return "like" end
    if not r.added then return "unlike" end
    return "skip"
end

local function common_alert(c)
    if c.account.plan == "free" then return "tracker_only" end
    if c.employee.telegram_linked then return "bot_message" end
    return "tracker_only"
end

-- decide --------------------------------------------------------------------------------------

-- Each kind is asked only in the directions its policies see (a policy without `for` sees every
-- direction of its kind) and only when its subject is present; among the policies of a kind the
-- most specific scope wins, and the shipped scopes nest, so the narrowest is tested first.
function decide(c)
    local m, given = c.message, c.given
    local direction, transport = m.direction, m.transport
    local inbound, outbound = direction == "inbound", direction == "outbound"
    local telegram = transport == "telegram"
    local out, n = {}, 0

    if not outbound then
        local route
        if telegram then
            route = telegram_routing(c)
        elseif transport == "instagram" then
            route = instagram_routing(c)
        else
            route = common_routing(c)
        end
        n = n + 1
        out[n] = { kind = "routing", value = route }
    end
    if inbound then
        n = n + 1
        out[n] = { kind = "reopen", value = c.settings.new_task_if_no_active and "new_task" or "reopen" }
        local chat_kind = m.chat.kind
        local notices
        if telegram and (chat_kind == "group" or chat_kind == "channel") then
            notices = telegram_group_notification(c)
        else
            notices = common_notification(c)
        end
        n = n + 1
        out[n] = { kind = "notification", value = notices }
    end
    if inbound or outbound then
        local attachment = inbound and inbound_attachment or OUTBOUND_ATTACHMENT[transport]
        local files = m.files
        if #files > 0 then
            for i = 1, #files do
                n = n + 1
                out[n] = { kind = "attachment", file = i - 1, value = attachment(files[i]) }
            end
        elseif given.file then
            n = n + 1
            out[n] = { kind = "attachment", value = attachment(c.file) }
        end
    end
    if outbound then
        n = n + 1
        out[n] = { kind = "delivery", value = outbound_delivery(c) }
    end
    if inbound and telegram and m.command ~= NONE then
        n = n + 1
        out[n] = { kind = "command", value = COMMANDS[m.command] or PASS }
    end
    if (inbound or outbound) and telegram and given.reaction then
        n = n + 1
        out[n] = { kind = "reaction", value = telegram_reaction(c) }
    end
    if outbound and given.employee then
        n = n + 1
        out[n] = { kind = "quick_replies", value = QUICK_REPLIES }
    end
    if (inbound or outbound) and given.notice then
        n = n + 1
        out[n] = { kind = "alert", value = common_alert(c) }
    end
    return out
end
