// Files: uploads for comments to come, a comment's files for employees, and the download links
// that messages carry for everyone who has them.
#include "runtime/actions/desk_impl.hpp"

#include "common/clock.hpp"

#include <boost/url/encode.hpp>
#include <boost/url/rfc/pchars.hpp>

#include <charconv>

namespace switchyard::actions {

namespace {

std::string mime_by_extension(std::string_view name) {
    static const std::pair<std::string_view, std::string_view> known[] = {
        {".pdf", "application/pdf"}, {".jpg", "image/jpeg"}, {".jpeg", "image/jpeg"}, {".png", "image/png"},
        {".gif", "image/gif"},       {".mp4", "video/mp4"},  {".mp3", "audio/mpeg"},  {".zip", "application/zip"},
        {".txt", "text/plain"},
    };
    for (const auto& [ext, mime] : known)
        if (name.size() > ext.size() && name.substr(name.size() - ext.size()) == ext) return std::string(mime);
    return "application/octet-stream";
}

}  // namespace

Answer Desk::upload(std::string_view bytes, std::string_view name, std::string_view mime) {
    return guarded([&] {
        if (name.empty()) refuse(400, "name: missing: POST /api/v1/uploads?name=FILE.pdf", "name");
        if (bytes.empty()) refuse(400, "the body is empty: it is the file's bytes");
        auto stored = impl_->files.put(bytes);
        if (const auto* no = std::get_if<files::Refused>(&stored)) refuse(413, no->reason);
        const auto& s = std::get<files::Stored>(stored);
        std::string type = mime.empty() ? mime_by_extension(name) : std::string(mime);
        return Answer{201, json::object{{"upload", s.blob}, {"name", name}, {"mime", type}, {"size", s.size}}};
    });
}

std::variant<Download, Answer> Desk::comment_file(std::int64_t comment, std::int64_t position) {
    auto file = impl_->store.file(comment, static_cast<int>(position));
    if (!file) return answer({404, "comment " + std::to_string(comment) + " has no file " + std::to_string(position)});
    if (file->stored != "stored" || !file->blob) {
        std::string why = file->stored == "pending" ? "it is being downloaded from the messenger: try again shortly"
                                                    : "its bytes are not kept here (" + file->stored +
                                                          (file->store_error ? ": " + *file->store_error : std::string()) + ")";
        return answer({409, "the file " + file->name + " cannot be served: " + why});
    }
    auto bytes = impl_->files.read(*file->blob);
    if (!bytes) return answer({410, "the file " + file->name + " is recorded but its bytes are gone from the file store"});
    return Download{std::move(*bytes), file->name, file->mime};
}

std::variant<Download, Answer> Desk::linked_file(std::string_view blob, std::string_view name, std::string_view expires,
                                                 std::string_view signature) {
    std::int64_t expires_s = 0;
    auto [end, ec] = std::from_chars(expires.data(), expires.data() + expires.size(), expires_s);
    bool readable = ec == std::errc() && end == expires.data() + expires.size() && files::is_blob(blob);
    auto now_s = common::wall_clock_ms() / 1000;
    if (!readable || !impl_->links.verify(blob, name, expires_s, signature, now_s))
        return answer({403, "this download link is wrong or has expired: ask for the file again"});
    auto bytes = impl_->files.read(blob);
    if (!bytes) return answer({404, "the file is no longer kept"});
    return Download{std::move(*bytes), std::string(name), mime_by_extension(name)};
}

std::string Desk::Impl::download_link(std::string_view blob, std::string_view name) const {
    auto expires = (common::wall_clock_ms() + config.files.link_ttl_ms) / 1000;
    auto signature = links.sign(blob, name, expires);
    return config.public_base_url() + "/files/" + std::string(blob) + "/" + boost::urls::encode(name, boost::urls::pchars) +
           "?expires=" + std::to_string(expires) + "&sig=" + signature;
}

std::string Desk::download_link(std::string_view blob, std::string_view name) const { return impl_->download_link(blob, name); }

}  // namespace switchyard::actions
