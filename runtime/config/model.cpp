// What a Config answers about itself once read: names of its enums, lookups of integrations
// and employees, the public URL. Reading the file is config.cpp's.
#include "runtime/config/config.hpp"

#include "common/text.hpp"

#include <cctype>

namespace switchyard::config {

std::string_view service_name(Service service) {
    switch (service) {
    case Service::telegram: return "telegram";
    case Service::telegram_business: return "telegram_business";
    case Service::wazzup: return "wazzup";
    }
    return "telegram";
}

const Integration* Config::integration(std::string_view id) const {
    for (const auto& i : integrations)
        if (i.id == id) return &i;
    return nullptr;
}

const Employee* Config::employee(std::int64_t id) const {
    for (const auto& e : employees)
        if (e.id == id) return &e;
    return nullptr;
}

std::string_view durability_name(Durability durability) {
    return durability == Durability::power_loss ? "power_loss" : "process_crash";
}

std::string_view log_level_name(LogLevel level) {
    switch (level) {
        case LogLevel::debug: return "debug";
        case LogLevel::info: return "info";
        case LogLevel::warn: return "warn";
        case LogLevel::error: return "error";
    }
    return "info";
}

std::string_view field_type_name(FieldType type) {
    switch (type) {
        case FieldType::boolean: return "bool";
        case FieldType::integer: return "int";
        case FieldType::string: return "string";
    }
    return "string";
}

std::optional<std::string> Employee::telegram_username() const {
    if (!telegram || telegram->empty() || std::isdigit(static_cast<unsigned char>(telegram->back()))) return std::nullopt;
    return common::ascii_lower(telegram->front() == '@' ? telegram->substr(1) : *telegram);
}

const Employee* Config::employee_by_username(std::string_view username) const {
    if (username.starts_with('@')) username.remove_prefix(1);
    auto wanted = common::ascii_lower(username);
    for (const auto& e : employees)
        if (e.telegram_username() == wanted) return &e;
    return nullptr;
}

std::string Config::public_base_url() const {
    if (!public_url.empty()) return public_url;
    bool v6 = listen_address.find(':') != std::string::npos;
    return "http://" + (v6 ? "[" + listen_address + "]" : listen_address) + ":" + std::to_string(listen_port);
}

const Employee* Config::owner() const {
    for (const auto& e : employees)
        if (e.owner) return &e;
    return nullptr;
}

}  // namespace switchyard::config
