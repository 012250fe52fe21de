// Explanations over random rules: deciding with values (the observing loop) must decide exactly
// as deciding without them, and the values it shows must fit together: each condition's parts
// say why it has the value it has. A probe that read the wrong register, or recorded a part
// that `and`/`or` skipped, breaks one or the other.
#include "tests/reference/generator.hpp"
#include "tests/support.hpp"
#include "tests/vm_support.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace switchyard;

namespace {

const std::string generated_file = "generated.rules";

// The decisions without what only an explanation adds.
boost::json::object without_explanation(boost::json::object decisions) {
    for (auto& d : decisions.at("decisions").as_array()) {
        auto& o = d.as_object();
        for (const char* key : {"trace", "read", "lets"}) o.erase(key);
        if (auto* deferred = o.if_contains("deferred"))
            for (auto& deferral : deferred->as_array())
                for (const char* key : {"trace", "lets"}) deferral.as_object().erase(key);
    }
    return decisions;
}

// Parts are the operands of one `and` chain, one `or` chain, or one `not`. A `not` has one
// part, of the opposite value. A chain is evaluated left to right until a part decides it, so:
// the parts evaluated come first; every one of them but the last has one value (true for
// `and`, false for `or`); the chain has the last one's value; and when parts were skipped, that
// last one decided, so its value differs from the others'. Returns what does not fit, or "".
std::string misfit(bool value, const boost::json::array& parts) {
    if (parts.size() == 1) {
        const auto& only = parts[0].as_object();
        if (!only.contains("value")) return "the operand of `not` was not evaluated";
        if (only.at("value").as_bool() == value) return "`not` has its operand's value";
    } else {
        std::size_t evaluated = 0;
        while (evaluated < parts.size() && parts[evaluated].as_object().contains("value")) ++evaluated;
        for (std::size_t k = evaluated; k < parts.size(); ++k)
            if (parts[k].as_object().contains("value")) return "a part was evaluated after one that was skipped";
        if (evaluated == 0) return "no part of a chain was evaluated";
        bool last = parts[evaluated - 1].at("value").as_bool();
        if (last != value) return "a chain does not have its last evaluated part's value";
        for (std::size_t k = 0; k + 1 < evaluated; ++k)
            if (parts[k].at("value").as_bool() != parts[0].at("value").as_bool()) return "a chain went on after a part decided it";
        if (evaluated < parts.size() && evaluated > 1 && last == parts[0].at("value").as_bool())
            return "a chain stopped before a part decided it";
    }
    for (const auto& part : parts) {
        const auto& p = part.as_object();
        const auto* inner = p.if_contains("parts");
        if (!inner || !p.contains("value")) continue;
        auto why = misfit(p.at("value").as_bool(), inner->as_array());
        if (!why.empty()) return why + " (in `" + std::string(p.at("part").as_string()) + "`)";
    }
    return {};
}

std::string trace_misfit(const boost::json::array& trace) {
    for (const auto& step : trace) {
        const auto& s = step.as_object();
        if (const auto* parts = s.if_contains("parts"))
            if (auto why = misfit(s.at("condition").as_bool(), parts->as_array()); !why.empty())
                return std::string(s.at("rule").as_string()) + ": " + why;
    }
    return {};
}

}  // namespace

TEST_CASE("explaining decides as deciding does, and each condition's parts account for its value", "[differential][explain]") {
    testing::source_dir();
    std::size_t steps_with_parts = 0;
    for (std::uint64_t seed = 1; seed <= 150; ++seed) {
        auto g = reference::generate(seed);
        INFO("seed " << seed << "\n---- rules ----\n" << g.rules);
        auto image = testing::load_text(g.rules, generated_file);
        engine::Engine engine(image);
        engine::Options explained;
        explained.explain = true;
        explained.read_values = true;
        for (const auto& c : g.cases) {
            INFO("---- case ----\n" << boost::json::serialize(c));
            auto kase = engine::Case::from_json(*image, c);
            auto plain = engine.to_json(engine.decide(kase));
            auto with_values = engine.to_json(engine.decide(kase, explained), true);
            REQUIRE(without_explanation(with_values) == plain);
            for (const auto& d : with_values.at("decisions").as_array()) {
                std::vector<const boost::json::array*> traces{&d.at("trace").as_array()};
                if (const auto* deferred = d.as_object().if_contains("deferred"))
                    for (const auto& deferral : deferred->as_array()) traces.push_back(&deferral.at("trace").as_array());
                for (const auto* trace : traces) {
                    INFO(boost::json::serialize(*trace));
                    CHECK(trace_misfit(*trace).empty());
                    for (const auto& step : *trace) steps_with_parts += step.as_object().contains("parts");
                }
            }
        }
    }
    CHECK(steps_with_parts > 100);  // the generator writes `and`, `or` and `not`: the check saw them
}
