#include "common/source.hpp"

#include <algorithm>

namespace switchyard::common {

SourceFile::SourceFile(std::string path, std::string text) : path_(std::move(path)), text_(std::move(text)) {
    line_starts_.push_back(0);
    for (std::size_t i = 0; i < text_.size(); ++i) {
        if (text_[i] == '\n') line_starts_.push_back(static_cast<std::uint32_t>(i + 1));
    }
}

LineCol SourceFile::locate(std::uint32_t offset) const {
    offset = std::min<std::uint32_t>(offset, static_cast<std::uint32_t>(text_.size()));
    auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
    auto line = static_cast<std::uint32_t>(it - line_starts_.begin());
    std::uint32_t start = line_starts_[line - 1];
    std::string_view prefix(text_.data() + start, offset - start);
    return {line, static_cast<std::uint32_t>(count_code_points(prefix)) + 1};  // a file is at most 64 MiB
}

std::uint32_t SourceFile::offset_of(LineCol position) const {
    if (position.line == 0) return 0;
    if (position.line > line_starts_.size()) return static_cast<std::uint32_t>(text_.size());
    std::size_t offset = line_starts_[position.line - 1];
    std::size_t line_end = position.line < line_starts_.size() ? line_starts_[position.line] - 1 : text_.size();
    // Step over column - 1 code points: a lead byte and its continuation bytes are one.
    for (std::uint32_t column = 1; column < position.column && offset < line_end; ++column) {
        ++offset;
        while (offset < line_end && (static_cast<unsigned char>(text_[offset]) & 0xC0) == 0x80) ++offset;
    }
    return static_cast<std::uint32_t>(offset);
}

std::string_view SourceFile::line_text(std::uint32_t line) const {
    if (line == 0 || line > line_starts_.size()) return {};
    std::size_t start = line_starts_[line - 1];
    std::size_t end = line < line_starts_.size() ? line_starts_[line] - 1 : text_.size();
    if (end > start && text_[end - 1] == '\r') --end;
    return std::string_view(text_).substr(start, end - start);
}

std::string_view SourceFile::slice(Span span) const {
    auto begin = std::min<std::size_t>(span.begin, text_.size());
    auto end = std::min<std::size_t>(std::max(span.begin, span.end), text_.size());
    return std::string_view(text_).substr(begin, end - begin);
}

FileId SourceMap::add(std::string path, std::string text) {
    // A UTF-8 byte order mark, as some Windows editors write, is no part of the text: columns
    // count from the first character, and the parser never sees it.
    constexpr std::string_view bom = "\xEF\xBB\xBF";
    if (std::string_view(text).starts_with(bom)) text.erase(0, bom.size());
    files_.push_back(std::make_unique<SourceFile>(std::move(path), std::move(text)));
    return static_cast<FileId>(files_.size() - 1);
}

}  // namespace switchyard::common
