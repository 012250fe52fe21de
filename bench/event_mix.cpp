#include "bench/event_mix.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>

namespace switchyard::bench {
namespace {

namespace json = boost::json;

// People the tracker knows. Contacts carry large ids, as messengers' ids are, but below 2^53.
struct PersonSpec {
    std::int64_t id;
    std::string_view name;
    std::string_view username;  // empty: none
    std::string_view phone;     // empty: none
    bool is_employee;
    bool has_access;
};

constexpr PersonSpec employees[] = {
    {7, "Ivan Petrov", "ivan", "", true, true},
    {8, "Olga Smirnova", "olga_s", "", true, true},
    {9, "Мария Иванова", "", "", true, true},
    {10, "Dmitry Orlov", "dorlov", "79035550110", true, true},
    {11, "Anna Kuznetsova", "", "", true, false},
    {12, "Sergey Volkov", "svolkov", "", true, true},
};

constexpr PersonSpec contacts[] = {
    {5'500'000'055, "Anna", "anna_k", "79161234567", false, false},
    {5'500'000'056, "John Smith", "", "14155550123", false, false},
    {5'500'000'057, "Олег", "oleg77", "", false, false},
    {5'500'000'058, "Fatima Al-Sayed", "", "971501234567", false, false},
    {5'500'000'059, "Li Wei", "liwei", "", false, false},
    {4'503'599'627'370'001, "Emma 🌸", "emma.shop", "", false, false},
    // A client's auditor: not an employee, but signs in to the tracker.
    {60, "Max Auditor", "max_audit", "", false, true},
};

struct ChannelSpec {
    std::int64_t id;
    std::string_view name;
    std::string_view number;
    std::string_view transport;
};

constexpr ChannelSpec telegram_bots[] = {{1, "Support bot", "support_bot", "telegram"},
                                         {2, "Sales bot", "acme_sales_bot", "telegram"}};
constexpr ChannelSpec business_account = {6, "Acme Business", "acme_business", "telegram"};
constexpr ChannelSpec whatsapp_numbers[] = {{3, "Main number", "79001234567", "whatsapp"},
                                            {4, "Sales number", "79007654321", "whatsapp"}};
constexpr ChannelSpec instagram_account = {5, "Acme Shop", "acme.shop", "instagram"};

constexpr std::string_view texts[] = {
    "Hello! Is my order shipped yet?",
    "Здравствуйте, когда будет готов счёт?",
    "Can you call me back tomorrow morning?",
    "Thanks, got it 👍",
    "The link does not open on my phone",
    "Пришлите, пожалуйста, договор ещё раз",
    "",
    "Where can I see the price list?",
    "I paid the invoice, please check",
    "ok",
};

struct FileType {
    std::string_view ext;
    std::string_view mime;
    std::string_view kind;
};

// Every file_kind, with the extensions messengers actually deliver (and one with none).
constexpr FileType file_types[] = {
    {"jpg", "image/jpeg", "image"},
    {"jpeg", "image/jpeg", "image"},
    {"png", "image/png", "image"},
    {"gif", "image/gif", "image"},
    {"heic", "image/heic", "image"},
    {"mp4", "video/mp4", "video"},
    {"mov", "video/quicktime", "video"},
    {"webm", "video/webm", "video"},
    {"mp3", "audio/mpeg", "audio"},
    {"m4a", "audio/mp4", "audio"},
    {"ogg", "audio/ogg", "voice"},
    {"oga", "audio/ogg", "voice"},
    {"pdf", "application/pdf", "document"},
    {"zip", "application/zip", "document"},
    {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "document"},
    {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "document"},
    {"txt", "text/plain", "document"},
    {"", "application/octet-stream", "document"},
    {"webp", "image/webp", "sticker"},
    {"tgs", "application/x-tgsticker", "sticker"},
    {"exe", "application/x-msdownload", "other"},
    {"bin", "application/octet-stream", "other"},
};

constexpr std::string_view file_stems[] = {"offer", "invoice_2026_11", "IMG_0412", "Договор", "demo",
                                           "voice_message", "sticker", "backup", "screenshot"};

// 2026-11-21T08:00:00Z, when the mix starts.
constexpr std::int64_t mix_start_ms = 1'795'248'000'000;
constexpr std::int64_t second_ms = 1000, minute_ms = 60 * second_ms, hour_ms = 60 * minute_ms, day_ms = 24 * hour_ms;

std::string iso_time(std::int64_t ms) {
    namespace chr = std::chrono;
    const chr::sys_time<chr::milliseconds> t{chr::milliseconds(ms)};
    const auto day = chr::floor<chr::days>(t);
    const chr::year_month_day date(day);
    const chr::hh_mm_ss clock(t - day);
    char text[32];
    std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                  static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
                  static_cast<int>(clock.seconds().count()));
    std::string out = text;
    if (const auto millis = clock.subseconds().count()) {
        std::snprintf(text, sizeof text, ".%03d", static_cast<int>(millis));
        out += text;
    }
    return out + "Z";
}

// Builds the cases. Only the engine's raw output is used (no std distributions), so the mix
// is the same with every standard library.
class MixGenerator {
public:
    explicit MixGenerator(unsigned seed) : rng_(seed) {}

    json::object next() {
        clock_ += 1 + static_cast<std::int64_t>(pick(90'000));  // a few events a minute
        const unsigned roll = static_cast<unsigned>(pick(100));
        if (roll < 18) return private_text();
        if (roll < 30) return group_message();
        if (roll < 46) return files();
        if (roll < 53) return completed_task();
        if (roll < 63) return business_reply();
        if (roll < 72) return whatsapp();
        if (roll < 81) return instagram();
        if (roll < 87) return telegram_outbound();
        if (roll < 92) return reaction();
        if (roll < 96) return command();
        if (roll < 99) return alert();
        return quick_replies();
    }

private:
    std::uint64_t pick(std::uint64_t n) { return rng_() % n; }
    bool chance(unsigned percent) { return pick(100) < percent; }
    template <typename T, std::size_t N>
    const T& one_of(const T (&items)[N]) {
        return items[pick(N)];
    }
    const PersonSpec& employee() { return one_of(employees); }
    const PersonSpec& contact() { return contacts[pick(std::size(contacts) - 1)]; }  // not the auditor

    // Times and sizes are written both ways the case format allows.
    json::value time(std::int64_t ms) {
        if (chance(50)) return ms;
        return json::string(iso_time(ms));
    }

    json::value size(std::int64_t bytes) {
        const unsigned form = static_cast<unsigned>(pick(4));
        if (form == 0 && bytes % (1 << 20) == 0) return json::string(std::to_string(bytes >> 20) + " MiB");
        if (form == 1 && bytes % 1'000'000 == 0) return json::string(std::to_string(bytes / 1'000'000) + " MB");
        if (form == 2 && bytes % 1'000 == 0) return json::string(std::to_string(bytes / 1'000) + " KB");
        if (form == 3) return json::string(std::to_string(bytes) + " B");
        return bytes;
    }

    // 1 KB to 200 MB, with the limits of rules/telegram.rules (5 MB, 50 MB) well represented.
    std::int64_t file_size() {
        switch (pick(8)) {
        case 0: return 1'000 * static_cast<std::int64_t>(1 + pick(999));
        case 1: return 1'024 * static_cast<std::int64_t>(1 + pick(4000));
        case 2: return 1'000'000 + static_cast<std::int64_t>(pick(4'000'000));
        case 3: {
            constexpr std::int64_t edges[] = {4'999'999, 5'000'000, 5'000'001, 5 << 20};
            return one_of(edges);
        }
        case 4: return 5'000'000 * static_cast<std::int64_t>(1 + pick(9));
        case 5: return 5'000'000 + static_cast<std::int64_t>(pick(45'000'000));
        case 6: {
            constexpr std::int64_t edges[] = {49'999'999, 50'000'000, 50 << 20, 20 << 20};
            return one_of(edges);
        }
        default: return 50'000'000 + static_cast<std::int64_t>(pick(150'000'001));
        }
    }

    static json::object person(const PersonSpec& p) {
        json::object o{{"id", p.id}, {"name", p.name}};
        if (!p.username.empty()) o["username"] = p.username;
        if (!p.phone.empty()) o["phone"] = p.phone;
        if (p.is_employee) o["is_employee"] = true;
        if (p.has_access) o["has_access"] = true;
        return o;
    }

    // Up to `max` different employees.
    json::array some_employees(std::size_t max) {
        json::array people;
        const std::size_t n = pick(max + 1), first = pick(std::size(employees));
        for (std::size_t i = 0; i < n; ++i) people.push_back(person(employees[(first + 2 * i) % std::size(employees)]));
        return people;
    }

    static json::object channel(const ChannelSpec& c) {
        return {{"id", c.id}, {"name", c.name}, {"number", c.number}, {"transport", c.transport}};
    }

    const ChannelSpec& channel_for(std::string_view transport, std::string_view chat_kind) {
        if (transport == "whatsapp") return one_of(whatsapp_numbers);
        if (transport == "instagram") return instagram_account;
        return chat_kind == "business" ? business_account : one_of(telegram_bots);
    }

    json::object integration(std::string_view transport, std::string_view chat_kind) {
        json::object o;
        if (transport == "telegram" && chat_kind == "business") {
            o = {{"id", "tg-business"}, {"name", "Telegram Business"}, {"service", "telegram_business"}};
        } else if (transport == "telegram") {
            o = {{"id", "tg-bot"}, {"name", "Telegram bot"}, {"service", "telegram_bot"}};
        } else {
            o = {{"id", "wazzup"}, {"name", "Wazzup"}, {"service", "wazzup"}};
        }
        o["owner"] = person(employees[0]);
        if (chance(60)) o["assignees"] = some_employees(2);
        if (chance(30)) o["extra_assignees"] = some_employees(2);
        if (chance(50)) o["project"] = chance(50) ? "Support" : "Продажи";
        return o;
    }

    json::object chat(std::string_view kind, const PersonSpec& sender, std::int64_t group_id) {
        if (kind == "group" || kind == "channel") {
            json::object o{{"id", group_id}, {"kind", kind}, {"title", kind == "group" ? "Acme support" : "Acme news"}};
            if (chance(40)) o["username"] = "acme_chat";
            return o;
        }
        json::object o{{"id", sender.id + 700'000'000}, {"kind", kind}, {"title", sender.name}};
        if (!sender.username.empty()) o["username"] = sender.username;
        return o;
    }

    // The message every event has, from the customer (inbound) or an employee (outbound, echo).
    json::object message(std::string_view direction, std::string_view transport, std::string_view chat_kind,
                         const PersonSpec& customer) {
        const PersonSpec& sender = direction == "inbound" ? customer : employee();
        const std::int64_t group_id = -1'001'234'567'000 - static_cast<std::int64_t>(pick(50));
        json::object m{{"id", ++message_id_},
                       {"direction", direction},
                       {"transport", transport},
                       {"chat", chat(chat_kind, customer, group_id)},
                       {"sender", person(sender)},
                       {"text", one_of(texts)},
                       {"channel", channel(channel_for(transport, chat_kind))},
                       {"sent_at", time(clock_ - static_cast<std::int64_t>(pick(3'000)))}};
        if (chance(10)) m["reply_to"] = message_id_ - 1 - static_cast<std::int64_t>(pick(20));
        if (chance(5)) m["edited"] = true;
        return m;
    }

    json::object task(std::string_view status = "active") {
        json::object t{{"id", static_cast<std::int64_t>(9'000 + pick(500))},
                       {"title", "Question from a customer"},
                       {"status", status},
                       {"assignees", some_employees(3)},
                       {"created_at", time(clock_ - static_cast<std::int64_t>(pick(30)) * day_ms)}};
        if (chance(30)) t["project"] = "Support";
        return t;
    }

    json::object contact_fact(const PersonSpec& customer) {
        json::object c{{"id", customer.id}, {"name", customer.name}};
        if (!customer.username.empty()) c["username"] = customer.username;
        if (!customer.phone.empty()) c["phone"] = customer.phone;
        c["has_written"] = chance(85);
        if (chance(8)) c["blocked_bot"] = true;
        if (chance(10)) c["is_new"] = true;
        return c;
    }

    // The parts every event shares; `base` adds the facts most policies read.
    json::object base(std::string_view direction, std::string_view transport, std::string_view chat_kind) {
        const PersonSpec& customer = contact();
        json::object c{{"message", message(direction, transport, chat_kind, customer)},
                       {"integration", integration(transport, chat_kind)},
                       {"now", time(clock_)},
                       {"contact", contact_fact(customer)}};
        if (chance(70)) c["account"] = {{"name", "Acme"}, {"plan", one_of(plans)}};
        return c;
    }

    static json::object& msg(json::object& c) { return c["message"].as_object(); }

    std::string_view transport() {
        const unsigned roll = static_cast<unsigned>(pick(10));
        return roll < 5 ? "telegram" : roll < 8 ? "whatsapp" : "instagram";
    }

    std::string_view chat_kind_for(std::string_view transport, std::string_view direction) {
        if (transport == "whatsapp") return "private";
        if (transport == "instagram") return chance(60) ? "direct" : "comment";
        if (direction == "outbound" && chance(30)) return "business";
        const unsigned roll = static_cast<unsigned>(pick(10));
        return roll < 6 ? "private" : roll < 9 ? "group" : "channel";
    }

    json::object conversation(const json::object& message_channel) {
        json::object c{{"id", static_cast<std::int64_t>(300 + pick(200))},
                       {"channel", message_channel},
                       {"started_by", chance(80) ? "contact" : "employee"}};
        if (chance(15)) c["is_new"] = true;
        if (chance(40)) c["expects_reply"] = true;
        if (chance(70)) c["last_inbound_at"] = time(clock_ - static_cast<std::int64_t>(pick(2 * day_ms)));
        return c;
    }

    json::object file() {
        const FileType& type = one_of(file_types);
        std::string name(one_of(file_stems));
        if (!type.ext.empty()) name += "." + std::string(type.ext);
        return {{"name", name},
                {"ext", type.ext},
                {"mime", type.mime},
                {"size", size(file_size())},
                {"kind", type.kind}};
    }

    // What delivery policies read: whether the comment notifies the contact, the conversation,
    // the channel and the task.
    void outbound_facts(json::object& c) {
        msg(c)["notifies_contact"] = chance(80);
        c["conversation"] = conversation(msg(c).at("channel").as_object());
        c["channel"] = msg(c).at("channel");
        c["task"] = task();
    }

    // --- the kinds of events ---

    json::object private_text() {
        json::object c = base(chance(95) ? "inbound" : "echo", "telegram", "private");
        c["task"] = task();
        if (chance(20)) c["conversation"] = conversation(msg(c).at("channel").as_object());
        return c;
    }

    // A linked group or channel: mentions, and the members, roles and history T4 asks about.
    json::object group_message() {
        json::object c = base("inbound", "telegram", chance(75) ? "group" : "channel");
        json::object& m = msg(c);
        json::array mentions;
        if (chance(55)) {
            const std::size_t n = 1 + pick(3);
            for (std::size_t i = 0; i < n; ++i)
                mentions.push_back(person(chance(70) ? employee() : contacts[pick(std::size(contacts))]));
            m["text"] = "@ivan please look at this";
            m["mentions"] = mentions;
        }
        json::object t = task();
        const std::string chat_id = std::to_string(m.at("chat").at("id").as_int64());
        const std::string task_id = std::to_string(t.at("id").as_int64());
        json::object members, roles;
        members[chat_id] = ids(4);
        roles[task_id] = ids(3);
        c["facts"] =
            json::object{{"members", std::move(members)}, {"roles", std::move(roles)}, {"history", history(m)}};
        c["task"] = std::move(t);
        if (chance(50)) c["settings"] = {{"notify_only_chat_members", chance(60)}};
        return c;
    }

    // Ids of some known people, employees and contacts alike.
    json::array ids(std::size_t max) {
        json::array out;
        const std::size_t n = pick(max + 1);
        for (std::size_t i = 0; i < n; ++i)
            out.push_back(chance(70) ? employee().id : contacts[pick(std::size(contacts))].id);
        return out;
    }

    // Earlier messages of the conversation, oldest first; some from the current sender.
    json::array history(const json::object& current) {
        json::array out;
        const std::size_t n = pick(5);
        for (std::size_t i = 0; i < n; ++i) {
            json::object earlier{{"id", message_id_ - 100 + static_cast<std::int64_t>(i)},
                                 {"sender", chance(40) ? current.at("sender") : json::value(person(contact()))},
                                 {"participants", some_employees(3)}};
            if (chance(30)) earlier["participants"].as_array().push_back(person(contacts[6]));
            out.push_back(std::move(earlier));
        }
        return out;
    }

    json::object files() {
        const std::string_view t = transport();
        const std::string_view direction = chance(60) ? "inbound" : "outbound";
        json::object c = base(direction, t, chat_kind_for(t, direction));
        if (chance(5)) {
            c["file"] = file();  // as a rule test gives it: a file without message.files
        } else {
            json::array list;
            const std::size_t n = 1 + pick(chance(70) ? 1 : 4);
            for (std::size_t i = 0; i < n; ++i) list.push_back(file());
            msg(c)["files"] = std::move(list);
            msg(c)["text"] = chance(50) ? "" : "See attached";
        }
        if (direction == "outbound") outbound_facts(c);
        else c["task"] = task();
        if (t == "instagram" && msg(c).at("chat").at("kind") == "comment") msg(c)["post"] = post();
        return c;
    }

    json::object completed_task() {
        const std::string_view t = transport();
        json::object c = base("inbound", t, chat_kind_for(t, "inbound"));
        c["task"] = task(chance(85) ? "completed" : "cancelled");
        if (chance(40)) c["settings"] = {{"new_task_if_no_active", chance(50)}};
        if (t == "instagram" && msg(c).at("chat").at("kind") == "comment") msg(c)["post"] = post();
        return c;
    }

    // Telegram Business: replies inside the 24-hour window and around its edge.
    json::object business_reply() {
        json::object c = base("outbound", "telegram", "business");
        outbound_facts(c);
        json::object& conv = c["conversation"].as_object();
        constexpr std::int64_t gaps[] = {5 * minute_ms, 3 * hour_ms, day_ms - 1, day_ms, day_ms + 1, 3 * day_ms};
        if (chance(85)) conv["last_inbound_at"] = time(clock_ - one_of(gaps));
        else conv["last_inbound_at"] = nullptr;
        conv["can_reply"] = chance(85);
        if (chance(10)) conv["customer_stopped_bot"] = true;
        if (chance(50)) {
            const PersonSpec& who = employee();
            c["employee"] = {{"id", who.id}, {"name", who.name}};
        }
        if (chance(50)) c["settings"] = {{"send_as_employee", chance(60)}};
        return c;
    }

    json::object whatsapp() {
        const std::string_view direction = chance(50) ? "inbound" : "outbound";
        json::object c = base(direction, "whatsapp", "private");
        if (direction == "inbound") {
            c["task"] = task();
            return c;
        }
        outbound_facts(c);
        if (chance(10)) c["channel"].as_object()["deleted"] = true;
        json::object& t = c["task"].as_object();
        if (chance(25)) {
            t["is_new"] = true;
            if (chance(40)) t["description"] = "Your order #1042";
            if (chance(20)) t["title"] = "";
        }
        if (chance(20)) c["conversation"].as_object()["channel"] = channel(one_of(whatsapp_numbers));
        return c;
    }

    // The post an Instagram comment is under; sometimes unknown (none) or known by its id only.
    json::value post() {
        if (chance(8)) return nullptr;
        const std::string id = "C" + std::to_string(1'000 + pick(9'000));
        json::object p{{"id", id}};
        if (chance(90)) p["url"] = "https://instagram.com/p/" + id;
        if (chance(50)) p["caption"] = "New collection 🌿";
        return p;
    }

    json::object instagram() {
        const std::string_view direction = chance(50) ? "inbound" : "outbound";
        const std::string_view kind = chance(55) ? "direct" : "comment";
        json::object c = base(direction, "instagram", kind);
        if (kind == "comment") msg(c)["post"] = post();
        if (direction == "inbound") {
            c["task"] = task();
            return c;
        }
        outbound_facts(c);
        if (kind == "comment" && chance(80)) {
            const auto first_comment = static_cast<std::int64_t>(17'900'000'000'000 + pick(1'000'000));
            c["conversation"].as_object()["first_comment_id"] = first_comment;
        }
        return c;
    }

    json::object telegram_outbound() {
        json::object c = base("outbound", "telegram", chance(85) ? "private" : "group");
        outbound_facts(c);
        if (chance(30)) msg(c)["notified"] = some_employees(2);
        return c;
    }

    json::object reaction() {
        static constexpr std::string_view emoji[] = {"👍", "❤", "🔥", "👎", "😢", "🎉", "", "🤔", "👌"};
        const std::string_view t = chance(90) ? "telegram" : "whatsapp";
        json::object c = base(chance(70) ? "inbound" : "outbound", t, "private");
        json::object r{{"emoji", one_of(emoji)}, {"added", chance(75)}};
        if (chance(10)) r["anonymous"] = true;
        r["by"] = chance(70) ? json::value(person(contact())) : json::value(nullptr);
        c["reaction"] = std::move(r);
        if (chance(10)) c["settings"] = json::object{{"positive_reactions", json::array{"👍", "🔥"}}};
        return c;
    }

    json::object command() {
        static constexpr std::string_view commands[] = {"start", "new", "tasks", "contact", "help", "settings"};
        json::object c = base("inbound", "telegram", chance(85) ? "private" : "group");
        const std::string_view name = one_of(commands);
        json::object& m = msg(c);
        m["text"] = "/" + std::string(name);
        m["command"] = name;
        if (chance(30)) m["command_args"] = "order 1042";
        c["task"] = task();
        return c;
    }

    // A notification on its way to an employee: bot message or tracker only.
    json::object alert() {
        static constexpr std::string_view reasons[] = {"mentioned", "recent_participant", "assignee", "author",
                                                       "watcher"};
        const std::string_view t = transport();
        const std::string_view direction = chance(70) ? "inbound" : "outbound";
        json::object c = base(direction, t, chat_kind_for(t, direction));
        const PersonSpec& who = employee();
        c["notice"] = {{"person", person(who)}, {"reason", one_of(reasons)}};
        c["employee"] = {{"id", who.id}, {"name", who.name}, {"telegram_linked", chance(60)}};
        c["account"] = {{"name", "Acme"}, {"plan", one_of(plans)}};
        c["task"] = task();
        return c;
    }

    json::object quick_replies() {
        const std::string_view t = transport();
        json::object c = base("outbound", t, chat_kind_for(t, "outbound"));
        outbound_facts(c);
        const PersonSpec& who = employee();
        c["employee"] = {{"id", who.id}, {"name", who.name}, {"is_owner", who.id == employees[0].id}};
        return c;
    }

    static constexpr std::string_view plans[] = {"free", "paid", "premium", "trial"};

    std::mt19937_64 rng_;
    std::int64_t clock_ = mix_start_ms;
    std::int64_t message_id_ = 100'000;
};

}  // namespace

std::vector<json::object> event_mix(std::size_t n, unsigned seed) {
    MixGenerator generator(seed);
    std::vector<json::object> cases;
    cases.reserve(n);
    for (std::size_t i = 0; i < n; ++i) cases.push_back(generator.next());
    return cases;
}

std::vector<json::object> benchmark_mix() {
    constexpr std::size_t default_events = 2000;
    const char* events = std::getenv("SWITCHYARD_BENCH_EVENTS");
    const std::size_t n = events ? std::strtoul(events, nullptr, 10) : default_events;
    return event_mix(n > 0 ? n : default_events, 2026);
}

}  // namespace switchyard::bench
