// The schema of events, facts, functions and policy kinds: declared once, here, and read by
// the checker (names and types) and by the runtime (field slots, host functions).
#pragma once

#include "stdlib/types.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::stdlib {

struct EnumDecl {
    std::string name;
    std::vector<std::string> members;
    std::string doc;
    std::optional<std::size_t> find(std::string_view member) const;
};

struct FieldDecl {
    std::string name;
    Type type;
    std::string doc;
};

struct RecordDecl {
    std::string name;
    std::vector<FieldDecl> fields;
    std::string doc;
    // The rules declare this record's fields (`contact_field`), one ruleset differently from the
    // next, so `fields` is empty here: the checker, the compiled ruleset and the case reader take
    // them from the ruleset's declarations instead.
    bool declared_by_rules = false;
    std::optional<std::size_t> find(std::string_view field) const;
};

// A policy result type whose values are made by constructors, some of them bare (`attach`).
struct VariantDecl {
    std::string name;
    std::vector<std::size_t> constructors;  // indexes into Schema::functions()
    std::string doc;
};

// A result's arguments read as fields (`routing.project`, `delivery.reason`): each parameter
// name of the result type's constructors, in the order first declared, with its type made
// optional: the field is `none` when the result's constructor has no such parameter. A name
// whose constructors disagree on its type, and `thread`'s keys, are not fields.
struct ResultField {
    std::string name;
    Type type;
};

struct ParamDecl {
    std::string name;
    Type type;
    // An optional parameter is passed by name (`title: "..."`) and is `none` when left out.
    bool optional = false;
    // The argument must be a constant naming a zone of the tz database (`"Europe/Moscow"`): the
    // compiler checks the name and puts that zone's rules into the compiled ruleset.
    bool time_zone = false;
};

enum class FunctionRole : std::uint8_t { builtin, fact_query, constructor };

struct FunctionDecl {
    std::string name;
    std::vector<ParamDecl> params;
    Type result;
    FunctionRole role = FunctionRole::builtin;
    // The first parameter takes one or more positional arguments (`thread(a, b, c)`).
    bool variadic_first = false;
    std::string doc;
    // A constructor whose parameters are all optional may be written without parentheses.
    bool callable_bare() const;
    std::string signature(const class Schema& schema) const;
};

// A name a policy body can read: a fact about the event (`message`, `task`, `setting`).
struct BindingDecl {
    std::string name;
    Type type;
    std::string doc;
};

using DirectionMask = std::uint8_t;

struct PolicyKindDecl {
    std::string name;
    Type result;
    std::vector<BindingDecl> bindings;
    DirectionMask directions = 0;  // bit i set: direction member i may reach this kind
    bool per_file = false;         // evaluated once for each file of the message
    std::string doc;
    const BindingDecl* find_binding(std::string_view name) const;
};

// One dimension of a policy scope (`for inbound`, `via telegram`, `in group, channel`).
struct ScopeDimension {
    std::string keyword;  // the word that opens the clause
    std::size_t enum_index;
    std::string path;     // the expression it constrains inside a policy body
    std::string doc;
};

class Schema {
public:
    const std::vector<EnumDecl>& enums() const { return enums_; }
    const std::vector<RecordDecl>& records() const { return records_; }
    const std::vector<VariantDecl>& variants() const { return variants_; }
    const std::vector<FunctionDecl>& functions() const { return functions_; }
    const std::vector<PolicyKindDecl>& kinds() const { return kinds_; }
    const std::vector<ScopeDimension>& dimensions() const { return dimensions_; }

    const EnumDecl& enum_of(Type t) const { return enums_.at(t.decl); }
    const RecordDecl& record_of(Type t) const { return records_.at(t.decl); }
    const VariantDecl& variant_of(Type t) const { return variants_.at(t.decl); }

    std::optional<std::size_t> find_function(std::string_view name) const;
    const PolicyKindDecl* find_kind(std::string_view name) const;
    const ScopeDimension* find_dimension(std::string_view keyword) const;
    // A type written in rules or in this schema: `bool`, `list<person>`, `string?`.
    std::optional<Type> parse_type(std::string_view text) const;
    std::optional<Type> named_type(std::string_view name) const;
    std::string type_name(Type t) const;
    // The names a `did you mean` hint picks from.
    std::vector<std::string_view> type_names() const;
    std::vector<std::string_view> function_names() const;
    std::vector<std::string_view> kind_names() const;

    // The fields of a result type, and which parameter of a constructor a field reads (nullopt
    // when the constructor has none of that name).
    std::vector<ResultField> result_fields(std::size_t variant) const;
    std::optional<std::size_t> result_field_param(std::size_t constructor, std::string_view field) const;

    // A hash of everything above; compiled rulesets record the schema they were checked against.
    std::uint64_t fingerprint() const;
    // The whole schema as readable text (`switchyard schema`, docs).
    std::string describe() const;

    // Construction (used by builtin_schema() and by tests that need a small schema).
    std::size_t add_enum(EnumDecl decl);
    std::size_t add_record(RecordDecl decl);
    std::size_t add_variant(std::string name, std::string doc);
    std::size_t add_function(FunctionDecl decl);
    void add_kind(PolicyKindDecl decl);
    void add_dimension(ScopeDimension dim);
    RecordDecl& record_mut(std::size_t index) { return records_.at(index); }

private:
    std::vector<EnumDecl> enums_;
    std::vector<RecordDecl> records_;
    std::vector<VariantDecl> variants_;
    std::vector<FunctionDecl> functions_;
    std::vector<PolicyKindDecl> kinds_;
    std::vector<ScopeDimension> dimensions_;
};

// The schema that the shipped runtime publishes.
const Schema& builtin_schema();

}  // namespace switchyard::stdlib
