// Values as JSON: the decisions that `switchyard eval` prints and the server stores.
#include "runtime/engine/engine.hpp"

#include "common/civil.hpp"

namespace switchyard::engine {

using stdlib::Type;
using stdlib::TypeKind;
using vm::Tag;
using vm::Value;

namespace {

// `thread` keys are strings or numbers (or none): the compiler turned anything else into text.
boost::json::value key_to_json(const Value& v, const boost::json::storage_ptr& sp) {
    switch (v.tag) {
        case Tag::string: return boost::json::value(boost::json::string(v.text(), sp), sp);
        case Tag::integer:
        case Tag::boolean: return boost::json::value(v.i, sp);
        default: return boost::json::value(nullptr, sp);
    }
}

}  // namespace

boost::json::value value_to_json(const Value& v, Type type, const stdlib::Schema& schema, const boost::json::storage_ptr& sp) {
    if (v.is_none()) return boost::json::value(nullptr, sp);
    Type t = type.without_optional();
    if (t.is_wrapped()) {
        boost::json::array a(sp);
        a.reserve(v.len);
        for (const auto& item : v) a.push_back(value_to_json(item, t.inner(), schema, sp));
        return a;
    }
    switch (t.base) {
        case TypeKind::boolean: return boost::json::value(v.truth(), sp);
        case TypeKind::integer:
        case TypeKind::size:
        case TypeKind::duration:
        case TypeKind::time: return boost::json::value(v.i, sp);
        case TypeKind::date: return boost::json::string(common::format_date(v.i), sp);
        case TypeKind::time_of_day: return boost::json::string(common::format_time_of_day(v.i), sp);
        case TypeKind::string: return boost::json::string(v.text(), sp);
        case TypeKind::enumeration: return boost::json::string(schema.enum_of(t).members.at(static_cast<std::size_t>(v.i)), sp);
        case TypeKind::record: {
            boost::json::object o(sp);
            const auto& rec = schema.record_of(t);
            o.reserve(rec.fields.size());
            for (std::size_t i = 0; i < rec.fields.size() && i < v.len; ++i)
                o[rec.fields[i].name] = value_to_json(v[i], rec.fields[i].type, schema, sp);
            return o;
        }
        case TypeKind::variant: {
            const auto& fn = schema.functions().at(v.ctor);
            boost::json::object args(sp);
            for (std::size_t i = 0; i < fn.params.size() && i < v.len; ++i) {
                if (fn.variadic_first && i == 0) {
                    boost::json::array keys(sp);
                    for (const auto& k : v[0]) keys.push_back(key_to_json(k, sp));
                    args[fn.params[0].name] = std::move(keys);
                    continue;
                }
                args[fn.params[i].name] = value_to_json(v[i], fn.params[i].type, schema, sp);
            }
            boost::json::object o(sp);
            o[fn.name] = std::move(args);
            return o;
        }
        default: return boost::json::value(nullptr, sp);
    }
}

}  // namespace switchyard::engine
