// Rows read and written alike by several of the store's files (declared in impl.hpp).
#include "runtime/store/impl.hpp"

namespace switchyard::store {

std::string_view json_text(const boost::json::value& v, std::string& buffer) {
    boost::json::serializer serializer;
    serializer.reset(&v);
    buffer.clear();
    char chunk[4096];
    while (!serializer.done()) buffer.append(serializer.read(chunk));
    return buffer;
}

boost::json::array array_from(const std::string& text) {
    boost::system::error_code ec;
    auto v = boost::json::parse(text, ec);
    if (ec || !v.is_array()) return {};
    return std::move(v.as_array());
}

PersonRef person_at(const sql::Query& q, int kind, int id, int name) {
    PersonRef p;
    p.kind = q.optional_text(kind).value_or("employee");
    p.id = q.optional_integer(id).value_or(0);
    p.name = q.text(name);
    return p;
}

std::optional<std::int64_t> nonzero(std::int64_t id) { return id == 0 ? std::nullopt : std::optional(id); }

CommentRecord comment_record_at(const sql::Query& q) {
    CommentRecord c;
    c.id = q.integer(0);
    c.task = q.integer(1);
    c.conversation = q.optional_integer(2);
    c.chat = q.text(3);
    c.chat_kind = q.text(4);
    c.direction = q.text(5);
    c.author = person_at(q, 6, 7, 8);
    c.text = q.text(9);
    c.external_id = q.optional_text(10);
    c.number = q.optional_integer(11);
    c.participants = array_from(q.text(12));
    c.sent_at = q.integer(13);
    c.integration = q.text(14);
    c.quotes = q.optional_integer(15);
    c.delivery_status = q.optional_text(16);
    return c;
}

}  // namespace switchyard::store
