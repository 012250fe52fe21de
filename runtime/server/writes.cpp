// The write API (docs/api.md, "Changing things") and the download links: paths to the desk's
// calls (runtime/actions), and the desk's answers to HTTP. The desk does the work.
#include "runtime/server/routes_impl.hpp"

#include <vector>

namespace switchyard::server {

namespace {

std::vector<std::string_view> segments(std::string_view path) {
    std::vector<std::string_view> out;
    while (!path.empty()) {
        auto slash = path.find('/');
        out.push_back(path.substr(0, slash));
        if (slash == std::string_view::npos) break;
        path.remove_prefix(slash + 1);
    }
    return out;
}

// The request's JSON object; a DELETE (which has no body) gives `by` in the query.
std::variant<boost::json::value, Response> input(const Request& request, const boost::urls::url_view& url) {
    boost::json::value v = boost::json::object();
    if (!request.body().empty()) {
        boost::system::error_code ec;
        v = boost::json::parse(request.body(), ec);
        if (ec) return error(request, http::status::bad_request, "the body is not JSON: " + ec.message());
    }
    if (auto by = query_param(url, "by"); by && v.is_object() && !v.as_object().contains("by")) {
        if (auto id = to_id(*by)) v.as_object()["by"] = *id;
        else return error(request, http::status::bad_request, "by: expected an employee id, found `" + *by + "`");
    }
    return v;
}

Response bytes_reply(const Request& request, actions::Download d) {
    // The name in quotes, its quotes and backslashes dropped: the header stays well-formed.
    std::string name;
    for (char c : d.name)
        if (c != '"' && c != '\\' && static_cast<unsigned char>(c) >= 0x20) name += c;
    auto r = reply(request, http::status::ok, std::move(d.bytes), d.mime);
    r.set(http::field::content_disposition, "attachment; filename=\"" + name + "\"");
    return r;
}

Response served(const Request& request, std::variant<actions::Download, actions::Answer> got) {
    if (auto* d = std::get_if<actions::Download>(&got)) return bytes_reply(request, std::move(*d));
    return answer(request, std::get<actions::Answer>(got));
}

using Verb = http::verb;

std::optional<Response> task_routes(const Request& request, const std::vector<std::string_view>& s,
                                    const boost::json::value& in, actions::Desk& desk) {
    auto id = to_id(s[1]);
    if (!id) return std::nullopt;
    auto verb = request.method();
    if (s.size() == 2 && verb == Verb::delete_) return answer(request, desk.delete_task(*id, in));
    if (s.size() == 3 && verb == Verb::post) {
        if (s[2] == "comments") return answer(request, desk.post_comment(*id, in));
        if (s[2] == "complete") return answer(request, desk.change_task(*id, actions::TaskChange::complete, in));
        if (s[2] == "reopen") return answer(request, desk.change_task(*id, actions::TaskChange::reopen, in));
        if (s[2] == "chats") return answer(request, desk.link_chat(*id, in));
        if (s[2] == "private-reply") return answer(request, desk.private_reply(*id, in));
    }
    if (s.size() == 5 && s[2] == "chats" && verb == Verb::delete_) return answer(request, desk.unlink_chat(*id, s[3], s[4], in));
    return std::nullopt;
}

std::optional<Response> comment_routes(const Request& request, const std::vector<std::string_view>& s,
                                       const boost::json::value& in, actions::Desk& desk) {
    auto id = to_id(s[1]);
    if (!id) return std::nullopt;
    auto verb = request.method();
    if (s.size() == 3 && s[2] == "like" && (verb == Verb::post || verb == Verb::delete_))
        return answer(request, desk.like(*id, verb == Verb::post, in));
    if (s.size() == 4 && s[2] == "files" && verb == Verb::get) {
        auto position = to_id(s[3]);  // from 0: to_id takes 1 and up, so `0` is read apart
        if (s[3] == "0") position = 0;
        if (!position) return error(request, http::status::bad_request, "not a file position: `" + std::string(s[3]) + "`");
        return served(request, desk.comment_file(*id, *position));
    }
    return std::nullopt;
}

}  // namespace

std::optional<Response> write_api(const Request& request, const boost::urls::url_view& url, std::string_view path, Context& ctx) {
    auto s = segments(path);
    if (s.empty()) return std::nullopt;
    bool writes = request.method() != Verb::get;
    bool quick = s[0] == "quick-replies";
    bool ours = (s[0] == "tasks" && s.size() >= 2 && (writes || s.size() > 2)) || (s[0] == "comments" && s.size() >= 3) ||
                quick || s[0] == "uploads" || s[0] == "conversations" || (s[0] == "integrations" && s.size() >= 3) ||
                (s[0] == "contacts" && writes);
    if (!ours) return std::nullopt;
    if (!ctx.desk) return error(request, http::status::method_not_allowed, "this server's API is read-only");
    auto& desk = *ctx.desk;
    if (s[0] == "uploads" && request.method() == Verb::post) {
        auto mime = request.find(http::field::content_type);
        return answer(request, desk.upload(request.body(), query_param(url, "name").value_or(""),
                                           mime == request.end() ? std::string_view() : std::string_view(mime->value())));
    }
    if (s[0] == "integrations" && s.size() == 3 && s[2] == "channels" && request.method() == Verb::get)
        return answer(request, desk.channels(s[1]));
    if (quick && s.size() == 1 && request.method() == Verb::get) {
        std::optional<std::int64_t> employee;
        if (auto e = query_param(url, "employee")) {
            employee = to_id(*e);
            if (!employee) return error(request, http::status::bad_request, "employee: expected an employee id");
        }
        return answer(request, desk.quick_replies(employee));
    }
    auto in = input(request, url);
    if (auto* refused = std::get_if<Response>(&in)) return std::move(*refused);
    const auto& body = std::get<boost::json::value>(in);
    std::optional<Response> r;
    if (s[0] == "conversations" && s.size() == 1 && request.method() == Verb::post) r = answer(request, desk.start_conversation(body));
    else if (s[0] == "integrations" && s.size() == 3 && s[2] == "channels" && request.method() == Verb::post)
        r = answer(request, desk.add_channel(s[1], body));
    else if (s[0] == "integrations" && s.size() == 4 && s[2] == "channels" && request.method() == Verb::delete_)
        r = answer(request, desk.delete_channel(s[1], s[3], body));
    else if (s[0] == "tasks") r = task_routes(request, s, body, desk);
    else if (s[0] == "contacts" && s.size() == 2 && request.method() == Verb::put) {
        if (auto id = to_id(s[1])) r = answer(request, desk.set_contact(*id, body));
    }
    else if (s[0] == "comments") r = comment_routes(request, s, body, desk);
    else if (quick && s.size() == 1 && request.method() == Verb::post) r = answer(request, desk.add_quick_reply(body));
    else if (quick && s.size() == 2 && request.method() == Verb::delete_) {
        if (auto id = to_id(s[1])) r = answer(request, desk.delete_quick_reply(*id, body));
    }
    if (r) return r;
    return error(request, http::status::not_found, "no route " + std::string(request.method_string()) + " /api/v1/" + std::string(path));
}

Response download(const Request& request, const boost::urls::url_view& url, std::string_view rest, Context& ctx) {
    if (request.method() != Verb::get) return error(request, http::status::method_not_allowed, "files are read with GET");
    auto slash = rest.find('/');
    if (slash == std::string_view::npos) return error(request, http::status::not_found, "no such file");
    // The path arrives percent-decoded from Boost.URL (`url.path()`), as the name was signed.
    return served(request, ctx.desk->linked_file(rest.substr(0, slash), rest.substr(slash + 1),
                                                 query_param(url, "expires").value_or(""), query_param(url, "sig").value_or("")));
}

}  // namespace switchyard::server
