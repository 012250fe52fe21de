// End to end, a contact's tags and custom fields (issue 12): set through PUT
// /api/v1/contacts/{id}, checked against the configuration's [contact_fields], read back
// through GET, and refused with the field named.
#include "tests/server/outbound_support.hpp"

#include <fstream>

using namespace switchyard;
using namespace switchyard::testing;
namespace json = boost::json;

namespace {

constexpr const char* contact_fields = R"(
[contact_fields]
vip = "bool"
tier = "string"
orders = "int"
)";

struct Contacts {
    explicit Contacts(FakeTelegram& fake) : server(outbound_toml(fake) + contact_fields, "contacts") { server.start(); }
    ServerProcess server;

    // The contact of the first task, after the customer wrote.
    std::int64_t anna() {
        post_webhook(server, "tg", private_text(1, 555, "Hello", 41));
        auto task = first_task(server);
        return get_json(server, "/api/v1/tasks/" + std::to_string(task)).at("contact").at("id").as_int64();
    }
    HttpResult put(std::int64_t contact, const json::value& body) {
        return call(server, "PUT", "/api/v1/contacts/" + std::to_string(contact), body);
    }
    json::object get(std::int64_t contact) { return get_json(server, "/api/v1/contacts/" + std::to_string(contact)).as_object(); }
};

struct Refused {
    json::value body;
    int status;
    std::string error;  // the start of the message
    std::string field;
};

}  // namespace

TEST_CASE("a contact's tags and fields are set, replaced, removed and read back", "[e2e][contacts]") {
    FakeTelegram fake;
    Contacts c(fake);
    auto anna = c.anna();
    CHECK(c.get(anna).at("tags").as_array().empty());
    CHECK(c.get(anna).at("fields").as_object().empty());

    auto r = c.put(anna, json::object{{"by", 2}, {"tags", json::array{"vip", "wholesale"}},
                                      {"fields", json::object{{"vip", true}, {"tier", "gold"}, {"orders", 3}}}});
    INFO(r.body);
    REQUIRE(r.status == 200);
    auto answer = json::parse(r.body).as_object();
    CHECK(answer.at("tags") == json::array{"vip", "wholesale"});
    CHECK(answer.at("fields") == json::object{{"orders", 3}, {"tier", "gold"}, {"vip", true}});
    CHECK(c.get(anna).at("tags") == json::array{"vip", "wholesale"});

    // Tags are replaced whole; a field given null is removed, the others kept.
    REQUIRE(c.put(anna, json::object{{"by", 2}, {"tags", json::array{"retail"}}, {"fields", json::object{{"tier", nullptr}}}}).status == 200);
    auto now = c.get(anna);
    CHECK(now.at("tags") == json::array{"retail"});
    CHECK(now.at("fields") == json::object{{"orders", 3}, {"vip", true}});
}

TEST_CASE("a contact's tags and fields that do not fit are refused, naming the field", "[e2e][contacts]") {
    FakeTelegram fake;
    Contacts c(fake);
    auto anna = c.anna();
    const std::vector<Refused> refusals = {
        {json::object{{"by", 2}, {"tags", "vip"}}, 400, "tags: expected an array of strings", "tags"},
        {json::object{{"by", 2}, {"tags", json::array{"vip", 7}}}, 400, "tags[1]: expected a string, found a number", "tags[1]"},
        {json::object{{"by", 2}, {"tags", json::array{"vip", "vip"}}}, 422, "tags[1]: `vip` is given twice", "tags[1]"},
        {json::object{{"by", 2}, {"tags", json::array{""}}}, 422, "tags[0]: a tag is 1 to 64 bytes", "tags[0]"},
        {json::object{{"by", 2}, {"fields", json::object{{"tierr", "gold"}}}}, 422,
         "fields.tierr: no such contact field (the configuration declares `orders` (int), `tier` (string), `vip` (bool))",
         "fields.tierr"},
        {json::object{{"by", 2}, {"fields", json::object{{"vip", "yes"}}}}, 422, "fields.vip: expected bool, found a string",
         "fields.vip"},
        {json::object{{"by", 2}, {"fields", json::object{{"orders", 2.5}}}}, 422, "fields.orders: expected int, found a number",
         "fields.orders"},
        {json::object{{"tags", json::array{"vip"}}}, 400, "by:", "by"},
    };
    for (const auto& refusal : refusals) {
        auto r = c.put(anna, refusal.body);
        INFO(json::serialize(refusal.body) << " -> " << r.status << " " << r.body);
        CHECK(r.status == refusal.status);
        auto body = json::parse(r.body).as_object();
        CHECK(std::string(body.at("error").as_string()).starts_with(refusal.error));
        CHECK(body.at("field") == json::value(refusal.field));
    }
    // Nothing of a refused call was written.
    CHECK(c.get(anna).at("tags").as_array().empty());
    CHECK(c.put(999999, json::object{{"by", 2}, {"tags", json::array{"vip"}}}).status == 404);
}

namespace {

// Routing as the shipped rules do it, and a notification that also tells the owner (Olga) about
// gold-tier contacts.
constexpr const char* tier_rules = R"(ruleset tiers

contact_field tier: string = "basic"

policy routing for inbound, echo {
    otherwise -> thread(message.chat.id, title: message.sender.name, assignees: integration.assignees)
}

policy notification for inbound {
    when contact.fields.tier == "gold" -> notify(task.assignees, assignee) + notify([integration.owner], watcher)
    otherwise -> notify(task.assignees, assignee)
}
)";

}  // namespace

TEST_CASE("a contact field set through the API changes what the rules decide for the contact's next message",
          "[e2e][contacts]") {
    FakeTelegram fake;
    auto toml = replace_all(outbound_toml(fake), "rules = \"{{source}}/rules\"", "rules = \"{{dir}}/tiers.rules\"");
    ServerProcess server(toml + contact_fields, "contact-fields");
    std::ofstream(server.dir() / "tiers.rules") << tier_rules;
    server.start();

    post_webhook(server, "tg", private_text(1, 555, "Hello", 41));
    auto task = first_task(server);
    auto contact = get_json(server, "/api/v1/tasks/" + std::to_string(task)).at("contact").at("id").as_int64();
    auto r = call(server, "PUT", "/api/v1/contacts/" + std::to_string(contact),
                  json::object{{"by", 2}, {"fields", json::object{{"tier", "gold"}}}});
    REQUIRE(r.status == 200);
    post_webhook(server, "tg", private_text(2, 555, "Hello again", 42));
    REQUIRE(server.wait_until_processed());

    auto comments = get_json(server, "/api/v1/tasks/" + std::to_string(task)).at("comments").as_array();
    REQUIRE(comments.size() == 2);
    auto names = [](const json::value& comment) {
        std::vector<std::string> out;
        for (const auto& n : comment.at("notifications").as_array()) out.emplace_back(n.at("person").at("name").as_string());
        return out;
    };
    CHECK(names(comments[0]) == std::vector<std::string>{"Ivan Support"});                // tier "basic", the default
    CHECK(names(comments[1]) == std::vector<std::string>{"Ivan Support", "Olga Owner"});  // tier "gold"
}
