// Prints what the read API returns after a small scenario: the examples of docs/api.md come
// from here (hidden: run `switchyard_worker_tests "[.docs]"`).
#include "tests/worker/worker_support.hpp"

#include <iostream>

using namespace switchyard;
using namespace switchyard::testing;

TEST_CASE("the examples of docs/api.md", "[.docs]") {
    Bench b;
    auto anna = tg_user(55, "Anna", "anna");
    auto hello = tg_private(1, anna, 10, "Hello! The invoice is attached.");
    hello.message.files = {file("invoice.pdf", "pdf", 182044, "document")};
    hello.message.files[0].source = "BQACAgIAAxkBAAIBZ2Zk";
    b.deliver("tg", {hello});
    b.deliver("tg", {tg_reaction(2, 55, 10, tg_user(202, "Olga", "olga"), "👍")});
    b.store().link_chat("tg", "-1001234567890", 1, t0());
    auto group = tg_group(3, -1001234567890, anna, 41, "@ivan_support could you check the invoice?");
    group.message.mentions = {tg_user(0, "", "ivan_support")};
    group.message.mentions[0].external_id.clear();
    b.deliver("tg", {group});
    std::cout << "TASKS " << json::serialize(json::object{{"tasks", b.store().tasks(100, 0)}}) << "\n";
    std::cout << "TASK " << json::serialize(*b.store().task(1)) << "\n";
    std::cout << "CONTACT " << json::serialize(*b.store().contact(1000001)) << "\n";
    std::cout << "DECISIONS " << json::serialize(json::object{{"decisions", b.store().decisions(1)}}) << "\n";
}
