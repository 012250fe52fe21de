// Reading a case file into VM values, with defaults for everything left out.
#include "runtime/engine/engine.hpp"

#include "common/civil.hpp"
#include "common/diagnostic.hpp"
#include "stdlib/units.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace switchyard::engine {

using stdlib::Type;
using stdlib::TypeKind;
using stdlib::Wrap;
using vm::Value;

const std::vector<std::string>& fact_names(const stdlib::Schema& schema) {
    static const std::vector<std::string> names = [&] {
        std::vector<std::string> out;
        for (const auto& k : schema.kinds())
            for (const auto& b : k.bindings)
                if (std::find(out.begin(), out.end(), b.name) == out.end()) out.push_back(b.name);
        return out;
    }();
    return names;
}

std::size_t fact_index(const stdlib::Schema& schema, std::string_view name) {
    const auto& names = fact_names(schema);
    return static_cast<std::size_t>(std::find(names.begin(), names.end(), name) - names.begin());
}

stdlib::Type fact_type(const stdlib::Schema& schema, std::string_view name) {
    for (const auto& k : schema.kinds())
        if (const auto* b = k.find_binding(name)) return b->type;
    return stdlib::types::error;
}

class CaseReader {
public:
    CaseReader(const vm::Image& image, Case& c) : image_(image), schema_(image.schema()), c_(c) {}

    void read(const boost::json::value& json) {
        const auto* root = json.if_object();
        if (!root) fail("case", "a case is a JSON object");
        const auto& names = fact_names(schema_);
        c_.facts_.assign(names.size(), Value::none());
        c_.given_.assign(names.size(), false);
        for (const auto& [key, value] : *root) {
            if (key == "settings" || key == "facts") continue;
            auto i = fact_index(schema_, key);
            if (i == names.size()) {
                std::vector<std::string_view> candidates(names.begin(), names.end());
                candidates.push_back("settings");
                candidates.push_back("facts");
                auto best = common::closest_match(key, candidates);
                fail(std::string(key), "unknown key" + (best.empty() ? std::string() : ": did you mean `" + best + "`?"));
            }
        }
        for (std::size_t i = 0; i < names.size(); ++i) {
            const auto* given = root->if_contains(names[i]);
            c_.given_[i] = given != nullptr && !given->is_null();
            c_.facts_[i] = build(fact_type(schema_, names[i]), given, names[i]);
        }
        read_settings(root->if_contains("settings"));
        read_facts(root->if_contains("facts"));
    }

    // `contact.fields` from the store's values (JSON text by name), as read() reads it from a
    // case; a value that does not fit the declared type (the configuration's type changed since
    // it was set) counts as not set.
    Value stored_contact_fields(std::span<const std::pair<std::string, std::string>> stored) {
        boost::json::object given;
        for (const auto& [name, text] : stored) {
            auto f = image_.contact_field_index(name);
            if (!f) continue;  // declared in the configuration, not read by these rules
            boost::system::error_code ec;
            auto value = boost::json::parse(text, ec);
            if (ec || !fits(image_.module().contact_fields[*f].type, value)) continue;
            given[name] = std::move(value);
        }
        boost::json::value v = std::move(given);
        return contact_fields(&v, "contact.fields");
    }

private:
    [[noreturn]] static void fail(const std::string& path, const std::string& why) { throw CaseError(path + ": " + why); }

    Value build(Type t, const boost::json::value* v, const std::string& path) {
        if (t.is_optional()) return v == nullptr || v->is_null() ? Value::none() : build(t.inner(), v, path);
        if (v == nullptr) return default_of(t);
        if (v->is_null()) fail(path, "`null` for a `" + schema_.type_name(t) + "`, which cannot be none");
        if (t.is(Wrap::list) || t.is(Wrap::set)) return collection(t, *v, path);
        switch (t.base) {
            case TypeKind::boolean:
                if (!v->is_bool()) fail(path, "expected true or false");
                return Value::boolean(v->get_bool());
            case TypeKind::integer: return Value::integer(integer(*v, path));
            case TypeKind::string:
                if (!v->is_string()) fail(path, "expected a string");
                return Value::string(c_.arena_->copy(v->get_string()));
            case TypeKind::size: return Value::integer(unit_value(*v, path, stdlib::size_units, "bytes, or a size such as \"5 MB\""));
            case TypeKind::duration:
                return Value::integer(unit_value(*v, path, stdlib::duration_units, "milliseconds, or a duration such as \"24 h\""));
            case TypeKind::time:
                return Value::integer(written_time(*v, path, common::parse_instant, "milliseconds since 1970, or a time such as \"2026-11-21T10:00:00Z\""));
            case TypeKind::date:
                return Value::integer(written_time(*v, path, common::parse_date, "days since 1970-01-01, or a date such as \"2027-01-01\""));
            case TypeKind::time_of_day:
                return Value::integer(written_time(*v, path, common::parse_time_of_day, "milliseconds since midnight, or a time of day such as \"09:00\""));
            case TypeKind::enumeration: return enumeration(t, *v, path);
            case TypeKind::record: return record(t, v, path);
            default: fail(path, "a value of type `" + schema_.type_name(t) + "` cannot be given");
        }
    }

    Value default_of(Type t) {
        if (t.is_optional()) return Value::none();
        if (t.is_wrapped()) return Value::list(nullptr, 0);
        switch (t.base) {
            case TypeKind::boolean: return Value::boolean(false);
            case TypeKind::string: return Value::string({});
            case TypeKind::record: return record(t, nullptr, "");
            default: return Value::integer(0);  // numbers, times, and an enum's first member
        }
    }

    Value record(Type t, const boost::json::value* v, const std::string& path) {
        const auto& decl = schema_.record_of(t);
        if (decl.declared_by_rules) return contact_fields(v, path);
        const boost::json::object* obj = nullptr;
        if (v) {
            obj = v->if_object();
            if (!obj) fail(path, "expected an object (a `" + decl.name + "`)");
            for (const auto& [key, value] : *obj) {
                if (decl.find(key)) continue;
                std::vector<std::string_view> names;
                for (const auto& f : decl.fields) names.push_back(f.name);
                auto best = common::closest_match(key, names);
                fail(path + "." + std::string(key),
                     "unknown field of `" + decl.name + "`" + (best.empty() ? std::string() : ": did you mean `" + best + "`?"));
            }
        }
        Value* fields = c_.arena_->values(decl.fields.size());
        for (std::size_t i = 0; i < decl.fields.size(); ++i) {
            const auto& f = decl.fields[i];
            fields[i] = build(f.type, obj ? obj->if_contains(f.name) : nullptr, path + "." + f.name);
        }
        return Value::record(fields, decl.fields.size());
    }

    // `contact.fields`: the ruleset's contact fields, not the schema's; each one left out has its
    // declared default.
    Value contact_fields(const boost::json::value* v, const std::string& path) {
        const auto& fields = image_.module().contact_fields;
        const boost::json::object* obj = nullptr;
        if (v) {
            obj = v->if_object();
            if (!obj) fail(path, "expected an object of the contact fields the ruleset declares");
            for (const auto& [key, value] : *obj) {
                if (image_.contact_field_index(key)) continue;
                std::vector<std::string_view> names;
                for (const auto& f : fields) names.push_back(f.name);
                auto best = common::closest_match(key, names);
                fail(path + "." + std::string(key),
                     "the ruleset declares no such contact field" + (best.empty() ? std::string() : ": did you mean `" + best + "`?"));
            }
        }
        Value* out = c_.arena_->values(fields.size());
        for (std::size_t i = 0; i < fields.size(); ++i) {
            const auto* given = obj ? obj->if_contains(fields[i].name) : nullptr;
            out[i] = given ? build(fields[i].type, given, path + "." + fields[i].name) : image_.default_contact_field(i);
        }
        return Value::record(out, fields.size());
    }

    // Whether a stored value is one of a contact field's type (bool, int or string, perhaps none).
    static bool fits(Type t, const boost::json::value& v) {
        if (v.is_null()) return t.is_optional();
        Type plain = t.without_optional();
        if (plain == stdlib::types::boolean) return v.is_bool();
        if (plain == stdlib::types::integer) return v.is_int64();
        return v.is_string();
    }

    Value collection(Type t, const boost::json::value& v, const std::string& path) {
        const auto* array = v.if_array();
        if (!array) fail(path, "expected an array");
        Value* items = c_.arena_->values(array->size());
        std::size_t n = 0;
        for (std::size_t i = 0; i < array->size(); ++i) {
            Value item = build(t.inner(), &(*array)[i], path + "[" + std::to_string(i) + "]");
            bool duplicate = t.is(Wrap::set) && std::any_of(items, items + n, [&](const Value& seen) { return vm::equal(seen, item); });
            if (!duplicate) items[n++] = item;
        }
        return Value::list(items, n);
    }

    Value enumeration(Type t, const boost::json::value& v, const std::string& path) {
        const auto& decl = schema_.enum_of(t);
        std::string members;
        for (const auto& m : decl.members) members += (members.empty() ? "" : ", ") + m;
        if (!v.is_string()) fail(path, "expected one of " + members);
        auto m = decl.find(v.get_string());
        if (!m) fail(path, "unknown " + decl.name + " \"" + std::string(v.get_string()) + "\", expected one of " + members);
        return Value::integer(static_cast<std::int64_t>(*m));
    }

    static std::int64_t integer(const boost::json::value& v, const std::string& path) {
        if (v.is_int64()) return v.get_int64();
        if (v.is_uint64() && v.get_uint64() <= std::uint64_t(INT64_MAX)) return static_cast<std::int64_t>(v.get_uint64());
        fail(path, "expected an integer (64-bit)");
    }

    static std::int64_t unit_value(const boost::json::value& v, const std::string& path, std::span<const stdlib::Unit> units,
                                   const char* expected) {
        if (v.is_string()) {
            if (auto n = stdlib::parse_quantity(v.get_string(), units)) return *n;
            fail(path, "cannot read \"" + std::string(v.get_string()) + "\": expected " + expected);
        }
        if (v.is_int64() || v.is_uint64()) return integer(v, path);
        fail(path, std::string("expected ") + expected);
    }

    // A time, date or time of day: its number, or its text as the rules write it.
    static std::int64_t written_time(const boost::json::value& v, const std::string& path,
                                     common::ParsedTime (*parse)(std::string_view), const char* expected) {
        if (v.is_string()) {
            auto parsed = parse(v.get_string());
            if (parsed.ok()) return parsed.value;
            fail(path, "cannot read \"" + std::string(v.get_string()) + "\": " + parsed.error + "; expected " + expected);
        }
        if (v.is_int64() || v.is_uint64()) return integer(v, path);
        fail(path, std::string("expected ") + expected);
    }

    void read_settings(const boost::json::value* v) {
        const auto& settings = image_.module().settings;
        c_.settings_.clear();
        for (std::size_t s = 0; s < settings.size(); ++s) c_.settings_.push_back(image_.default_setting(s));
        if (!v) return;
        const auto* obj = v->if_object();
        if (!obj) fail("settings", "expected an object of setting values");
        for (const auto& [key, value] : *obj) {
            auto s = image_.setting_index(key);
            if (!s) {
                std::vector<std::string_view> names;
                for (const auto& st : settings) names.push_back(st.name);
                auto best = common::closest_match(key, names);
                fail("settings." + std::string(key),
                     "the ruleset declares no such setting" + (best.empty() ? std::string() : ": did you mean `" + best + "`?"));
            }
            c_.settings_[*s] = build(settings[*s].type, &value, "settings." + std::string(key));
        }
    }

    void read_facts(const boost::json::value* v) {
        auto& q = *c_.case_facts_;
        q.person_id_ = field_slot(schema_, "person", "id");
        q.chat_id_ = field_slot(schema_, "chat", "id");
        q.task_id_ = field_slot(schema_, "task", "id");
        q.sender_ = field_slot(schema_, "message", "sender");
        q.participants_ = field_slot(schema_, "message", "participants");
        if (!v) return;
        const auto* obj = v->if_object();
        if (!obj) fail("facts", "expected an object with `members`, `roles` and `history`");
        for (const auto& [key, value] : *obj) {
            if (key == "members") q.members_ = id_lists(value, "facts.members");
            else if (key == "roles") q.roles_ = id_lists(value, "facts.roles");
            else if (key == "history") history(value);
            else fail("facts." + std::string(key), "unknown key: expected `members`, `roles` or `history`");
        }
    }

    std::map<std::int64_t, std::vector<std::int64_t>> id_lists(const boost::json::value& v, const std::string& path) {
        const auto* obj = v.if_object();
        if (!obj) fail(path, "expected an object from ids to arrays of ids");
        std::map<std::int64_t, std::vector<std::int64_t>> out;
        for (const auto& [key, ids] : *obj) {
            std::int64_t id = 0;
            auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), id);
            if (ec != std::errc() || end != key.data() + key.size()) fail(path + "." + std::string(key), "the key must be an id");
            const auto* array = ids.if_array();
            if (!array) fail(path + "." + std::string(key), "expected an array of ids");
            auto& list = out[id];
            for (std::size_t i = 0; i < array->size(); ++i)
                list.push_back(integer((*array)[i], path + "." + std::string(key) + "[" + std::to_string(i) + "]"));
        }
        return out;
    }

    void history(const boost::json::value& v) {
        const auto* array = v.if_array();
        if (!array) fail("facts.history", "expected an array of messages");
        Type message = *schema_.named_type("message");
        for (std::size_t i = 0; i < array->size(); ++i)
            c_.case_facts_->history_.push_back(record(message, &(*array)[i], "facts.history[" + std::to_string(i) + "]"));
    }

    const vm::Image& image_;
    const stdlib::Schema& schema_;
    Case& c_;
};

vm::Value contact_fields(const vm::Image& image, Case& c, std::span<const std::pair<std::string, std::string>> stored) {
    return CaseReader(image, c).stored_contact_fields(stored);
}

Case Case::from_json(const vm::Image& image, const boost::json::value& json) {
    Case c;
    CaseReader(image, c).read(json);
    return c;
}

Case::Case(const vm::Image& image) {
    CaseReader(image, *this).read(boost::json::object());
    // The defaults were built in the arena; they move to one of their own, which clear() keeps.
    defaults_arena_ = std::move(arena_);
    arena_ = std::make_unique<vm::Arena>(4096);
    defaults_ = facts_;
}

void Case::clear() {
    ++generation_;
    arena_->reset();
    std::copy(defaults_.begin(), defaults_.end(), facts_.begin());
    std::fill(given_.begin(), given_.end(), false);
}

void Case::set(Fact f, const vm::Value& v) {
    auto i = static_cast<std::size_t>(f);
    facts_[i] = v;
    given_[i] = true;
}

namespace {
bool listed(const std::map<std::int64_t, std::vector<std::int64_t>>& lists, std::int64_t key, std::int64_t id) {
    auto it = lists.find(key);
    return it != lists.end() && std::find(it->second.begin(), it->second.end(), id) != it->second.end();
}
}  // namespace

bool CaseFacts::member_of(const vm::Value& person, const vm::Value& chat) const {
    return listed(members_, chat[chat_id_].i, person[person_id_].i);
}

bool CaseFacts::has_role(const vm::Value& person, const vm::Value& task) const {
    return listed(roles_, task[task_id_].i, person[person_id_].i);
}

vm::Value CaseFacts::last_message_with(const vm::Value& person) const {
    std::int64_t id = person[person_id_].i;
    for (auto it = history_.rbegin(); it != history_.rend(); ++it) {
        const vm::Value& m = *it;
        if (m[sender_][person_id_].i == id) return m;
        for (const auto& p : m[participants_])
            if (p[person_id_].i == id) return m;
    }
    return vm::Value::none();
}

}  // namespace switchyard::engine
