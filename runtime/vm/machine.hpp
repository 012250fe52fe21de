// The interpreter: runs one policy (or test expectation) of a loaded ruleset over the values
// of its inputs. One Machine per thread; it keeps its register file and arena between
// evaluations, so that in steady state an evaluation allocates nothing.
#pragma once

#include "runtime/vm/host.hpp"
#include "runtime/vm/image.hpp"
#include "runtime/vm/value.hpp"

#include <cstdint>
#include <vector>

namespace switchyard::vm {

inline constexpr std::int64_t default_budget = 100000;

enum class Failure : std::uint8_t {
    none,
    budget,    // the instruction budget ran out
    no_match,  // no rule matched (the checker proves this cannot happen for checked rules)
    internal,  // a list grew past its room: a corrupt ruleset the verifier could not see through
};

struct Outcome {
    Value value;
    std::uint16_t rule = bytecode::no_rule;  // the rule that decided, or the one running when it failed
    Failure failure = Failure::none;
    bool ok() const { return failure == Failure::none; }
};

// One rule tried: its condition's value, or none for `otherwise`.
struct TraceStep {
    std::uint16_t rule;
    std::int8_t condition;  // 0 false, 1 true, -1 no condition (`otherwise`)
};

// A value an explanation shows, as the code computed it: a probe of the function (a let, or a
// part of a rule's condition: bytecode::Probe) and the value its register held.
struct Observation {
    std::uint32_t probe;
    Value value;
};

struct Inputs {
    const Value* facts;     // the function's inputs, in order (a policy kind's bindings)
    const Value* settings;  // one per setting of the ruleset
    const FactQueries* queries;
};

class Machine {
public:
    explicit Machine(const Image& image);

    // What the outcome points to lives until reset().
    Outcome run(const bytecode::Function& f, const Inputs& in, std::int64_t budget = default_budget,
                std::vector<TraceStep>* trace = nullptr);
    // run(), also recording into `seen` the value of every probe of `f` whose code ran, in the
    // order computed. A loop of its own, slower: for people reading a decision, never the server.
    Outcome run_observed(const bytecode::Function& f, const Inputs& in, std::int64_t budget, std::vector<TraceStep>* trace,
                         std::vector<Observation>& seen);
    // Forgets what earlier runs built; call between events (the decisions of one event may be
    // read together until then).
    void reset() { arena_.reset(); }
    Arena& arena() { return arena_; }

private:
    struct ProbeIndex;
    // The interpreter; `Observe` compiles the probes in (run_observed) or out (run).
    template <bool Observe>
    Outcome loop(const bytecode::Function& f, const Inputs& in, std::int64_t budget, std::vector<TraceStep>* trace,
                 const ProbeIndex* probes, std::vector<Observation>* seen);

    const Image& image_;
    std::vector<Value> registers_;
    Arena arena_;
};

}  // namespace switchyard::vm
