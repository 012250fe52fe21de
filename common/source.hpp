// Source files and spans: where a piece of rule text came from.
#pragma once

#include "common/utf8.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::common {

// A half-open byte range [begin, end) inside one source file.
struct Span {
    std::uint32_t begin = 0;
    std::uint32_t end = 0;

    static Span join(Span a, Span b) { return {a.begin < b.begin ? a.begin : b.begin, a.end > b.end ? a.end : b.end}; }
    friend bool operator==(Span, Span) = default;
};

// 1-based line and column; the column counts Unicode code points, as editors do.
struct LineCol {
    std::uint32_t line = 1;
    std::uint32_t column = 1;
};

using FileId = std::uint32_t;

// The largest rule file we accept: spans are 32-bit byte offsets.
inline constexpr std::size_t max_source_bytes = 64u * 1024u * 1024u;

// One loaded rule file with an index of its line starts.
class SourceFile {
public:
    SourceFile(std::string path, std::string text);

    const std::string& path() const { return path_; }
    const std::string& text() const { return text_; }
    std::size_t line_count() const { return line_starts_.size(); }
    LineCol locate(std::uint32_t offset) const;
    // The reverse of locate: the offset of a 1-based line and column (code points), for readers
    // that report positions as lines and columns (TOML). Out-of-range positions are clamped to
    // the line, or to the end of the text.
    std::uint32_t offset_of(LineCol position) const;
    // The text of a 1-based line, without its line break.
    std::string_view line_text(std::uint32_t line) const;
    std::string_view slice(Span span) const;

private:
    std::string path_;
    std::string text_;
    std::vector<std::uint32_t> line_starts_;
};

// All files of one run; FileId indexes into it. Files never move once added.
class SourceMap {
public:
    // A leading UTF-8 byte order mark is dropped from `text`.
    FileId add(std::string path, std::string text);
    const SourceFile& file(FileId id) const { return *files_.at(id); }
    std::size_t size() const { return files_.size(); }

private:
    std::vector<std::unique_ptr<SourceFile>> files_;
};

}  // namespace switchyard::common
