#include "bytecode/footprint.hpp"

#include <algorithm>
#include <bit>

namespace switchyard::bytecode {

namespace {

std::optional<std::uint16_t> fact_query_called(const Instr& instr, const stdlib::Schema& schema) {
    auto fn = operand_in(instr, Operand::H);
    if (fn && *fn < schema.functions().size() && schema.functions()[*fn].role == stdlib::FunctionRole::fact_query)
        return fn;
    return std::nullopt;
}

std::string unnamed_input(std::size_t b) { return "input " + std::to_string(b); }

std::string input_name(const std::vector<std::string>& names, std::size_t b) {
    return b < names.size() ? names[b] : unnamed_input(b);
}

std::string function_name(std::uint16_t fn, const stdlib::Schema& schema) {
    return fn < schema.functions().size() ? schema.functions()[fn].name : "function " + std::to_string(fn);
}

}  // namespace

Footprint compute_footprint(const Function& f, const stdlib::Schema& schema) {
    Footprint fp;
    const std::size_t inputs = std::min<std::size_t>(f.inputs, max_footprint_inputs);
    for (const auto& instr : f.code) {
        for_each_register(instr, schema, [&](RegisterUse use) {
            if (use.read && use.reg < inputs) fp.inputs |= std::uint64_t(1) << use.reg;
        });
        if (auto fn = fact_query_called(instr, schema)) fp.fact_queries.push_back(*fn);
    }
    std::sort(fp.fact_queries.begin(), fp.fact_queries.end());
    fp.fact_queries.erase(std::unique(fp.fact_queries.begin(), fp.fact_queries.end()), fp.fact_queries.end());
    return fp;
}

namespace {

// The registers that may hold the input: itself and the targets of `move`s from them (a
// register reused for another value later stays in the set, which only adds fields).
std::vector<bool> copies_of(const Function& f, std::size_t input) {
    std::vector<bool> copies(f.registers.size() + 1, false);
    if (input < copies.size()) copies[input] = true;
    for (bool grew = true; grew;) {
        grew = false;
        for (const auto& instr : f.code)
            if (instr.op == Op::move && instr.b < copies.size() && copies[instr.b] && instr.a < copies.size() && !copies[instr.a])
                copies[instr.a] = grew = true;
    }
    return copies;
}

}  // namespace

std::uint64_t fields_read(const Function& f, std::size_t input, const stdlib::Schema& schema) {
    constexpr std::uint64_t every_field = ~std::uint64_t(0);
    auto copies = copies_of(f, input);
    auto holds_input = [&](std::size_t reg) { return reg < copies.size() && copies[reg]; };
    std::uint64_t fields = 0;
    for (const auto& instr : f.code) {
        if (instr.op == Op::move) continue;  // a copy is followed where it is read
        if ((instr.op == Op::get_field || instr.op == Op::get_field_opt) && holds_input(instr.b)) {
            fields |= instr.c < 64 ? std::uint64_t(1) << instr.c : every_field;
            continue;
        }
        // A fact query reads only the id (field 0) of a fact it is given (vm::FactQueries).
        const std::uint64_t read_whole = fact_query_called(instr, schema) ? 1 : every_field;
        for_each_register(instr, schema, [&](RegisterUse use) {
            if (use.read && holds_input(use.reg)) fields |= read_whole;
        });
    }
    return fields;
}

std::vector<std::string> input_names(const Function& f, bool expectation, const stdlib::Schema& schema) {
    const auto& kinds = schema.kinds();
    std::vector<std::string> names;
    for (std::size_t b = 0; b < f.inputs; ++b) {
        if (expectation) names.push_back(b < kinds.size() ? kinds[b].name : unnamed_input(b));
        else if (f.kind < kinds.size() && b < kinds[f.kind].bindings.size()) names.push_back(kinds[f.kind].bindings[b].name);
        else names.push_back(unnamed_input(b));
    }
    return names;
}

std::string describe(const Footprint& footprint, const std::vector<std::string>& names, const stdlib::Schema& schema) {
    std::string reads, queries;
    for (std::size_t b = 0; b < max_footprint_inputs; ++b)
        if (footprint.reads_input(b)) reads += (reads.empty() ? "" : ", ") + input_name(names, b);
    for (auto fn : footprint.fact_queries) queries += (queries.empty() ? "" : ", ") + function_name(fn, schema);
    return "reads: " + (reads.empty() ? "nothing" : reads) + "; queries: " + (queries.empty() ? "none" : queries);
}

std::optional<std::string> footprint_mismatch(const Function& f, const std::vector<std::string>& names,
                                              const stdlib::Schema& schema) {
    if (f.inputs > max_footprint_inputs)
        return "it has " + std::to_string(f.inputs) + " inputs, more than the " + std::to_string(max_footprint_inputs) +
               " a footprint can name";
    const Footprint& declared = f.footprint;
    if (f.inputs < max_footprint_inputs && (declared.inputs >> f.inputs) != 0)
        return "its footprint lists input " + std::to_string(std::countr_zero(declared.inputs >> f.inputs) + f.inputs) +
               ", but it has " + std::to_string(f.inputs) + " inputs";
    const auto& listed = declared.fact_queries;
    if (!std::is_sorted(listed.begin(), listed.end()) || std::adjacent_find(listed.begin(), listed.end()) != listed.end())
        return std::string("its footprint's fact queries are not sorted and unique");
    for (auto fn : listed)
        if (fn >= schema.functions().size() || schema.functions()[fn].role != stdlib::FunctionRole::fact_query)
            return "its footprint lists `" + function_name(fn, schema) + "`, which is not a fact query";

    const Footprint actual = compute_footprint(f, schema);
    for (std::size_t b = 0; b < f.inputs; ++b) {
        if (actual.reads_input(b) && !declared.reads_input(b))
            return "reads input `" + input_name(names, b) + "` but its footprint does not list it";
        if (declared.reads_input(b) && !actual.reads_input(b))
            return "its footprint lists input `" + input_name(names, b) + "`, which its code does not read";
    }
    for (auto fn : actual.fact_queries)
        if (!declared.calls(fn)) return "calls `" + function_name(fn, schema) + "` but its footprint does not list it";
    for (auto fn : listed)
        if (!actual.calls(fn)) return "its footprint lists `" + function_name(fn, schema) + "`, which its code does not call";
    return std::nullopt;
}

}  // namespace switchyard::bytecode
