#include "stdlib/schema.hpp"

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace switchyard::stdlib {

std::optional<std::size_t> EnumDecl::find(std::string_view member) const {
    auto it = std::find(members.begin(), members.end(), member);
    if (it == members.end()) return std::nullopt;
    return static_cast<std::size_t>(it - members.begin());
}

std::optional<std::size_t> RecordDecl::find(std::string_view field) const {
    for (std::size_t i = 0; i < fields.size(); ++i)
        if (fields[i].name == field) return i;
    return std::nullopt;
}

bool FunctionDecl::callable_bare() const {
    return role == FunctionRole::constructor &&
           std::all_of(params.begin(), params.end(), [](const ParamDecl& p) { return p.optional; });
}

std::string FunctionDecl::signature(const Schema& schema) const {
    std::string s = name + "(";
    for (std::size_t i = 0; i < params.size(); ++i) {
        if (i) s += ", ";
        s += params[i].name + ": " + schema.type_name(params[i].optional ? params[i].type.optional() : params[i].type);
        if (i == 0 && variadic_first) s += "...";
        if (params[i].time_zone) s += " (a time zone)";
        if (params[i].optional) s += " = none";
    }
    return s + ") -> " + schema.type_name(result);
}

const BindingDecl* PolicyKindDecl::find_binding(std::string_view binding) const {
    for (const auto& b : bindings)
        if (b.name == binding) return &b;
    return nullptr;
}

std::optional<std::size_t> Schema::find_function(std::string_view name) const {
    for (std::size_t i = 0; i < functions_.size(); ++i)
        if (functions_[i].name == name) return i;
    return std::nullopt;
}

const PolicyKindDecl* Schema::find_kind(std::string_view name) const {
    for (const auto& k : kinds_)
        if (k.name == name) return &k;
    return nullptr;
}

const ScopeDimension* Schema::find_dimension(std::string_view keyword) const {
    for (const auto& d : dimensions_)
        if (d.keyword == keyword) return &d;
    return nullptr;
}

std::optional<Type> Schema::named_type(std::string_view name) const {
    static const std::pair<std::string_view, Type> primitives[] = {
        {"bool", types::boolean}, {"int", types::integer},       {"string", types::string},
        {"size", types::size},    {"duration", types::duration}, {"time", types::time},
        {"date", types::date}, {"time_of_day", types::time_of_day},
        {"T", Type::of(TypeKind::type_var)}, {"any", Type::of(TypeKind::any)},
    };
    for (const auto& [n, t] : primitives)
        if (n == name) return t;
    for (std::size_t i = 0; i < enums_.size(); ++i)
        if (enums_[i].name == name) return Type::of(TypeKind::enumeration, static_cast<std::uint16_t>(i));
    for (std::size_t i = 0; i < records_.size(); ++i)
        if (records_[i].name == name) return Type::of(TypeKind::record, static_cast<std::uint16_t>(i));
    for (std::size_t i = 0; i < variants_.size(); ++i)
        if (variants_[i].name == name) return Type::of(TypeKind::variant, static_cast<std::uint16_t>(i));
    return std::nullopt;
}

std::optional<Type> Schema::parse_type(std::string_view text) const {
    auto trim = [](std::string_view s) {
        while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
        while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
        return s;
    };
    text = trim(text);
    bool optional = !text.empty() && text.back() == '?';
    if (optional) text = trim(text.substr(0, text.size() - 1));
    std::optional<Type> t;
    auto open = text.find('<');
    if (open != std::string_view::npos && text.back() == '>') {
        auto head = trim(text.substr(0, open));
        auto inner = parse_type(text.substr(open + 1, text.size() - open - 2));
        if (!inner) return std::nullopt;
        Wrap w;
        if (head == "list") w = Wrap::list;
        else if (head == "set") w = Wrap::set;
        else if (head == "collection") w = Wrap::collection;
        else return std::nullopt;
        t = inner->wrapped(w);
    } else {
        t = named_type(text);
    }
    if (t && optional) t = t->wrapped(Wrap::optional);
    return t;
}

std::string Schema::type_name(Type t) const {
    std::string s;
    switch (t.base) {
        case TypeKind::error: s = "<error>"; break;
        case TypeKind::nothing: s = "nothing"; break;
        case TypeKind::none: s = "none"; break;
        case TypeKind::boolean: s = "bool"; break;
        case TypeKind::integer: s = "int"; break;
        case TypeKind::string: s = "string"; break;
        case TypeKind::size: s = "size"; break;
        case TypeKind::duration: s = "duration"; break;
        case TypeKind::time: s = "time"; break;
        case TypeKind::date: s = "date"; break;
        case TypeKind::time_of_day: s = "time_of_day"; break;
        case TypeKind::enumeration: s = enums_.at(t.decl).name; break;
        case TypeKind::record: s = records_.at(t.decl).name; break;
        case TypeKind::variant: s = variants_.at(t.decl).name; break;
        case TypeKind::any: s = "any"; break;
        case TypeKind::type_var: s = "T"; break;
    }
    for (std::size_t i = 0; i < t.depth; ++i) {
        switch (t.wraps[i]) {
            case Wrap::list: s = "list<" + s + ">"; break;
            case Wrap::set: s = "set<" + s + ">"; break;
            case Wrap::collection: s = "collection<" + s + ">"; break;
            case Wrap::optional: s += "?"; break;
        }
    }
    return s;
}

std::vector<std::string_view> Schema::type_names() const {
    std::vector<std::string_view> names = {"bool", "int", "string", "size", "duration", "time", "list", "set"};
    for (const auto& e : enums_) names.push_back(e.name);
    for (const auto& r : records_) names.push_back(r.name);
    for (const auto& v : variants_) names.push_back(v.name);
    return names;
}

std::vector<std::string_view> Schema::function_names() const {
    std::vector<std::string_view> names;
    for (const auto& f : functions_) names.push_back(f.name);
    return names;
}

std::vector<std::string_view> Schema::kind_names() const {
    std::vector<std::string_view> names;
    for (const auto& k : kinds_) names.push_back(k.name);
    return names;
}

std::string Schema::describe() const {
    std::ostringstream out;
    for (const auto& e : enums_) {
        out << "enum " << e.name << " {";
        for (std::size_t i = 0; i < e.members.size(); ++i) out << (i ? ", " : " ") << e.members[i];
        out << " }  # " << e.doc << '\n';
    }
    for (const auto& r : records_) {
        out << "record " << r.name << (r.declared_by_rules ? " (fields declared by the rules)" : "") << "  # " << r.doc
            << '\n';
        for (const auto& f : r.fields) out << "    " << f.name << ": " << type_name(f.type) << "  # " << f.doc << '\n';
    }
    for (const auto& v : variants_) out << "result " << v.name << "  # " << v.doc << '\n';
    for (const auto& f : functions_) {
        const char* role = f.role == FunctionRole::constructor ? "constructor"
                           : f.role == FunctionRole::fact_query ? "fact query"
                                                                 : "function";
        out << role << ' ' << f.signature(*this) << "  # " << f.doc << '\n';
    }
    for (const auto& k : kinds_) {
        out << "policy kind " << k.name << " -> " << type_name(k.result) << (k.per_file ? " (per file)" : "") << "  # "
            << k.doc << "\n    directions:";
        const auto& dirs = enums_.at(dimensions_.at(0).enum_index);
        for (std::size_t i = 0; i < dirs.members.size(); ++i)
            if (k.directions & (1u << i)) out << ' ' << dirs.members[i];
        out << "\n    reads:";
        for (const auto& b : k.bindings) out << ' ' << b.name << ": " << type_name(b.type) << ';';
        out << '\n';
    }
    for (const auto& d : dimensions_)
        out << "scope `" << d.keyword << "` over " << enums_.at(d.enum_index).name << " (" << d.path << ")  # " << d.doc
            << '\n';
    return out.str();
}

std::vector<ResultField> Schema::result_fields(std::size_t variant) const {
    std::vector<ResultField> fields;
    std::vector<std::string> conflicting;
    for (std::size_t c : variants_.at(variant).constructors) {
        const auto& fn = functions_.at(c);
        for (std::size_t p = 0; p < fn.params.size(); ++p) {
            if (p == 0 && fn.variadic_first) continue;
            const auto& param = fn.params[p];
            Type t = param.type.optional();
            auto same = std::find_if(fields.begin(), fields.end(), [&](const ResultField& f) { return f.name == param.name; });
            if (same == fields.end()) fields.push_back({param.name, t});
            else if (!(same->type == t)) conflicting.push_back(param.name);
        }
    }
    std::erase_if(fields, [&](const ResultField& f) {
        return std::find(conflicting.begin(), conflicting.end(), f.name) != conflicting.end();
    });
    return fields;
}

std::optional<std::size_t> Schema::result_field_param(std::size_t constructor, std::string_view field) const {
    const auto& fn = functions_.at(constructor);
    for (std::size_t p = fn.variadic_first ? 1 : 0; p < fn.params.size(); ++p)
        if (fn.params[p].name == field) return p;
    return std::nullopt;
}

std::uint64_t Schema::fingerprint() const {
    // FNV-1a over the readable description: any change of a name, type or order changes it.
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : describe()) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

std::size_t Schema::add_enum(EnumDecl decl) {
    enums_.push_back(std::move(decl));
    return enums_.size() - 1;
}
std::size_t Schema::add_record(RecordDecl decl) {
    records_.push_back(std::move(decl));
    return records_.size() - 1;
}
std::size_t Schema::add_variant(std::string name, std::string doc) {
    variants_.push_back(VariantDecl{std::move(name), {}, std::move(doc)});
    return variants_.size() - 1;
}
std::size_t Schema::add_function(FunctionDecl decl) {
    if (decl.role == FunctionRole::constructor && decl.result.base == TypeKind::variant && decl.result.depth == 0)
        variants_.at(decl.result.decl).constructors.push_back(functions_.size());
    functions_.push_back(std::move(decl));
    return functions_.size() - 1;
}
void Schema::add_kind(PolicyKindDecl decl) { kinds_.push_back(std::move(decl)); }
void Schema::add_dimension(ScopeDimension dim) { dimensions_.push_back(std::move(dim)); }

}  // namespace switchyard::stdlib
