#include "bench/lua_policies.hpp"

#if SWITCHYARD_LUAJIT
#include <luajit-2.1/lua.hpp>  // also luajit.h
#else
#include <lua5.4/lua.hpp>
#endif

#include <cmath>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

namespace switchyard::bench {
namespace {

namespace json = boost::json;

// The few calls whose names differ between the 5.1 API (LuaJIT) and 5.4.
std::size_t raw_length(lua_State* L, int index) {
#if LUA_VERSION_NUM >= 502
    return lua_rawlen(L, index);
#else
    return lua_objlen(L, index);
#endif
}

int absolute(lua_State* L, int index) {
    return index > 0 || index <= LUA_REGISTRYINDEX ? index : lua_gettop(L) + index + 1;
}

// Pushes a case as the tables bench/policies.lua expects (see its header): records complete,
// none as the NONE sentinel, enums by name, and the fact queries' answers as lookup sets.
class CaseWriter {
public:
    CaseWriter(lua_State* L, int none_ref) : L_(L), none_ref_(none_ref) {}

    void push(const NativeCase& c) {
        lua_createtable(L_, 0, 16);
        field("message", c.message);
        field("file", c.file);
        field("contact", c.contact);
        field("employee", c.employee);
        field("task", c.task);
        field("conversation", c.conversation);
        field("channel", c.channel);
        field("integration", c.integration);
        field("account", c.account);
        field("reaction", c.reaction);
        field("notice", c.notice);
        field("now", c.now);
        field("settings", c.settings);
        field("facts", c.facts);
        lua_createtable(L_, 0, 4);
        if (c.gives_file) flag("file");
        if (c.gives_employee) flag("employee");
        if (c.gives_reaction) flag("reaction");
        if (c.gives_notice) flag("notice");
        lua_setfield(L_, -2, "given");
    }

private:
    template <typename T>
    void field(const char* name, const T& value) {
        push(value);
        lua_setfield(L_, -2, name);
    }
    void flag(const char* name) {
        lua_pushboolean(L_, 1);
        lua_setfield(L_, -2, name);
    }

    void push(bool b) { lua_pushboolean(L_, b); }
    void push(std::int64_t i) { lua_pushinteger(L_, static_cast<lua_Integer>(i)); }
    void push(std::string_view s) { lua_pushlstring(L_, s.data(), s.size()); }
    void push(const std::string& s) { push(std::string_view(s)); }
    template <typename E>
        requires std::is_enum_v<E>
    void push(E member) {
        push(name_of(member));
    }
    template <typename T>
    void push(const std::optional<T>& value) {
        if (value) push(*value);
        else lua_rawgeti(L_, LUA_REGISTRYINDEX, none_ref_);
    }
    template <typename T>
    void push(const std::vector<T>& items) {
        lua_createtable(L_, static_cast<int>(items.size()), 0);
        for (std::size_t i = 0; i < items.size(); ++i) {
            push(items[i]);
            lua_rawseti(L_, -2, static_cast<int>(i + 1));
        }
    }
    // A set: { [item] = true, ... }.
    template <typename T>
    void push_set(const std::vector<T>& items) {
        lua_createtable(L_, 0, static_cast<int>(items.size()));
        for (const T& item : items) {
            push(item);
            lua_pushboolean(L_, 1);
            lua_rawset(L_, -3);
        }
    }

    void push(const Person& p) {
        lua_createtable(L_, 0, 6);
        field("id", p.id);
        field("name", p.name);
        field("username", p.username);
        field("phone", p.phone);
        field("is_employee", p.is_employee);
        field("has_access", p.has_access);
    }
    void push(const Chat& c) {
        lua_createtable(L_, 0, 4);
        field("id", c.id);
        field("kind", c.kind);
        field("title", c.title);
        field("username", c.username);
    }
    void push(const File& f) {
        lua_createtable(L_, 0, 5);
        field("name", f.name);
        field("ext", f.ext);
        field("mime", f.mime);
        field("size", f.size);
        field("kind", f.kind);
    }
    void push(const Post& p) {
        lua_createtable(L_, 0, 3);
        field("id", p.id);
        field("url", p.url);
        field("caption", p.caption);
    }
    void push(const Channel& c) {
        lua_createtable(L_, 0, 5);
        field("id", c.id);
        field("name", c.name);
        field("number", c.number);
        field("transport", c.transport);
        field("deleted", c.deleted);
    }
    void push(const Message& m) {
        lua_createtable(L_, 0, 18);
        field("id", m.id);
        field("direction", m.direction);
        field("transport", m.transport);
        field("chat", m.chat);
        field("sender", m.sender);
        field("text", m.text);
        field("command", m.command);
        field("command_args", m.command_args);
        field("mentions", m.mentions);
        field("files", m.files);
        field("reply_to", m.reply_to);
        field("post", m.post);
        field("channel", m.channel);
        field("sent_at", m.sent_at);
        field("edited", m.edited);
        field("participants", m.participants);
        field("notified", m.notified);
        field("notifies_contact", m.notifies_contact);
    }
    void push(const Contact& c) {
        lua_createtable(L_, 0, 7);
        field("id", c.id);
        field("name", c.name);
        field("username", c.username);
        field("phone", c.phone);
        field("is_new", c.is_new);
        field("has_written", c.has_written);
        field("blocked_bot", c.blocked_bot);
    }
    void push(const Employee& e) {
        lua_createtable(L_, 0, 4);
        field("id", e.id);
        field("name", e.name);
        field("is_owner", e.is_owner);
        field("telegram_linked", e.telegram_linked);
    }
    void push(const Task& t) {
        lua_createtable(L_, 0, 8);
        field("id", t.id);
        field("title", t.title);
        field("description", t.description);
        field("status", t.status);
        field("is_new", t.is_new);
        field("assignees", t.assignees);
        field("project", t.project);
        field("created_at", t.created_at);
    }
    void push(const Conversation& c) {
        lua_createtable(L_, 0, 9);
        field("id", c.id);
        field("channel", c.channel);
        field("started_by", c.started_by);
        field("is_new", c.is_new);
        field("expects_reply", c.expects_reply);
        field("last_inbound_at", c.last_inbound_at);
        field("customer_stopped_bot", c.customer_stopped_bot);
        field("can_reply", c.can_reply);
        field("first_comment_id", c.first_comment_id);
    }
    void push(const Integration& i) {
        lua_createtable(L_, 0, 8);
        field("id", i.id);
        field("name", i.name);
        field("service", i.service);
        field("owner", i.owner);
        field("assignees", i.assignees);
        field("extra_assignees", i.extra_assignees);
        field("project", i.project);
        field("contact_template", i.contact_template);
    }
    void push(const Reaction& r) {
        lua_createtable(L_, 0, 4);
        field("emoji", r.emoji);
        field("added", r.added);
        field("anonymous", r.anonymous);
        field("by", r.by);
    }
    void push(const Account& a) {
        lua_createtable(L_, 0, 2);
        field("name", a.name);
        field("plan", a.plan);
    }
    void push(const Notice& n) {
        lua_createtable(L_, 0, 2);
        field("person", n.person);
        field("reason", n.reason);
    }
    void push(const Settings& s) {
        lua_createtable(L_, 0, 4);
        field("new_task_if_no_active", s.new_task_if_no_active);
        field("notify_only_chat_members", s.notify_only_chat_members);
        field("send_as_employee", s.send_as_employee);
        push_set(s.positive_reactions);
        lua_setfield(L_, -2, "positive_reactions");
    }
    // { [id] = { [person id] = true, ... }, ... }
    void push(const std::unordered_map<std::int64_t, std::vector<std::int64_t>>& people_by_id) {
        lua_createtable(L_, 0, static_cast<int>(people_by_id.size()));
        for (const auto& [id, people] : people_by_id) {
            push(id);
            push_set(people);
            lua_rawset(L_, -3);
        }
    }
    void push(const Facts& f) {
        lua_createtable(L_, 0, 3);
        field("members", f.members);
        field("roles", f.roles);
        field("history", f.history);
    }

    lua_State* L_;
    int none_ref_;
};

// Reads what `decide` returned back as JSON: NONE is null, EMPTY is {}, a table with items
// 1..n is an array (an empty table too: empty lists are the only other empty tables), any
// other table an object with string keys.
class DecisionReader {
public:
    DecisionReader(lua_State* L, int none_ref, int empty_ref) : L_(L), none_ref_(none_ref), empty_ref_(empty_ref) {}

    json::value read(int index) {
        index = absolute(L_, index);
        switch (lua_type(L_, index)) {
        case LUA_TBOOLEAN: return lua_toboolean(L_, index) != 0;
        case LUA_TNUMBER: return integer(index);
        case LUA_TSTRING: {
            std::size_t size = 0;
            const char* text = lua_tolstring(L_, index, &size);
            return json::string(std::string_view(text, size));
        }
        case LUA_TTABLE: return table(index);
        default:
            throw std::runtime_error(std::string("policies.lua: decide returned a ") +
                                     lua_typename(L_, lua_type(L_, index)));
        }
    }

private:
    bool is(int index, int ref) {
        lua_rawgeti(L_, LUA_REGISTRYINDEX, ref);
        const bool same = lua_rawequal(L_, index, -1) != 0;
        lua_pop(L_, 1);
        return same;
    }

    // Every number in a decision is an integer; LuaJIT holds them as doubles.
    std::int64_t integer(int index) {
#if LUA_VERSION_NUM >= 503
        if (lua_isinteger(L_, index)) return lua_tointeger(L_, index);
#endif
        const lua_Number n = lua_tonumber(L_, index);
        if (n != std::floor(n) || std::fabs(n) >= 0x1p63)
            throw std::runtime_error("policies.lua: a number in a decision is not an integer");
        return static_cast<std::int64_t>(n);
    }

    json::value table(int index) {
        if (is(index, none_ref_)) return nullptr;
        if (is(index, empty_ref_)) return json::object();
        if (const std::size_t n = raw_length(L_, index); n > 0) {
            json::array items;
            for (std::size_t i = 1; i <= n; ++i) {
                lua_rawgeti(L_, index, static_cast<int>(i));
                items.push_back(read(-1));
                lua_pop(L_, 1);
            }
            return items;
        }
        json::object fields;
        lua_pushnil(L_);
        while (lua_next(L_, index) != 0) {
            if (lua_type(L_, -2) != LUA_TSTRING)
                throw std::runtime_error("policies.lua: a record in a decision has a key that is not a string");
            std::size_t size = 0;
            const char* key = lua_tolstring(L_, -2, &size);
            fields[std::string_view(key, size)] = read(-1);
            lua_pop(L_, 1);
        }
        if (fields.empty()) return json::array();
        return fields;
    }

    lua_State* L_;
    int none_ref_;
    int empty_ref_;
};

// The message of the error on top of the stack (an error object need not be a string).
std::string error_text(lua_State* L) {
    const char* text = lua_tostring(L, -1);
    return text ? text : "(an error that is not a string)";
}

// Takes the value on top of the stack into the registry; it must be of type `type`.
int take_ref(lua_State* L, int type, const char* what) {
    if (lua_type(L, -1) != type) throw std::runtime_error(std::string("policies.lua does not define ") + what);
    return luaL_ref(L, LUA_REGISTRYINDEX);
}

}  // namespace

LuaPolicies::LuaPolicies(const std::string& script_path, bool jit) : L_(luaL_newstate()) {
    if (!L_) throw std::runtime_error("cannot create a Lua state");
    luaL_openlibs(L_);
#if SWITCHYARD_LUAJIT
    if (!jit) luaJIT_setmode(L_, 0, LUAJIT_MODE_ENGINE | LUAJIT_MODE_OFF);
#else
    (void)jit;
#endif
    if (luaL_dofile(L_, script_path.c_str()) != 0) {
        const std::string error = error_text(L_);
        lua_close(L_);
        throw std::runtime_error(error);
    }
    try {
        lua_getglobal(L_, "decide");
        decide_ref_ = take_ref(L_, LUA_TFUNCTION, "the function `decide`");
        lua_getglobal(L_, "NONE");
        none_ref_ = take_ref(L_, LUA_TTABLE, "the table `NONE`");
        lua_getglobal(L_, "EMPTY");
        empty_ref_ = take_ref(L_, LUA_TTABLE, "the table `EMPTY`");
    } catch (...) {
        lua_close(L_);
        throw;
    }
    lua_newtable(L_);
    cases_ref_ = luaL_ref(L_, LUA_REGISTRYINDEX);
}

LuaPolicies::~LuaPolicies() { lua_close(L_); }

std::string LuaPolicies::engine_name() {
#if SWITCHYARD_LUAJIT
    return LUAJIT_VERSION;
#else
    return LUA_RELEASE;
#endif
}

void LuaPolicies::load_cases(const std::vector<NativeCase>& cases) {
    luaL_unref(L_, LUA_REGISTRYINDEX, cases_ref_);
    CaseWriter writer(L_, none_ref_);
    lua_createtable(L_, static_cast<int>(cases.size()), 0);
    for (std::size_t i = 0; i < cases.size(); ++i) {
        writer.push(cases[i]);
        lua_rawseti(L_, -2, static_cast<int>(i + 1));
    }
    cases_ref_ = luaL_ref(L_, LUA_REGISTRYINDEX);
    case_count_ = cases.size();
    lua_gc(L_, LUA_GCCOLLECT, 0);  // start the timed runs with no garbage from the setup
}

void LuaPolicies::call_decide() {
    if (lua_pcall(L_, 1, 1, 0) != 0) {
        const std::string error = error_text(L_);
        lua_pop(L_, 1);
        throw std::runtime_error("policies.lua: decide: " + error);
    }
}

std::size_t LuaPolicies::decide_all() {
    lua_rawgeti(L_, LUA_REGISTRYINDEX, cases_ref_);
    const int cases = lua_gettop(L_);
    std::size_t decisions = 0;
    for (std::size_t i = 1; i <= case_count_; ++i) {
        lua_rawgeti(L_, LUA_REGISTRYINDEX, decide_ref_);
        lua_rawgeti(L_, cases, static_cast<int>(i));
        call_decide();
        decisions += raw_length(L_, -1);
        lua_pop(L_, 1);
    }
    lua_pop(L_, 1);
    return decisions;
}

json::array LuaPolicies::decide_json(std::size_t index) {
    if (index >= case_count_) throw std::out_of_range("LuaPolicies::decide_json: no such case");
    lua_rawgeti(L_, LUA_REGISTRYINDEX, decide_ref_);
    lua_rawgeti(L_, LUA_REGISTRYINDEX, cases_ref_);
    lua_rawgeti(L_, -1, static_cast<int>(index + 1));
    lua_remove(L_, -2);
    call_decide();
    json::value decisions = DecisionReader(L_, none_ref_, empty_ref_).read(-1);
    lua_pop(L_, 1);
    if (!decisions.is_array()) throw std::runtime_error("policies.lua: decide did not return a list");
    return std::move(decisions.get_array());
}

}  // namespace switchyard::bench
