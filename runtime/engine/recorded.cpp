#include "runtime/engine/recorded.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace switchyard::engine {

namespace json = boost::json;
using vm::Value;

namespace {

// Persons, chats and tasks all have their id first (records::RecordWriter::read_id).
std::int64_t id_of(const Value& record) { return record[0].i; }

constexpr std::string_view query_names[] = {"member_of", "has_role", "last_message_with"};

std::string_view name_of(Asked::Query q) { return query_names[static_cast<std::size_t>(q)]; }

// Whether a case reader gives this value to a field left out (CaseReader::default_of): none,
// false, 0 (numbers, times, an enum's first member), "" and []. Records are left out when all
// their fields are.
bool at_default(const Value& v, stdlib::Type t) {
    if (t.is_optional()) return v.is_none();
    if (t.is_wrapped()) return v.len == 0;
    switch (t.base) {
        case stdlib::TypeKind::record: return false;
        case stdlib::TypeKind::string: return v.len == 0;
        default: return v.i == 0;
    }
}

// A value in the case format, its records without their fields at their defaults; a record the
// rules declare (`contact.fields`) whole, by the ruleset's own fields, whose defaults are theirs.
json::value compact_json(const Value& v, stdlib::Type t, const vm::Image& image, const json::storage_ptr& sp) {
    const auto& schema = image.schema();
    stdlib::Type plain = t.without_optional();
    if (v.is_none()) return json::value(nullptr, sp);
    if (plain.is_wrapped()) {
        json::array a(sp);
        a.reserve(v.len);
        for (const auto& item : v) a.push_back(compact_json(item, plain.inner(), image, sp));
        return a;
    }
    if (plain.base != stdlib::TypeKind::record) return value_to_json(v, plain, schema, sp);
    const auto& record = schema.record_of(plain);
    if (record.declared_by_rules) return json::value_from(fact_field_json(v, plain, image), sp);
    json::object o(sp);
    for (std::size_t i = 0; i < record.fields.size() && i < v.len; ++i) {
        const auto& field = record.fields[i];
        if (at_default(v[i], field.type)) continue;
        auto j = compact_json(v[i], field.type, image, sp);
        if (j.is_object() && j.get_object().empty() && !schema.record_of(field.type.without_optional()).declared_by_rules) continue;
        o[field.name] = std::move(j);
    }
    return o;
}

// The answers of the queries asked, as the case format's `facts`: the members and roles that were
// answered "yes", and the messages last_message_with returned, oldest first (the order in which
// a case's history answers as the store did).
json::object answers_json(const Engine& engine, std::span<const Asked> asked, const json::storage_ptr& sp) {
    const auto& schema = engine.image().schema();
    std::map<std::int64_t, std::set<std::int64_t>> members, roles;
    std::vector<const Value*> messages;
    for (const auto& a : asked) {
        if (a.query == Asked::Query::member_of && a.answer) members[a.about].insert(a.person);
        if (a.query == Asked::Query::has_role && a.answer) roles[a.about].insert(a.person);
        if (a.query == Asked::Query::last_message_with && !a.message.is_none()) messages.push_back(&a.message);
    }
    auto sent_at = field_slot(schema, "message", "sent_at");
    std::stable_sort(messages.begin(), messages.end(),
                     [&](const Value* x, const Value* y) { return (*x)[sent_at].i < (*y)[sent_at].i; });
    json::object facts(sp);
    auto lists = [&](const std::map<std::int64_t, std::set<std::int64_t>>& by_id) {
        json::object o(sp);
        for (const auto& [id, people] : by_id) o[std::to_string(id)] = json::value_from(people, sp);
        return o;
    };
    if (!members.empty()) facts["members"] = lists(members);
    if (!roles.empty()) facts["roles"] = lists(roles);
    if (!messages.empty()) {
        stdlib::Type message = fact_type(schema, "message");
        json::array history(sp);
        json::value last;
        for (const auto* m : messages) {
            auto j = compact_json(*m, message, engine.image(), sp);
            if (j != last) history.push_back(j);  // one message may answer for several people
            last = std::move(j);
        }
        facts["history"] = std::move(history);
    }
    return facts;
}

json::object questions_json(std::span<const Asked> asked, const json::storage_ptr& sp) {
    json::object o(sp);
    for (const auto& a : asked) {
        auto& list = o[name_of(a.query)];
        if (!list.is_array()) list = json::array(sp);
        if (a.query == Asked::Query::last_message_with) list.get_array().push_back(a.person);
        else list.get_array().push_back(json::array({a.person, a.about}, sp));
    }
    return o;
}

}  // namespace

// ---- recording ----

bool Written::same(const Case& c, std::size_t fact) const {
    if (c.generation() != generation_ || !(written_ & (1u << fact))) return false;
    const Value& now = c.fact(fact);
    const Value& then = values_[fact];
    return now.tag == then.tag && now.len == then.len && now.ctor == then.ctor && now.i == then.i;
}

void Written::wrote(const Case& c, std::size_t fact) {
    if (c.generation() != generation_) {
        generation_ = c.generation();
        written_ = 0;
    }
    values_[fact] = c.fact(fact);
    written_ |= 1u << fact;
}

bool RecordingQueries::member_of(const Value& person, const Value& chat) const {
    bool answer = inner_->member_of(person, chat);
    asked_.push_back({Asked::Query::member_of, id_of(person), id_of(chat), answer, Value::none()});
    return answer;
}

bool RecordingQueries::has_role(const Value& person, const Value& task) const {
    bool answer = inner_->has_role(person, task);
    asked_.push_back({Asked::Query::has_role, id_of(person), id_of(task), answer, Value::none()});
    return answer;
}

Value RecordingQueries::last_message_with(const Value& person) const {
    Value answer = inner_->last_message_with(person);
    asked_.push_back({Asked::Query::last_message_with, id_of(person), 0, false, answer});
    return answer;
}

json::object record_case(const Engine& engine, const Case& c, KindSet kinds, std::span<const Asked> asked,
                         std::span<const CostlyField> costly, std::size_t decisions, Written& written,
                         const json::storage_ptr& sp) {
    const auto& schema = engine.image().schema();
    const auto& names = fact_names(schema);
    FactSet read = engine.facts_needed(c, kinds);
    json::object out(sp);
    json::array kind_names(sp);
    for (std::size_t k = 0; k < kind_count; ++k)
        if (kinds & (KindSet(1) << k)) kind_names.emplace_back(schema.kinds()[k].name);
    out["kinds"] = std::move(kind_names);
    out["decisions"] = decisions;
    json::array read_names(sp), left_out(sp), same(sp);
    json::object facts(sp);
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (!(read & (FactSet(1) << i))) continue;
        read_names.emplace_back(names[i]);
        if (!c.given(i)) continue;
        if (written.same(c, i)) {
            same.emplace_back(names[i]);
            continue;
        }
        facts[names[i]] = compact_json(c.fact(i), fact_type(schema, names[i]), engine.image(), sp);
        written.wrote(c, i);
    }
    for (const auto& f : costly) {
        if (!(read & bit(f.fact))) continue;
        auto slot = field_slot(schema, names[static_cast<std::size_t>(f.fact)], f.field);
        if (!(engine.fields_read(c, kinds, f.fact) & (FieldSet(1) << slot)))
            left_out.emplace_back(names[static_cast<std::size_t>(f.fact)] + "." + std::string(f.field));
    }
    out["read"] = std::move(read_names);
    if (!same.empty()) out["same"] = std::move(same);
    if (!left_out.empty()) out["left_out"] = std::move(left_out);
    if (!asked.empty()) {
        out["asked"] = questions_json(asked, sp);
        auto answers = answers_json(engine, asked, sp);
        if (!answers.empty()) facts["facts"] = std::move(answers);
    }
    out["case"] = std::move(facts);
    return out;
}

// ---- reading back ----

namespace {

[[noreturn]] void bad(const std::string& path, const std::string& why) { throw CaseError(path + ": " + why); }

const json::array& array_at(const json::object& o, std::string_view key, bool required) {
    static const json::array none;
    const auto* v = o.if_contains(key);
    if (!v) {
        if (required) bad(std::string(key), "missing");
        return none;
    }
    if (!v->is_array()) bad(std::string(key), "expected an array");
    return v->get_array();
}

std::string_view string_at(const json::value& v, const std::string& path) {
    if (!v.is_string()) bad(path, "expected a string");
    return v.get_string();
}

std::int64_t int_at(const json::value& v, const std::string& path) {
    if (!v.is_int64()) bad(path, "expected an integer");
    return v.get_int64();
}

std::vector<Recorded::Question> read_questions(const json::value* v) {
    std::vector<Recorded::Question> out;
    if (!v) return out;
    if (!v->is_object()) bad("asked", "expected an object of questions by query");
    for (const auto& [key, list] : v->get_object()) {
        auto q = std::find(std::begin(query_names), std::end(query_names), key);
        if (q == std::end(query_names)) bad("asked." + std::string(key), "no such fact query");
        auto query = static_cast<Asked::Query>(q - std::begin(query_names));
        std::string path = "asked." + std::string(key);
        if (!list.is_array()) bad(path, "expected an array");
        for (const auto& item : list.get_array()) {
            if (query == Asked::Query::last_message_with) {
                out.push_back({query, int_at(item, path), 0});
                continue;
            }
            const auto* pair = item.if_array();
            if (!pair || pair->size() != 2) bad(path, "expected [person, id] pairs");
            out.push_back({query, int_at((*pair)[0], path), int_at((*pair)[1], path)});
        }
    }
    return out;
}

// The ask's case with its `same` facts copied in from the latest earlier ask that wrote them.
json::value whole_case(const json::object& ask, std::span<const json::value> earlier) {
    const auto* kase = ask.if_contains("case");
    if (!kase || !kase->is_object()) bad("case", "missing");
    const auto& same = array_at(ask, "same", false);
    if (same.empty()) return *kase;
    json::object whole = kase->get_object();
    for (const auto& name : same) {
        auto key = string_at(name, "same");
        const json::value* found = nullptr;
        for (auto it = earlier.rbegin(); it != earlier.rend() && !found; ++it)
            if (const auto* c = it->is_object() ? it->get_object().if_contains("case") : nullptr; c && c->is_object())
                found = c->get_object().if_contains(key);
        if (!found) bad("same", "no earlier ask of the event gave `" + std::string(key) + "`");
        whole[key] = *found;
    }
    return whole;
}

}  // namespace

Recorded read_recorded(const vm::Image& image, const json::value& recorded, std::span<const json::value> earlier) {
    const auto& schema = image.schema();
    const auto* o = recorded.if_object();
    if (!o) bad("recorded case", "expected an object");
    Recorded r{.kinds = 0, .decisions = 0, .read = 0, .left_out = {}, .asked = {},
               .kase = Case::from_json(image, whole_case(*o, earlier))};
    for (const auto& k : array_at(*o, "kinds", true)) {
        auto name = string_at(k, "kinds");
        const auto& kinds = schema.kinds();
        auto it = std::find_if(kinds.begin(), kinds.end(), [&](const auto& decl) { return decl.name == name; });
        if (it == kinds.end()) bad("kinds", "no policy kind `" + std::string(name) + "`");
        r.kinds |= KindSet(1) << (it - kinds.begin());
    }
    if (const auto* n = o->if_contains("decisions")) r.decisions = static_cast<std::size_t>(int_at(*n, "decisions"));
    for (const auto& f : array_at(*o, "read", true)) {
        auto name = string_at(f, "read");
        auto i = fact_index(schema, name);
        if (i == fact_names(schema).size()) bad("read", "no fact `" + std::string(name) + "`");
        r.read |= FactSet(1) << i;
    }
    for (const auto& f : array_at(*o, "left_out", false)) r.left_out.emplace_back(string_at(f, "left_out"));
    r.asked = read_questions(o->if_contains("asked"));
    return r;
}

std::vector<std::string> missing_reads(const Engine& engine, const Recorded& r) {
    const auto& schema = engine.image().schema();
    const auto& names = fact_names(schema);
    std::vector<std::string> missing;
    FactSet need = engine.facts_needed(r.kase, r.kinds);
    for (std::size_t i = 0; i < names.size(); ++i)
        if ((need & (FactSet(1) << i)) && !(r.read & (FactSet(1) << i))) missing.push_back(names[i]);
    for (const auto& path : r.left_out) {
        auto dot = path.find('.');
        if (dot == std::string::npos) continue;
        auto fact = fact_index(schema, std::string_view(path).substr(0, dot));
        if (fact == names.size()) continue;
        const auto& record = schema.record_of(fact_type(schema, names[fact]).without_optional());
        auto slot = record.find(std::string_view(path).substr(dot + 1));
        if (!slot) continue;
        if (engine.fields_read(r.kase, r.kinds, static_cast<Fact>(fact)) & (FieldSet(1) << *slot)) missing.push_back(path);
    }
    return missing;
}

// ---- replaying ----

bool ReplayQueries::recorded(Recorded::Question q) const {
    if (std::find(recorded_.asked.begin(), recorded_.asked.end(), q) != recorded_.asked.end()) return true;
    std::string text = std::string(name_of(q.query)) + "(person " + std::to_string(q.person);
    if (q.query == Asked::Query::member_of) text += ", chat " + std::to_string(q.about);
    if (q.query == Asked::Query::has_role) text += ", task " + std::to_string(q.about);
    text += ")";
    if (std::find(unrecorded_.begin(), unrecorded_.end(), text) == unrecorded_.end()) unrecorded_.push_back(std::move(text));
    return false;
}

bool ReplayQueries::member_of(const Value& person, const Value& chat) const {
    return recorded({Asked::Query::member_of, id_of(person), id_of(chat)}) && inner_->member_of(person, chat);
}

bool ReplayQueries::has_role(const Value& person, const Value& task) const {
    return recorded({Asked::Query::has_role, id_of(person), id_of(task)}) && inner_->has_role(person, task);
}

Value ReplayQueries::last_message_with(const Value& person) const {
    if (!recorded({Asked::Query::last_message_with, id_of(person), 0})) return Value::none();
    return inner_->last_message_with(person);
}

}  // namespace switchyard::engine
