// Host functions: the implementations of the schema's built-in functions and fact queries.
// The checker reads their signatures from the schema (stdlib/builtin.cpp); the VM calls them
// through the table here, indexed by the same function index, so the two cannot drift: a
// schema function without an implementation is refused when a ruleset calling it is loaded.
#pragma once

#include "bytecode/module.hpp"
#include "runtime/vm/value.hpp"
#include "stdlib/schema.hpp"

#include <span>
#include <string>
#include <string_view>

namespace switchyard::vm {

// What fact queries read: answered by the runtime's store, or by a case file. Of a fact given
// to them (a task), implementations read only its id, the first field: the worker leaves out
// the fields no policy reads (bytecode::fields_read), and a query is not one of their readers.
class FactQueries {
public:
    virtual ~FactQueries() = default;
    virtual bool member_of(const Value& person, const Value& chat) const = 0;
    virtual bool has_role(const Value& person, const Value& task) const = 0;
    // A `message` record, or none.
    virtual Value last_message_with(const Value& person) const = 0;
};

// Answers every fact query with "no": for evaluations that have no facts beyond the event.
class NoFacts final : public FactQueries {
public:
    bool member_of(const Value&, const Value&) const override { return false; }
    bool has_role(const Value&, const Value&) const override { return false; }
    Value last_message_with(const Value&) const override { return Value::none(); }
};

struct HostContext {
    Arena& arena;
    const FactQueries& facts;
    const stdlib::Schema& schema;
    const std::vector<bytecode::Zone>& zones;  // the ruleset's, sorted by name
    // The ruleset's contact fields: `str` names a `contact_fields` record's fields by them.
    std::span<const bytecode::Setting> contact_fields;
};

// `types` are the static types of the argument registers: `str` formats by them.
using HostFn = Value (*)(HostContext& ctx, const Value* args, const bytecode::RegType* types);

// The implementation of a schema function, by name; null when there is none.
HostFn find_host_function(std::string_view name);
// The same for the time-zone and calendar functions (host_time.cpp).
HostFn find_time_function(std::string_view name);

// UTC + this many milliseconds is local time in the zone at `utc_ms`; 0 for a zone the ruleset
// does not carry (the compiler puts in every zone its rules name).
std::int64_t zone_offset_ms(const std::vector<bytecode::Zone>& zones, std::string_view zone, std::int64_t utc_ms);

// Text as `str(...)` writes it (docs/cases.md, `str(value)`). A `contact_fields` record's
// fields are the ruleset's, not the schema's: `contact_fields` names them (without it, such a
// record is written `{}`).
void append_text(std::string& out, const Value& v, stdlib::Type type, const stdlib::Schema& schema,
                 std::span<const bytecode::Setting> contact_fields = {});
std::string format_size(std::int64_t bytes);
std::string format_duration(std::int64_t ms);
std::string format_time(std::int64_t ms_since_epoch);

}  // namespace switchyard::vm
