// PUT /api/v1/contacts/{id}: a contact's tags and custom fields, which rules read as
// `contact.tags` (and the read API shows). Fields are those the configuration declares in
// [contact_fields], each value of its declared type.
#include "runtime/actions/desk_impl.hpp"

#include <algorithm>

namespace switchyard::actions {

namespace {

constexpr std::size_t max_tag_bytes = 64;

std::string found(const json::value& v) {
    if (v.is_string()) return "a string";
    if (v.is_bool()) return "a boolean";
    if (v.is_number()) return "a number";
    if (v.is_array()) return "an array";
    return v.is_object() ? "an object" : "null";
}

// The tags, checked: strings, not empty, not too long, each once.
std::vector<std::string> read_tags(const json::value& v) {
    if (!v.is_array()) refuse(400, "tags: expected an array of strings, found " + found(v), "tags");
    std::vector<std::string> tags;
    for (std::size_t i = 0; i < v.as_array().size(); ++i) {
        const auto& item = v.as_array()[i];
        std::string field = "tags[" + std::to_string(i) + "]";
        if (!item.is_string()) refuse(400, field + ": expected a string, found " + found(item), field);
        std::string tag(item.as_string());
        // (The JSON parser has checked the UTF-8.)
        if (tag.empty() || tag.size() > max_tag_bytes)
            refuse(422, field + ": a tag is 1 to " + std::to_string(max_tag_bytes) + " bytes", field);
        if (std::find(tags.begin(), tags.end(), tag) != tags.end())
            refuse(422, field + ": `" + tag + "` is given twice (tags are a set)", field);
        tags.push_back(std::move(tag));
    }
    return tags;
}

std::string declared_fields(const config::Config& config) {
    std::string names;
    for (const auto& [name, type] : config.contact_fields)
        names += (names.empty() ? "`" : ", `") + name + "` (" + std::string(config::field_type_name(type)) + ")";
    return names.empty() ? "the configuration declares no [contact_fields]" : "the configuration declares " + names;
}

bool fits(config::FieldType type, const json::value& v) {
    switch (type) {
        case config::FieldType::boolean: return v.is_bool();
        case config::FieldType::integer: return v.is_int64() || v.is_uint64();
        case config::FieldType::string: return v.is_string();
    }
    return false;
}

// Each field's value as JSON text, or none (null) to remove it; checked against [contact_fields].
std::vector<std::pair<std::string, std::optional<std::string>>> read_fields(const config::Config& config,
                                                                           const json::value& v) {
    if (!v.is_object()) refuse(400, "fields: expected an object, found " + found(v), "fields");
    std::vector<std::pair<std::string, std::optional<std::string>>> fields;
    for (const auto& [key, value] : v.as_object()) {
        std::string field = "fields." + std::string(key);
        auto declared = config.contact_fields.find(std::string_view(key));
        if (declared == config.contact_fields.end())
            refuse(422, field + ": no such contact field (" + declared_fields(config) + ")", field);
        if (value.is_null()) {
            fields.emplace_back(std::string(key), std::nullopt);
            continue;
        }
        if (!fits(declared->second, value))
            refuse(422, field + ": expected " + std::string(config::field_type_name(declared->second)) + ", found " + found(value), field);
        fields.emplace_back(std::string(key), json::serialize(value));
    }
    return fields;
}

json::object fields_json(const std::vector<std::pair<std::string, std::string>>& fields) {
    json::object out;
    for (const auto& [name, text] : fields) out[name] = json::parse(text);
    return out;
}

}  // namespace

Answer Desk::set_contact(std::int64_t id, const json::value& body) {
    return guarded([&] {
        Input in(body);
        impl_->actor(in);
        const auto& o = body.as_object();
        std::optional<std::vector<std::string>> tags;
        if (const auto* t = o.if_contains("tags")) tags = read_tags(*t);
        std::vector<std::pair<std::string, std::optional<std::string>>> fields;
        if (const auto* f = o.if_contains("fields")) fields = read_fields(impl_->config, *f);
        auto work = impl_->store.begin_work();
        if (!work.contact(id)) refuse(404, "no contact " + std::to_string(id));
        if (tags) work.set_contact_tags(id, *tags);
        work.set_contact_fields(id, fields);
        json::array tags_now;
        for (auto& tag : work.contact_tags(id)) tags_now.emplace_back(tag);
        auto fields_now = fields_json(work.contact_fields(id));
        work.commit();
        return Answer{200, json::object{{"contact", id}, {"tags", std::move(tags_now)}, {"fields", std::move(fields_now)}}};
    });
}

}  // namespace switchyard::actions
