#include "tests/reference/generator.hpp"

#include "dsl/parser.hpp"
#include "stdlib/schema.hpp"

#include <algorithm>
#include <bit>
#include <climits>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace switchyard::reference {

namespace json = boost::json;
using stdlib::Type;
using stdlib::TypeKind;
using stdlib::Wrap;

namespace {

const stdlib::Schema& schema() { return stdlib::builtin_schema(); }

Type named(std::string_view name) { return *schema().named_type(name); }
Type list_of(Type t) { return *t.wrapped(Wrap::list); }
Type set_of(Type t) { return *t.wrapped(Wrap::set); }

// Our own draws from the engine, so that a seed gives the same file on every standard library.
class Random {
public:
    explicit Random(std::uint64_t seed) : engine_(seed) {}
    std::size_t below(std::size_t n) { return static_cast<std::size_t>(engine_() % n); }
    bool chance(unsigned percent) { return below(100) < percent; }
    template <typename C>
    const auto& pick(const C& items) { return items[below(std::size(items))]; }

private:
    std::mt19937_64 engine_;
};

// ---------------------------------------------------------------------------------------------
// Value pools. Rules and cases draw from the same few values so that comparisons are true
// about as often as false; the extremes exercise wrap-around.

const std::vector<std::string> texts = {"", "a", "A", "ab", "pdf", "PDF", "start", "new",
                                        "Привет", "привет", "ЁЖ", "ёж", "Ґ", "À", "a b", "👍", "Счёт-фактура, invoice #7"};
const std::vector<std::string> extensions = {"pdf", "zip", "jpg", "mp4", "", "PDF"};
const std::vector<std::string> commands = {"start", "new", "tasks", "", "Start"};
const std::vector<std::string> emojis = {"👍", "❤", "🔥", "", "a"};
const std::vector<std::int64_t> small_ints = {0, 1, 2, 3, -1};
const std::vector<std::int64_t> extreme_ints = {INT64_MAX, INT64_MIN, INT64_MAX - 1, INT64_MIN + 1, 1000};

const std::vector<std::string> size_literals = {"0 B",   "1 B",  "1000 B", "1 KB",  "1 KiB", "4999999 B", "5 MB",
                                                "5MB",   "5 MiB", "50 MB", "1 GB",  "2 GiB", "9223372036854775807 B"};
const std::vector<std::string> duration_literals = {"0 ms", "1 ms", "1500 ms", "1 s", "90 s", "1 min",
                                                    "60 min", "1 h", "24 h", "1 d", "7 d", "9223372036854775807 ms"};

struct Amount {
    std::int64_t value;
    const char* text;  // the same amount with a unit, or null when it has no exact one
};
const std::vector<Amount> sizes = {{0, "0 B"},         {1, nullptr},          {999, nullptr},
                                   {1000, "1 KB"},     {1024, "1 KiB"},       {4999999, nullptr},
                                   {5000000, "5 MB"},  {5000000, "5MB"},      {5000001, nullptr},
                                   {5242880, "5 MiB"}, {50000000, "50 MB"},   {1000000000, "1 GB"},
                                   {INT64_MAX, nullptr}, {INT64_MIN, nullptr}, {-1, nullptr}};
const std::vector<Amount> durations = {{0, "0 ms"},          {1, nullptr},        {1000, "1 s"},
                                       {1500, "1500 ms"},    {59999, nullptr},    {60000, "1 min"},
                                       {90000, "90 s"},      {3600000, "60min"},  {86400000, "24 h"},
                                       {86400000, "1 d"},    {86400001, nullptr}, {INT64_MAX, nullptr},
                                       {INT64_MIN, nullptr}, {-1, nullptr}};
// Times stay between 1900 and 2100: str() of a time far from now has no agreed form.
const std::vector<Amount> times = {{1795255200000, "2026-11-21T10:00:00Z"},     {1795255205000, "2026-11-21T10:00:05Z"},
                                   {1795168800000, "2026-11-20T10:00:00Z"},     {1795168799999, "2026-11-20T09:59:59.999Z"},
                                   {1709251199500, "2024-02-29T23:59:59.500Z"}, {0, "1970-01-01T00:00:00Z"},
                                   {-1000, "1969-12-31T23:59:59Z"},             {951868800001, "2000-03-01T00:00:00.001Z"},
                                   {1795341600250, "2026-11-22T10:00:00.250Z"}, {-2208988800000, "1900-01-01T00:00:00Z"}};

// Dates and times of day that the fact times above fall on, in some zone, and their edges.
const std::vector<std::string> date_literals = {"2026-11-21", "2026-11-20", "2024-02-29", "1970-01-01",
                                                "1969-12-31", "2000-03-01", "1900-01-01", "2027-01-01"};
const std::vector<std::string> time_of_day_literals = {"00:00", "09:00", "10:00", "13:00", "18:00",
                                                       "23:59:59.999", "24:00", "12:30:15.250", "03:00"};
// Zones with summer time in either hemisphere, half-hour offsets, and none at all.
const std::vector<std::string> zone_names = {"Europe/Moscow", "Europe/Berlin",    "America/New_York", "Asia/Kolkata",
                                             "UTC",           "Australia/Lord_Howe", "America/Sao_Paulo", "Europe/Kyiv"};

// `-5` is the negation of the literal 5; the smallest integer has no literal of its own.
std::string int_literal(std::int64_t n, bool constant = false) {
    if (n >= 0) return std::to_string(n);
    if (n == INT64_MIN) return constant ? "-9223372036854775807" : "(-9223372036854775807 - 1)";
    return constant ? std::to_string(n) : "(" + std::to_string(n) + ")";
}

// Names that are facts of some policy kind: an enum member of the same name is written qualified.
bool is_fact_name(std::string_view name) {
    for (const auto& k : schema().kinds())
        if (k.find_binding(name)) return true;
    return false;
}

// ---------------------------------------------------------------------------------------------
// Expressions

struct Named {
    std::string text;
    Type type;
};

// A function written in rules (`fn`), as calls see it.
struct FunctionInfo {
    std::string name;
    std::vector<Named> params;
    Type result;
};

// What the checker must infer for a generated expression: `any` allows `[]`, `{}` and `none`,
// whose type (nothing, none) fits the target only where it is expected; `concrete` demands the
// target type itself (for lets, `where` inputs); `optional` demands an optional type, as the
// left side of `??` needs to avoid W0004.
enum class Mode { any, concrete, optional };

using Production = std::function<std::optional<std::string>()>;

class ExprGen {
public:
    explicit ExprGen(Random& rng) : rng_(rng) {}

    const stdlib::PolicyKindDecl* kind = nullptr;  // null outside policies
    std::vector<Named> names;                      // settings and the lets visible here
    std::vector<Type> its;                         // the `it` of enclosing `where`s, innermost last
    std::vector<FunctionInfo> functions;           // the `fn`s that may be called here
    std::vector<Named> contact_fields;             // the `contact_field`s, read as `contact.fields.NAME`

    std::optional<std::string> gen(Type t, int depth, Mode mode = Mode::any) {
        if (t.is_optional()) return optional(t, depth, mode);
        if (t.is(Wrap::list) || t.is(Wrap::set)) return collection(t, depth, mode);
        bool leaf = depth <= 1 || rng_.chance(30);
        if (!leaf)
            if (auto e = composite(t, depth)) return e;
        if (auto e = leaf_of(t)) return e;
        return depth > 1 ? composite(t, depth) : std::nullopt;
    }

    // A type from `menu` that can be made here, with an expression of it.
    std::optional<Named> gen_some(const std::vector<Type>& menu, int depth, Mode mode = Mode::any) {
        for (int attempt = 0; attempt < 8; ++attempt) {
            Type t = rng_.pick(menu);
            if (auto e = gen(t, depth, mode)) return Named{*e, t};
        }
        return std::nullopt;
    }

    std::string literal_of_enum(Type t) {
        const auto& en = schema().enum_of(t);
        const std::string& m = rng_.pick(en.members);
        if (!is_fact_name(m) && rng_.chance(50)) return m;
        return en.name + "." + m;
    }

private:
    // ---- helpers

    std::optional<std::string> first_that_works(std::vector<Production> productions) {
        while (!productions.empty()) {
            std::size_t i = rng_.below(productions.size());
            if (auto e = productions[i]()) return e;
            productions.erase(productions.begin() + static_cast<std::ptrdiff_t>(i));
        }
        return std::nullopt;
    }

    // The paths from `text` to its fields, two hops deep; a `contact_fields` record's fields
    // are the rules' own, not the schema's.
    void walk(const std::string& text, Type type, int hops, std::vector<Named>& out) const {
        out.push_back({text, type});
        Type base = type.without_optional();
        if (base.is_wrapped() || base.base != TypeKind::record) return;
        const auto& rec = schema().record_of(base);
        if (rec.declared_by_rules) {
            for (const auto& f : contact_fields)
                out.push_back({text + "." + f.text, type.is_optional() ? f.type.optional() : f.type});
            return;
        }
        if (hops == 2) return;
        for (const auto& f : rec.fields)
            walk(text + "." + f.name, type.is_optional() ? f.type.optional() : f.type, hops + 1, out);
    }

    // Paths of type `t` from the facts and `it`, or from the declared settings and lets.
    std::vector<std::string> atoms(Type t, bool declared) const {
        std::vector<Named> all;
        if (declared) {
            // Inside str() a time comes from a fact only: lets may hold times far from the epoch.
            if (!(plain_times_ && t.without_optional() == stdlib::types::time))
                for (const auto& n : names) walk(n.text, n.type, 0, all);
        } else {
            if (kind)
                for (const auto& b : kind->bindings) walk(b.name, b.type, 0, all);
            if (!its.empty()) walk("it", its.back(), 0, all);
        }
        std::vector<std::string> out;
        for (const auto& a : all)
            if (a.type == t) out.push_back(a.text);
        return out;
    }

    // Settings and lets are few beside the facts' fields: they get a fair share of the reads.
    std::optional<std::string> atom(Type t) {
        auto facts = atoms(t, false);
        auto declared = atoms(t, true);
        // Inside `where`, the condition is mostly about the item.
        std::vector<std::string> item;
        for (const auto& a : facts)
            if (a == "it" || a.starts_with("it.")) item.push_back(a);
        if (!item.empty() && rng_.chance(60)) return rng_.pick(item);
        if (!declared.empty() && (facts.empty() || rng_.chance(35))) return rng_.pick(declared);
        if (!facts.empty()) return rng_.pick(facts);
        return std::nullopt;
    }

    static std::optional<std::string> wrap(std::optional<std::string> inner, std::string_view before, std::string_view after) {
        if (!inner) return std::nullopt;
        return std::string(before) + *inner + std::string(after);
    }

    std::optional<std::string> binary(Type l, std::string_view op, Type r, int depth, Mode lmode = Mode::any,
                                      Mode rmode = Mode::any) {
        auto a = gen(l, depth - 1, lmode);
        if (!a) return std::nullopt;
        auto b = gen(r, depth - 1, rmode);
        if (!b) return std::nullopt;
        return "(" + *a + " " + std::string(op) + " " + *b + ")";
    }

    std::optional<std::string> call(std::string_view fn, const std::vector<Type>& params, int depth) {
        std::string text = std::string(fn) + "(";
        for (std::size_t i = 0; i < params.size(); ++i) {
            auto a = gen(params[i], depth - 1);
            if (!a) return std::nullopt;
            text += (i ? ", " : "") + *a;
        }
        return text + ")";
    }

    // A call of a rule function; now and then by name, in another order.
    std::optional<std::string> call_function(const FunctionInfo& fn, int depth) {
        std::vector<std::string> args;
        for (const auto& p : fn.params) {
            auto a = gen(p.type, depth - 1);
            if (!a) return std::nullopt;
            args.push_back(*a);
        }
        std::string text = fn.name + "(";
        bool named = rng_.chance(30);
        for (std::size_t i = 0; i < args.size(); ++i) {
            std::size_t k = named ? args.size() - 1 - i : i;
            text += (i ? ", " : "") + (named ? fn.params[k].text + ": " : std::string()) + args[k];
        }
        return text + ")";
    }

    // `if c then a else b`; when the result must be concrete, one branch is.
    std::optional<std::string> if_else(Type t, int depth, Mode mode) {
        auto c = gen(stdlib::types::boolean, depth - 1);
        bool first_concrete = rng_.chance(50);
        Mode a_mode = mode == Mode::any ? Mode::any : first_concrete ? mode : Mode::any;
        Mode b_mode = mode == Mode::any ? Mode::any : first_concrete ? Mode::any : mode;
        auto a = gen(t, depth - 1, a_mode);
        auto b = gen(t, depth - 1, b_mode);
        if (!c || !a || !b) return std::nullopt;
        return "(if " + *c + " then " + *a + " else " + *b + ")";
    }

    // `x ?? d` with x optional: the plain type, or optional when the default is.
    std::optional<std::string> coalesce(Type t, int depth, Mode mode) {
        auto x = gen(t.optional(), depth - 1, Mode::optional);
        auto d = gen(t, depth - 1, mode);
        if (!x || !d) return std::nullopt;
        return "(" + *x + " ?? " + *d + ")";
    }

    // `r.f` where `r` is any record expression with a field of type `t`.
    std::optional<std::string> field_of_record(Type t, int depth, bool through_optional) {
        std::vector<std::pair<Type, std::string>> owners;
        for (std::size_t r = 0; r < schema().records().size(); ++r) {
            Type rt = Type::of(TypeKind::record, static_cast<std::uint16_t>(r));
            for (const auto& f : schema().records()[r].fields) {
                Type ft = through_optional ? f.type.optional() : f.type;
                if (ft == t) owners.emplace_back(through_optional ? rt.optional() : rt, f.name);
            }
        }
        if (owners.empty()) return std::nullopt;
        auto [owner, field] = rng_.pick(owners);
        auto object = gen(owner, depth - 1, through_optional ? Mode::optional : Mode::any);
        if (!object) return std::nullopt;
        return *object + "." + field;
    }

    // ---- leaves

    std::optional<std::string> leaf_of(Type t) {
        // `true` and `false` make dull conditions: a bool is mostly read from the event.
        bool prefer_atom = rng_.chance(t == stdlib::types::boolean ? 85 : 55);
        if (prefer_atom)
            if (auto a = atom(t)) return a;
        if (auto l = literal(t)) return l;
        return atom(t);
    }

    std::optional<std::string> literal(Type t) {
        switch (t.base) {
            case TypeKind::boolean: return rng_.chance(50) ? "true" : "false";
            case TypeKind::integer: return int_literal(rng_.chance(80) ? rng_.pick(small_ints) : rng_.pick(extreme_ints));
            case TypeKind::string: return dsl::quote(rng_.pick(texts));
            case TypeKind::size: return rng_.pick(size_literals);
            case TypeKind::duration: return rng_.pick(duration_literals);
            case TypeKind::date: return rng_.pick(date_literals);
            case TypeKind::time_of_day: return rng_.pick(time_of_day_literals);
            case TypeKind::enumeration: return literal_of_enum(t);
            case TypeKind::record:
                if (t == named("quick_reply")) return call("quick_reply", {stdlib::types::string, stdlib::types::string}, 1);
                return std::nullopt;
            case TypeKind::variant: return constructor(t, 1);
            default: return std::nullopt;
        }
    }

    // ---- composite forms, by type

    std::optional<std::string> composite(Type t, int depth) {
        // `if` and `??` fit every type: offered now and then only, or they would crowd out the rest.
        std::vector<Production> ps = {[&] { return field_of_record(t, depth, false); }};
        auto add = [&](Production p) { ps.push_back(std::move(p)); };
        if (rng_.chance(35)) add([&] { return if_else(t, depth, Mode::any); });
        if (rng_.chance(35)) add([&] { return coalesce(t, depth, Mode::any); });
        for (const auto& fn : functions)
            if (fn.result == t) add([this, &fn, depth] { return call_function(fn, depth); });
        switch (t.base) {
            case TypeKind::boolean: add_bool(ps, depth); break;
            case TypeKind::integer:
                add([&] { return call("count", {some_collection()}, depth); });
                add([&] { return call("length", {stdlib::types::string}, depth); });
                add_arithmetic(ps, t, depth);
                break;
            case TypeKind::string:
                add([&] { return call("lower", {stdlib::types::string}, depth); });
                add([&] { return str_call(depth); });
                add([&] { return binary(t, "+", t, depth); });
                break;
            case TypeKind::size: add_arithmetic(ps, t, depth); break;
            case TypeKind::duration:
                add_arithmetic(ps, t, depth);
                add([&] { return binary(stdlib::types::time, "-", stdlib::types::time, depth); });
                break;
            case TypeKind::time:
                if (plain_times_) break;
                add([&] { return binary(t, "+", stdlib::types::duration, depth); });
                add([&] { return binary(t, "-", stdlib::types::duration, depth); });
                break;
            case TypeKind::date: add([&] { return zone_call("date_in", depth); }); break;
            case TypeKind::time_of_day: add([&] { return zone_call("time_of_day_in", depth); }); break;
            case TypeKind::enumeration:
                if (t == named("weekday")) add([&] { return zone_call("weekday_in", depth); });
                break;
            case TypeKind::record:
                if (t == named("quick_reply")) add([&] { return call("quick_reply", {stdlib::types::string, stdlib::types::string}, depth); });
                break;
            case TypeKind::variant: add([&] { return constructor(t, depth); }); break;
            default: break;
        }
        return first_that_works(std::move(ps));
    }

    void add_arithmetic(std::vector<Production>& ps, Type t, int depth) {
        ps.push_back([this, t, depth] { return binary(t, "+", t, depth); });
        ps.push_back([this, t, depth] { return binary(t, "-", t, depth); });
        ps.push_back([this, t, depth] { return wrap(gen(t, depth - 1), "(-", ")"); });
    }

    void add_bool(std::vector<Production>& ps, int depth) {
        const Type b = stdlib::types::boolean, s = stdlib::types::string;
        ps.push_back([this, b, depth] { return wrap(gen(b, depth - 1), "(not ", ")"); });
        ps.push_back([this, b, depth] { return binary(b, rng_.chance(50) ? "and" : "or", b, depth); });
        ps.push_back([this, depth] { return equality(depth); });
        ps.push_back([this, depth] { return ordering(depth); });
        ps.push_back([this, depth] { return membership(depth); });
        ps.push_back([this, depth] { return call(rng_.chance(50) ? "empty" : "any", {some_collection()}, depth); });
        ps.push_back([this, s, depth] {
            static const char* fns[] = {"contains", "starts_with", "ends_with"};
            return call(rng_.pick(fns), {s, s}, depth);
        });
        ps.push_back([this, depth] { return text_match(depth); });
        ps.push_back([this, depth] { return call("member_of", {named("person"), named("chat")}, depth); });
        ps.push_back([this, depth] { return open_at(depth); });
        ps.push_back([this, depth] { return call("has_role", {named("person"), named("task")}, depth); });
    }

    // `has_word`, `has_phrase` or `matches`: words and patterns from pools that meet the texts
    // of the cases (`matches` takes a literal pattern only).
    std::optional<std::string> text_match(int depth) {
        static const std::vector<std::string> words = {"a", "A b", "ПРИВЕТ", "ёж", "pdf", "", "b, a", "new start"};
        static const std::vector<std::string> patterns = {"*",      "",      "a*",      "*b",    "?",      "[a-z]*",
                                                          "[!a]*", "[а-яё]*", "*[A-Z]?", "П*т", "*[]]*", "?*?"};
        auto text = gen(stdlib::types::string, depth - 1);
        if (!text) return std::nullopt;
        if (rng_.chance(35)) return "matches(" + *text + ", " + dsl::quote(rng_.pick(patterns)) + ")";
        auto word = rng_.chance(60) ? std::optional(dsl::quote(rng_.pick(words))) : gen(stdlib::types::string, depth - 1);
        if (!word) return std::nullopt;
        return std::string(rng_.chance(50) ? "has_word(" : "has_phrase(") + *text + ", " + *word + ")";
    }

    std::optional<std::string> equality(int depth) {
        static const std::vector<Type> menu = comparable_types();
        Type t = rng_.pick(menu);
        const std::string op = rng_.chance(50) ? "==" : "!=";
        if (t.is_optional() && rng_.chance(30)) {
            auto a = gen(t, depth - 1);
            if (!a) return std::nullopt;
            return rng_.chance(50) ? "(" + *a + " " + op + " none)" : "(none " + op + " " + *a + ")";
        }
        return binary(t, op, t, depth);
    }

    std::optional<std::string> ordering(int depth) {
        static const std::vector<Type> menu = {stdlib::types::integer,  stdlib::types::string, stdlib::types::size,
                                               stdlib::types::duration, stdlib::types::time,   stdlib::types::date,
                                               stdlib::types::time_of_day};
        static const char* ops[] = {"<", "<=", ">", ">="};
        Type t = rng_.pick(menu);
        return binary(t, rng_.pick(ops), t, depth);
    }

    std::optional<std::string> membership(int depth) {
        static const std::vector<Type> menu = {stdlib::types::integer, stdlib::types::string, stdlib::types::size,
                                               stdlib::types::boolean, named("chat_kind"), named("file_kind"),
                                               named("person"), named("file"), named("quick_reply")};
        Type t = rng_.pick(menu);
        Type l = rng_.chance(25) ? t.optional() : t;
        Type c = rng_.chance(50) ? list_of(t) : set_of(t);
        return binary(l, rng_.chance(70) ? "in" : "not in", c, depth);
    }

    Type some_collection() {
        static const std::vector<Type> menu = {
            list_of(named("person")), list_of(named("file")),   list_of(stdlib::types::integer),
            list_of(stdlib::types::string), set_of(stdlib::types::string), set_of(stdlib::types::integer),
            list_of(named("notice")), list_of(named("quick_reply")), set_of(named("chat_kind")),
            list_of(stdlib::types::size)};
        return rng_.pick(menu);
    }

    static std::vector<Type> comparable_types() {
        using namespace stdlib::types;
        return {boolean, integer, integer, string, string, size, duration, time, date, time_of_day, named("weekday"),
                named("chat_kind"),
                named("direction"), named("started_by"), named("notice_reason"), integer.optional(),
                string.optional(), time.optional(), named("chat_kind").optional(), named("person"),
                named("chat"), named("file"), named("post").optional(), named("message").optional(),
                named("notice"), named("quick_reply"), named("route"), named("file_action"),
                named("delivery"), named("command_action")};
    }

    // Every kind of value str() writes, results and records included; no collections.
    std::optional<std::string> str_call(int depth) {
        using namespace stdlib::types;
        static const std::vector<Type> menu = {
            boolean, integer, string, size, size, duration, duration, time, date, time_of_day, named("weekday"),
            named("chat_kind"), named("plan"),
            named("person"), named("chat"), named("file"), named("message"), named("notice"), named("quick_reply"),
            named("contact"), named("contact_fields"), integer.optional(), string.optional(), time.optional(), named("post").optional(),
            named("route"), named("file_action"), named("delivery"), named("command_action"), none};
        bool saved = plain_times_;
        plain_times_ = true;
        auto arg = rng_.chance(3) ? std::optional<Named>(Named{"none", none}) : gen_some(menu, depth - 1);
        plain_times_ = saved;
        if (!arg) return std::nullopt;
        return "str(" + arg->text + ")";
    }

    // ---- time zones and calendars

    // The zone is a name written in the rules; the time comes from the facts (between 1900 and
    // 2100: the compiled zones end in 2100).
    std::optional<std::string> zone_call(std::string_view fn, int depth) {
        auto t = fact_time(depth);
        if (!t) return std::nullopt;
        return std::string(fn) + "(" + *t + ", " + dsl::quote(rng_.pick(zone_names)) + ")";
    }

    std::optional<std::string> fact_time(int depth) {
        bool saved = plain_times_;
        plain_times_ = true;
        auto t = gen(stdlib::types::time, depth - 1);
        plain_times_ = saved;
        return t;
    }

    std::optional<std::string> open_at(int depth) {
        auto t = fact_time(depth);
        if (!t) return std::nullopt;
        std::string hours;
        for (std::size_t i = 0, n = 1 + rng_.below(3); i < n; ++i) {
            std::string days;
            for (const auto& d : schema().enum_of(named("weekday")).members)
                if (rng_.chance(45)) days += (days.empty() ? "" : ", ") + d;
            auto from = gen(stdlib::types::time_of_day, depth - 1), to = gen(stdlib::types::time_of_day, depth - 1);
            if (!from || !to) return std::nullopt;
            hours += (i ? ", " : "") + std::string("hours({") + days + "}, " + *from + ", " + *to + ")";
        }
        std::string holidays;
        if (rng_.chance(50)) holidays = ", holidays: {" + rng_.pick(date_literals) + ", " + rng_.pick(date_literals) + "}";
        return "open_at(calendar(" + dsl::quote(rng_.pick(zone_names)) + ", [" + hours + "]" + holidays + "), " + *t + ")";
    }

    // ---- optionals

    std::optional<std::string> optional(Type t, int depth, Mode mode) {
        Type plain = t.inner();
        std::vector<Production> leaves = {[&] { return atom(t); }};
        if (mode == Mode::any) leaves.push_back([] { return std::optional<std::string>("none"); });
        if (mode != Mode::optional) leaves.push_back([&] { return gen(plain, 1, Mode::concrete); });
        if (depth <= 1 || rng_.chance(20)) {
            if (auto e = first_that_works(leaves)) return e;
            if (depth <= 1) return std::nullopt;
        }
        std::vector<Production> ps = {[&] { return field_of_record(t, depth, true); }};
        if (rng_.chance(50)) ps.push_back([&] { return none_or(plain, depth, rng_.chance(50)); });
        if (rng_.chance(35)) ps.push_back([&] { return if_else(t, depth, Mode::optional); });
        if (rng_.chance(35)) ps.push_back([&] { return coalesce_optional(t, depth, mode); });
        if (mode != Mode::optional) ps.push_back([&] { return gen(plain, depth, Mode::concrete); });
        if (plain == named("message"))
            ps.push_back([&] { return call("last_message_with", {named("person")}, depth); });
        add_optional_arithmetic(ps, plain, depth);
        if (auto e = first_that_works(std::move(ps))) return e;
        return first_that_works(leaves);
    }

    // `if c then none else x`: optional whatever x is.
    std::optional<std::string> none_or(Type plain, int depth, bool none_first) {
        auto c = gen(stdlib::types::boolean, depth - 1);
        auto x = gen(plain, depth - 1, Mode::concrete);
        if (!c || !x) return std::nullopt;
        return none_first ? "(if " + *c + " then none else " + *x + ")" : "(if " + *c + " then " + *x + " else none)";
    }

    std::optional<std::string> coalesce_optional(Type t, int depth, Mode mode) {
        auto x = gen(t, depth - 1, Mode::optional);
        auto d = gen(t, depth - 1, mode == Mode::any ? Mode::any : Mode::optional);
        if (!x || !d) return std::nullopt;
        return "(" + *x + " ?? " + *d + ")";
    }

    // `none` propagates through + and -: one side optional makes the result optional.
    void add_optional_arithmetic(std::vector<Production>& ps, Type plain, int depth) {
        using namespace stdlib::types;
        auto both = [&](Type l, std::string_view op, Type r) {
            ps.push_back([this, l, op, r, depth] {
                bool left = rng_.chance(50);
                return binary(left ? l.optional() : l, op, left ? r : r.optional(), depth,
                              left ? Mode::optional : Mode::any, left ? Mode::any : Mode::optional);
            });
        };
        if (plain == integer || plain == size || plain == duration) {
            both(plain, "+", plain);
            both(plain, "-", plain);
        }
        if (plain == string) both(string, "+", string);
        if (plain == duration) both(time, "-", time);
        if (plain == time && !plain_times_) {
            both(time, "+", duration);
            both(time, "-", duration);
        }
    }

    // ---- lists and sets

    std::optional<std::string> collection(Type t, int depth, Mode mode) {
        Type item = t.inner();
        bool is_list = t.is(Wrap::list);
        std::vector<Production> leaves = {[&] { return atom(t); }};
        if (mode == Mode::any) leaves.push_back([&] { return std::optional<std::string>(is_list ? "[]" : "{}"); });
        if (depth <= 1 || rng_.chance(15)) {
            if (auto e = first_that_works(leaves)) return e;
            if (depth <= 1) return std::nullopt;
        }
        std::vector<Production> ps = {
            [&] { return collection_literal(item, is_list, depth); },
            [&] { return where(t, depth); },
            [&] { return field_of_record(t, depth, false); },
        };
        if (rng_.chance(35)) ps.push_back([&] { return if_else(t, depth, mode == Mode::any ? Mode::any : Mode::concrete); });
        if (is_list) {
            ps.push_back([&] { return binary(t, "+", t, depth, Mode::concrete, Mode::any); });
            ps.push_back([&] { return coalesce(t, depth, Mode::any); });
        }
        if (t == list_of(named("notice")))
            ps.push_back([&] { return call("notify", {list_of(named("person")), named("notice_reason")}, depth); });
        if (auto e = first_that_works(std::move(ps))) return e;
        return first_that_works(leaves);
    }

    // One to three items; a repeated item now and then, which a set keeps once.
    std::optional<std::string> collection_literal(Type item, bool is_list, int depth) {
        std::vector<std::string> items;
        std::size_t n = 1 + rng_.below(3);
        for (std::size_t i = 0; i < n; ++i) {
            if (!items.empty() && rng_.chance(25)) {
                items.push_back(rng_.pick(items));
                continue;
            }
            auto e = gen(item, depth - 1, Mode::concrete);
            if (!e) return std::nullopt;
            items.push_back(*e);
        }
        std::string text;
        for (const auto& i : items) text += (text.empty() ? "" : ", ") + i;
        return is_list ? "[" + text + "]" : "{" + text + "}";
    }

    std::optional<std::string> where(Type t, int depth) {
        auto items = gen(t, depth - 1, Mode::concrete);
        if (!items) return std::nullopt;
        its.push_back(t.inner());
        auto condition = gen(stdlib::types::boolean, depth - 1);
        its.pop_back();
        if (!condition) return std::nullopt;
        return "(" + *items + " where " + *condition + ")";
    }

    // ---- results

    std::optional<std::string> constructor(Type variant, int depth) {
        const auto& ctors = schema().variant_of(variant).constructors;
        const auto& fn = schema().functions()[rng_.pick(ctors)];
        if (fn.callable_bare() && rng_.chance(fn.params.empty() ? 60 : 30)) return fn.name;  // `attach`, `send`
        std::vector<std::string> positional, by_name;
        for (std::size_t i = 0; i < fn.params.size(); ++i) {
            const auto& p = fn.params[i];
            if (i == 0 && fn.variadic_first) {
                for (std::size_t k = 0, n = 1 + rng_.below(3); k < n; ++k) {
                    auto key = key_value(depth);
                    if (!key) return std::nullopt;
                    positional.push_back(*key);
                }
                continue;
            }
            if (p.optional && rng_.chance(50)) continue;
            // Parameters whose type is not optional take a plain value, even when left out is allowed.
            auto value = gen(p.type, depth - 1);
            if (!value) return std::nullopt;
            if (p.optional || rng_.chance(20)) by_name.push_back(p.name + ": " + *value);
            else positional.push_back(*value);
        }
        for (std::size_t i = by_name.size(); i > 1; --i) std::swap(by_name[i - 1], by_name[rng_.below(i)]);
        std::string text;
        for (const auto& a : positional) text += (text.empty() ? "" : ", ") + a;
        for (const auto& a : by_name) text += (text.empty() ? "" : ", ") + a;
        return fn.name + "(" + text + ")";
    }

    // A conversation key: any value but a list or set.
    std::optional<std::string> key_value(int depth) {
        using namespace stdlib::types;
        static const std::vector<Type> menu = {integer, integer, string, string, named("chat_kind"), named("transport"),
                                               boolean, size, time, integer.optional(), string.optional(),
                                               named("chat"), named("person"), named("post").optional()};
        auto k = gen_some(menu, depth - 1);
        if (!k) return std::nullopt;
        return k->text;
    }

    Random& rng_;
    bool plain_times_ = false;  // inside str(): times come from facts only
};

// ---------------------------------------------------------------------------------------------
// Rule files

struct SettingInfo {
    std::string name;
    Type type;
};

struct ScopeChoice {
    std::vector<std::uint64_t> masks;  // per dimension: the admitted members
    std::vector<bool> written;         // per dimension: whether a clause names it
};

class RulesGen {
public:
    RulesGen(Random& rng, const GeneratorOptions& options) : rng_(rng), options_(options) {}

    std::string file(std::uint64_t seed) {
        out_ = "# generated by tests/reference/generator.cpp from seed " + std::to_string(seed) + "\n";
        if (rng_.chance(50)) out_ += "ruleset generated_" + std::to_string(seed % 7) + "\n";
        out_ += "\n";
        settings();
        contact_fields();
        top_level_lets();
        rule_functions();
        for (const auto& kind : schema().kinds()) policies(kind);
        return out_;
    }

    const std::vector<SettingInfo>& declared_settings() const { return settings_; }
    const std::vector<Named>& declared_contact_fields() const { return contact_fields_; }

private:
    ExprGen expressions() {
        ExprGen g(rng_);
        for (const auto& s : settings_) g.names.push_back({"setting." + s.name, s.type});
        g.names.insert(g.names.end(), lets_.begin(), lets_.end());
        g.functions = functions_;
        g.contact_fields = contact_fields_;
        return g;
    }

    // `fn f0(p0: T, ...) -> R = body`: bodies read their parameters, settings and lets, and
    // call the functions declared before them (never themselves: no recursion).
    void rule_functions() {
        using namespace stdlib::types;
        static const std::vector<Type> menu = {
            integer, string, string, boolean, boolean, duration, size, named("chat_kind"), named("person"),
            named("file"), string.optional(), list_of(named("person")), named("route"), named("file_action")};
        for (std::size_t i = 0, n = rng_.below(4); i < n; ++i) {
            FunctionInfo fn{"f" + std::to_string(i), {}, rng_.pick(menu)};
            for (std::size_t k = 0, arity = rng_.below(4); k < arity; ++k)
                fn.params.push_back({"p" + std::to_string(k), rng_.pick(menu)});
            ExprGen g = expressions();
            g.names.insert(g.names.end(), fn.params.begin(), fn.params.end());
            auto body = g.gen(fn.result, depth(), Mode::concrete);
            if (!body) continue;
            out_ += "fn " + fn.name + "(";
            for (std::size_t k = 0; k < fn.params.size(); ++k)
                out_ += (k ? ", " : "") + fn.params[k].text + ": " + schema().type_name(fn.params[k].type);
            out_ += ") -> " + schema().type_name(fn.result) + " = " + *body + "\n";
            functions_.push_back(std::move(fn));
        }
        out_ += "\n";
    }

    void settings() {
        using namespace stdlib::types;
        static const std::vector<Type> menu = {
            boolean, integer, string, size, duration, named("chat_kind"), named("file_kind"), named("notice_reason"),
            list_of(string), set_of(string), list_of(integer), set_of(integer), integer.optional(), string.optional(),
            time.optional(), duration.optional(), set_of(named("chat_kind")), list_of(size)};
        ExprGen g(rng_);
        for (std::size_t i = 0, n = 2 + rng_.below(4); i < n; ++i) {
            SettingInfo s{"s" + std::to_string(i), rng_.pick(menu)};
            out_ += "setting " + s.name + ": " + schema().type_name(s.type) + " = " + constant(g, s.type) + "\n";
            if (rng_.chance(30)) out_ += "    \"Setting " + std::to_string(i) + ".\"\n";
            settings_.push_back(s);
        }
        out_ += "\n";
    }

    // Sometimes a few `contact_field`s of each type the language allows, optional or not; a
    // default none or not, and a description now and then, as settings have.
    void contact_fields() {
        using namespace stdlib::types;
        static const std::vector<Type> menu = {boolean,    integer,    string,   string,
                                               boolean.optional(), integer.optional(), string.optional()};
        if (!rng_.chance(45)) return;
        ExprGen g(rng_);
        for (std::size_t i = 0, n = 1 + rng_.below(4); i < n; ++i) {
            Named f{"cf" + std::to_string(i), rng_.pick(menu)};
            out_ += "contact_field " + f.text + ": " + schema().type_name(f.type) + " = " + constant(g, f.type) + "\n";
            if (rng_.chance(20)) out_ += "    \"Contact field " + std::to_string(i) + ".\"\n";
            contact_fields_.push_back(std::move(f));
        }
        out_ += "\n";
    }

    // A setting default: literals, negated literals, none, enum values, lists and sets of them.
    std::string constant(ExprGen& g, Type t) {
        if (t.is_optional()) return t.inner() == stdlib::types::time || rng_.chance(40) ? "none" : constant(g, t.inner());
        if (t.is_collection()) {
            std::string items;
            std::vector<std::string> chosen;
            for (std::size_t i = 0, n = rng_.below(4); i < n; ++i) {
                chosen.push_back(!chosen.empty() && rng_.chance(30) ? rng_.pick(chosen) : constant(g, t.inner()));
                items += (i ? ", " : "") + chosen.back();
            }
            return t.is(Wrap::list) ? "[" + items + "]" : "{" + items + "}";
        }
        switch (t.base) {
            case TypeKind::boolean: return rng_.chance(50) ? "true" : "false";
            case TypeKind::integer: return int_literal(rng_.chance(80) ? rng_.pick(small_ints) : rng_.pick(extreme_ints), true);
            case TypeKind::string: return dsl::quote(rng_.pick(texts));
            case TypeKind::size: return (rng_.chance(10) ? "-" : "") + rng_.pick(size_literals);
            case TypeKind::duration: return (rng_.chance(10) ? "-" : "") + rng_.pick(duration_literals);
            case TypeKind::enumeration: return g.literal_of_enum(t);
            default: throw std::logic_error("generator: no constant of this type");
        }
    }

    void top_level_lets() {
        using namespace stdlib::types;
        static const std::vector<Type> menu = {
            integer, string, string, size, duration, boolean, named("chat_kind"), named("notice_reason"),
            list_of(string), set_of(integer), integer.optional(), string.optional(), duration.optional(),
            named("file_action"), named("delivery"), named("command_action"), named("route"),
            named("quick_reply"), list_of(named("quick_reply")), named("reopen_action")};
        for (std::size_t i = 0, n = 2 + rng_.below(4); i < n; ++i) {
            ExprGen g = expressions();
            auto value = g.gen_some(menu, 1 + static_cast<int>(rng_.below(static_cast<std::size_t>(options_.max_depth))),
                                    Mode::concrete);
            if (!value) continue;
            std::string name = "g" + std::to_string(lets_.size());
            out_ += "let " + name + " = " + value->text + "\n";
            lets_.push_back({name, value->type});
        }
        out_ += "\n";
    }

    void policies(const stdlib::PolicyKindDecl& kind) {
        std::size_t n = rng_.below(4);  // sometimes none: the kind is then left out of the decisions
        std::optional<ScopeChoice> previous;
        std::int64_t priority = static_cast<std::int64_t>(rng_.below(3)) - 2;
        for (std::size_t i = 0; i < n; ++i) {
            // Policies of one kind either nest strictly inside the previous one at its priority,
            // or take a priority of their own: never ambiguous (E0501).
            std::optional<ScopeChoice> scope;
            if (previous && rng_.chance(50)) scope = narrowed(*previous);
            // Nested in the previous one at its priority, a policy has that one to defer to.
            bool can_defer = scope.has_value();
            if (!scope) {
                scope = random_scope(kind);
                priority += 1 + static_cast<std::int64_t>(rng_.below(2));
            }
            policy(kind, *scope, priority, can_defer);
            previous = scope;
        }
    }

    std::uint64_t all_members(std::size_t dimension, const stdlib::PolicyKindDecl& kind) const {
        if (dimension == 0) return kind.directions;
        auto n = schema().enums()[schema().dimensions()[dimension].enum_index].members.size();
        return (1ull << n) - 1;
    }

    std::uint64_t random_subset(std::uint64_t of) {
        std::uint64_t chosen = 0;
        while (chosen == 0)
            for (std::uint64_t bit = 1; bit <= of; bit <<= 1)
                if ((of & bit) && rng_.chance(40)) chosen |= bit;
        return chosen;
    }

    ScopeChoice random_scope(const stdlib::PolicyKindDecl& kind) {
        ScopeChoice s;
        for (std::size_t d = 0; d < schema().dimensions().size(); ++d) {
            std::uint64_t all = all_members(d, kind);
            bool write = rng_.chance(40);
            s.masks.push_back(write ? random_subset(all) : all);
            s.written.push_back(write);
        }
        return s;
    }

    // The same scope with one dimension narrowed to a proper subset: strictly inside it.
    std::optional<ScopeChoice> narrowed(ScopeChoice s) {
        std::vector<std::size_t> wide;
        for (std::size_t d = 0; d < s.masks.size(); ++d)
            if (std::popcount(s.masks[d]) >= 2) wide.push_back(d);
        if (wide.empty()) return std::nullopt;
        std::size_t d = rng_.pick(wide);
        std::uint64_t subset = s.masks[d];
        while (subset == s.masks[d]) subset = random_subset(s.masks[d]);
        s.masks[d] = subset;
        s.written[d] = true;
        return s;
    }

    std::string scope_text(const ScopeChoice& s) const {
        std::string text;
        for (std::size_t d = 0; d < s.masks.size(); ++d) {
            if (!s.written[d]) continue;
            const auto& dim = schema().dimensions()[d];
            const auto& members = schema().enums()[dim.enum_index].members;
            std::string values;
            for (std::size_t m = 0; m < members.size(); ++m)
                if (s.masks[d] & (1ull << m)) values += (values.empty() ? "" : ", ") + members[m];
            text += " " + dim.keyword + " " + values;
        }
        return text;
    }

    void policy(const stdlib::PolicyKindDecl& kind, const ScopeChoice& scope, std::int64_t priority, bool can_defer) {
        out_ += "policy " + kind.name + scope_text(scope);
        if (priority != 0 || rng_.chance(30)) out_ += " priority " + std::to_string(priority);
        out_ += " {\n";
        ExprGen g = expressions();
        g.kind = &kind;
        policy_lets(g);
        for (std::size_t i = 0, n = rng_.below(5); i < n; ++i) {
            auto condition = g.gen(stdlib::types::boolean, depth());
            auto value = can_defer && rng_.chance(25) ? std::optional<std::string>("next") : g.gen(kind.result, depth());
            if (!condition || !value) continue;
            // A rule may span lines: its location is the line where it starts.
            out_ += "    when " + *condition + (rng_.chance(10) ? "\n        -> " : " -> ") + *value + "\n";
        }
        std::optional<std::string> value;
        if (can_defer && rng_.chance(20)) value = "next";
        while (!value) value = g.gen(kind.result, depth());
        out_ += "    otherwise -> " + *value + "\n}\n\n";
    }

    void policy_lets(ExprGen& g) {
        using namespace stdlib::types;
        static const std::vector<Type> menu = {
            integer, string, size, duration, time, boolean, named("chat_kind"), named("notice_reason"),
            named("person"), named("chat"), named("file"), named("message").optional(), time.optional(),
            string.optional(), list_of(named("person")), list_of(named("file")), list_of(named("notice")),
            set_of(string), named("file_action"), named("route"), named("delivery")};
        for (std::size_t i = 0, n = rng_.below(4); i < n; ++i) {
            auto value = g.gen_some(menu, depth(), Mode::concrete);
            if (!value) continue;
            std::string name = "v" + std::to_string(i);
            out_ += "    let " + name + " = " + value->text + "\n";
            g.names.push_back({name, value->type});
        }
    }

    int depth() { return 2 + static_cast<int>(rng_.below(static_cast<std::size_t>(std::max(1, options_.max_depth - 1)))); }

    Random& rng_;
    const GeneratorOptions& options_;
    std::string out_;
    std::vector<SettingInfo> settings_;
    std::vector<Named> contact_fields_;
    std::vector<Named> lets_;
    std::vector<FunctionInfo> functions_;
};

// ---------------------------------------------------------------------------------------------
// Cases

class CaseGen {
public:
    CaseGen(Random& rng, const std::vector<SettingInfo>& settings, const std::vector<Named>& contact_fields)
        : rng_(rng), settings_(settings), contact_fields_(contact_fields) {}

    json::value next() {
        json::object c;
        static const std::vector<std::pair<const char*, unsigned>> facts = {
            {"message", 92}, {"file", 25},         {"contact", 50},     {"employee", 50},
            {"task", 55},    {"conversation", 55}, {"channel", 45},     {"integration", 55},
            {"account", 45}, {"reaction", 40},     {"notice", 40}};
        for (auto [name, percent] : facts)
            if (rng_.chance(percent)) c[name] = record(named(name), 0);
        if (rng_.chance(75)) c["now"] = time();
        if (!settings_.empty() && rng_.chance(60)) c["settings"] = settings();
        if (rng_.chance(70)) c["facts"] = query_facts();
        return c;
    }

private:
    json::value value(Type t, std::string_view field, int nesting) {
        if (t.is_optional()) return rng_.chance(30) ? json::value(nullptr) : value(t.inner(), field, nesting);
        if (t.is_collection()) {
            json::array a;
            std::size_t n = nesting > 1 ? rng_.below(2) : rng_.below(4);
            for (std::size_t i = 0; i < n; ++i)
                a.push_back(!a.empty() && rng_.chance(20) ? a[rng_.below(a.size())] : value(t.inner(), field, nesting + 1));
            return a;
        }
        switch (t.base) {
            case TypeKind::boolean: return rng_.chance(50);
            case TypeKind::integer: return integer(field);
            case TypeKind::string: return json::string(text(field));
            case TypeKind::size: return amount(sizes);
            case TypeKind::duration: return amount(durations);
            case TypeKind::time: return time();
            case TypeKind::enumeration: return json::string(rng_.pick(schema().enum_of(t).members));
            case TypeKind::record: return record(t, nesting + 1);
            default: throw std::logic_error("generator: no case value of this type");
        }
    }

    // Some of the fields; the scope fields and the command more often, so that policies of
    // every scope and the `command` kind are asked.
    json::object record(Type t, int nesting) {
        json::object o;
        if (schema().record_of(t).declared_by_rules) return contact_fields(nesting);
        for (const auto& f : schema().record_of(t).fields) {
            bool likely = f.name == "direction" || f.name == "transport" || f.name == "chat" || f.name == "kind" ||
                          f.name == "command" || f.name == "sender" || f.name == "id" || f.name == "files";
            if (rng_.chance(likely ? 75 : 45)) o[f.name] = value(f.type, f.name, nesting);
        }
        return o;
    }

    // `contact.fields`: some of the declared fields; the others keep their defaults.
    json::object contact_fields(int nesting) {
        json::object o;
        for (const auto& f : contact_fields_)
            if (rng_.chance(60)) o[f.text] = value(f.type, f.text, nesting);
        return o;
    }

    std::int64_t integer(std::string_view field) {
        if (field == "id" && rng_.chance(10)) return -1001234567890;
        return rng_.chance(85) ? rng_.pick(small_ints) : rng_.pick(extreme_ints);
    }

    std::string text(std::string_view field) {
        if (field == "ext") return rng_.pick(extensions);
        if (field == "command") return rng_.pick(commands);
        if (field == "emoji") return rng_.pick(emojis);
        return rng_.pick(texts);
    }

    json::value amount(const std::vector<Amount>& pool) {
        const auto& a = rng_.pick(pool);
        if (a.text && rng_.chance(50)) return json::string(a.text);
        return a.value;
    }

    json::value time() {
        const auto& t = rng_.pick(times);
        if (rng_.chance(50)) return json::string(t.text);
        return t.value;
    }

    json::object settings() {
        json::object s;
        for (const auto& setting : settings_)
            if (rng_.chance(50)) s[setting.name] = value(setting.type, setting.name, 1);
        return s;
    }

    json::object query_facts() {
        json::object f;
        static const std::vector<std::int64_t> chats = {0, 1, 2, 3, -1001234567890};
        if (rng_.chance(70)) f["members"] = id_table(chats);
        if (rng_.chance(70)) f["roles"] = id_table(small_ints);
        if (rng_.chance(70)) {
            json::array history;
            for (std::size_t i = 0, n = rng_.below(4); i < n; ++i) history.push_back(record(named("message"), 1));
            f["history"] = std::move(history);
        }
        return f;
    }

    json::object id_table(const std::vector<std::int64_t>& keys) {
        json::object table;
        for (std::int64_t key : keys) {
            if (!rng_.chance(50)) continue;
            json::array ids;
            for (std::size_t i = 0, n = rng_.below(4); i < n; ++i) ids.push_back(rng_.pick(small_ints));
            table[std::to_string(key)] = std::move(ids);
        }
        return table;
    }

    Random& rng_;
    const std::vector<SettingInfo>& settings_;
    const std::vector<Named>& contact_fields_;
};

}  // namespace

Generated generate(std::uint64_t seed, const GeneratorOptions& options) {
    Random rng(seed * 0x9E3779B97F4A7C15ull + 1);
    RulesGen rules(rng, options);
    Generated g;
    g.rules = rules.file(seed);
    CaseGen cases(rng, rules.declared_settings(), rules.declared_contact_fields());
    for (std::size_t i = 0; i < options.cases; ++i) g.cases.push_back(cases.next());
    return g;
}

}  // namespace switchyard::reference
