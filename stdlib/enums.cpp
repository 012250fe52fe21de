#include "stdlib/enums.hpp"

namespace switchyard::stdlib {

namespace {

template <class E>
void check_one(const Schema& schema, std::string& out) {
    using Names = EnumNames<E>;
    const EnumDecl* decl = nullptr;
    for (const auto& e : schema.enums())
        if (e.name == Names::name) decl = &e;
    if (!decl) {
        out += "enum " + std::string(Names::name) + ": not in the schema; ";
        return;
    }
    if (decl->members.size() != Names::members.size())
        out += "enum " + std::string(Names::name) + ": " + std::to_string(Names::members.size()) + " members here, " +
               std::to_string(decl->members.size()) + " in the schema; ";
    for (std::size_t i = 0; i < decl->members.size() && i < Names::members.size(); ++i)
        if (decl->members[i] != Names::members[i])
            out += "enum " + std::string(Names::name) + ": member " + std::to_string(i) + " is `" +
                   std::string(Names::members[i]) + "` here and `" + decl->members[i] + "` in the schema; ";
}

template <class... Enums>
void check_all(const Schema& schema, std::string& out) {
    (check_one<Enums>(schema, out), ...);
}

}  // namespace

std::string check_enums(const Schema& schema) {
    std::string out;
    check_all<Direction, Transport, ChatKind, Service, TaskStatus, FileKind, NoticeReason, Plan, StartedBy, ReopenAction,
              ReactionAction, AlertRoute>(schema, out);
    if (out.size() >= 2) out.resize(out.size() - 2);
    return out;
}

}  // namespace switchyard::stdlib
