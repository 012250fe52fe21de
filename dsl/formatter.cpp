// The canonical layout of rule files. format_module() writes exactly this:
//
//  * Indentation is 4 spaces. No line has trailing spaces; the file ends with exactly one newline
//    (a module with no declarations and no comments formats to the empty text). Widths are
//    counted in code points; the width limit is 100 columns, trailing comments not counted.
//  * Top level is a sequence of items: declarations and blocks of own-line comments. A blank line
//    in the source between two consecutive items is kept as exactly one blank line; there is
//    never more than one blank line in a row, nor one at the start of the file. Besides, two
//    consecutive declarations are separated by a blank line, except that consecutive declarations
//    of the same sort among `import`, `setting`, `contact_field` and `let` that had no blank line
//    between them in the source stay together without one; where such a blank line is not
//    already kept from the source (the source had none anywhere between the two), it goes right
//    after the first declaration, before any comments between them. `ruleset name` is printed
//    as written.
//  * `setting name: type = default` (and `contact_field`), and the description, if any, on the
//    line after the default's last line, indented by 4. Types print as `list<person>`,
//    `set<string>`, `string?`.
//  * `policy KIND for a, b via x in y priority N {` (scope clauses in the order written, the
//    priority last), then the lets (`    let x = ...`), then the rules (`    when COND -> RESULT`,
//    `    otherwise -> RESULT`), then `}`. A rule fits when its one-line form `when COND -> RESULT`,
//    indented, is at most 100 columns. The `->` of the rules of one policy that fit are aligned
//    one space after the longest `when COND` / `otherwise` part among them, except for a rule
//    whose aligned line would be longer than 100 columns: that one gets a single space. A rule
//    that does not fit takes no part in the alignment and is laid out as a statement (below).
//  * `test "name" {`, then `    given fact { field: value }` and `    expect EXPR` items, then `}`.
//  * Expressions are printed by print_expr(): single spaces around binary operators,
//    `f(a, name: b)`, `[a, b]`, `{a, b}`, `{ a: 1, b: 2 }`, `{}` (empty set or record), quoted
//    strings, `5 MB`, `24 h`, `not x`, `-x`, `a.b`, `none`, `true`, `false`, and only the
//    parentheses the grammar needs.
//  * Statements (a top-level or policy `let`, a setting with its default, a rule, a `given`, an
//    `expect`) are printed on one line when that line is at most 100 columns. Otherwise the line
//    is broken, outermost constructs first. The expressions of the statement are laid out from
//    left to right: an expression is printed on one line when it fits on the current line
//    together with the text that must follow it there, that is, the text after it up to the first
//    point where that text could break (just after the `f(`, `[` or `{` of a breakable call or
//    literal, just after the first operand of a chain; the condition of a rule is followed by
//    ` -> ` and its result, an item of a broken construct by its comma). When it does not fit:
//      - a call, list, set or record with at least 2 items is broken one item per line: the
//        opening `f(`, `[`, `{` ends the line; each item (`name: value` for named arguments and
//        record fields) goes on its own line indented 4 more than the line that opens the
//        construct, followed by a comma; the closing `)`, `]`, `}` goes on its own line at the
//        opening line's indentation, followed by whatever comes after the construct;
//      - a chain of the same left-associative operator (`+`, `-`, `and`, `or`, `??`; `a + b - c`
//        is a `-` chain whose first operand is the `+` chain `a + b`) is filled greedily. Its first
//        operand goes on the current line. Each next operand, with its operator before it, stays
//        on the current line if it fits there; if not, it goes on a new line, operator first,
//        indented 4 more than the line where the chain started, provided it fits on that new line;
//        if it fits on neither, it stays on the current line. For the last operand, fitting
//        includes the text that must follow it, so a rule whose condition is broken ends its last
//        condition line with `-> RESULT`;
//      - anything else (a comparison, `not`, `-x`, `where`, `if`, a field access, a call or
//        literal with fewer than 2 items, parentheses) is never broken itself: no line break
//        goes next to its own keywords, operators, brackets or parentheses.
//    Whatever the case, every operand, item and sub-expression is laid out by these same rules,
//    so an inner construct is broken only when its line is still too long. Literals and names
//    never break: a line holding a long string can stay longer than 100 columns. The layout
//    depends on the syntax tree alone, never on how the source was broken.
//  * Comments are never lost and keep their text (minus trailing white space):
//      - a comment that followed code on its line trails (two spaces, then `# ...`) the output
//        line where the construct it followed ends (the last line of a broken statement); a
//        policy or test header `{` counts as a construct, so `policy p {  # note` stays as it is;
//      - a comment on its own line stays on its own line, before the next construct (declaration,
//        policy let, rule, test item) and at that construct's indentation; comments after the
//        last item of a policy or test body go before its `}` at the body's indentation, comments
//        after the last declaration go at the end of the file;
//      - a comment inside a construct (inside an expression, inside a policy or test header,
//        between a setting's default and its description) moves to its own line before that
//        construct, because the layout of a construct leaves no place for comments inside it.
//    Blank lines are kept only at top level (see above): inside policy and test bodies there are
//    none.
//
// The layout is a fixed point: formatting formatted text changes nothing, and parsing it gives a
// module with the same structure (dsl::same_structure) as parsing the original.

#include "dsl/formatter.hpp"

#include "dsl/parser.hpp"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>
#include "dsl/formatter.hpp"

#include "dsl/formatter_impl.hpp"
#include "dsl/parser.hpp"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

namespace switchyard::dsl {

namespace {

// ---- source text -------------------------------------------------------------------------

bool is_blank_char(char c) { return c == ' ' || c == '\t' || c == '\r'; }

bool is_blank_text(std::string_view text) { return std::all_of(text.begin(), text.end(), is_blank_char); }

// Cuts [from, to) out of `source`, clamped so that spans of a module that does not match the
// text cannot read outside it.
std::string_view slice(std::string_view source, std::uint32_t from, std::uint32_t to) {
    std::size_t begin = std::min<std::size_t>(from, source.size());
    std::size_t end = std::clamp<std::size_t>(to, begin, source.size());
    return source.substr(begin, end - begin);
}

// Whether some whole line between `from` and `to` holds nothing but white space.
bool has_blank_line(std::string_view source, std::uint32_t from, std::uint32_t to) {
    std::string_view gap = slice(source, from, to);
    std::size_t line_break = gap.find('\n');
    while (line_break != std::string_view::npos) {
        std::size_t next = gap.find('\n', line_break + 1);
        if (next == std::string_view::npos) return false;
        if (is_blank_text(gap.substr(line_break + 1, next - line_break - 1))) return true;
        line_break = next;
    }
    return false;
}

// The first offset at or after `pos` that is neither white space nor inside a comment. Only used
// between tokens, where a `#` always starts a comment.
std::uint32_t skip_trivia(std::string_view source, std::uint32_t pos) {
    while (pos < source.size()) {
        char c = source[pos];
        if (is_blank_char(c) || c == '\n') {
            ++pos;
        } else if (c == '#') {
            std::size_t line_end = source.find('\n', pos);
            pos = static_cast<std::uint32_t>(line_end == std::string_view::npos ? source.size() : line_end);
        } else {
            break;
        }
    }
    return pos;
}

// Expression spans leave out the parentheses around the whole expression, so the end of a policy
// `let` (which has no span of its own) is found by stepping over the `)` that follow its value.
std::uint32_t end_after_parens(std::string_view source, std::uint32_t end) {
    for (;;) {
        std::uint32_t next = skip_trivia(source, end);
        if (next >= source.size() || source[next] != ')') return end;
        end = next + 1;
    }
}

// The `{` that opens a policy or test body: the first token after the header's last one.
std::uint32_t open_brace_after(std::string_view source, std::uint32_t header_end) {
    std::uint32_t brace = skip_trivia(source, header_end);
    return brace < source.size() && source[brace] == '{' ? brace : header_end;
}

std::uint32_t policy_header_end(const PolicyDecl& policy) {
    std::uint32_t end = policy.kind.span.end;
    for (const auto& clause : policy.scope) {
        end = std::max(end, clause.keyword_span.end);
        for (const auto& value : clause.values) end = std::max(end, value.span.end);
    }
    if (policy.priority) end = std::max(end, policy.priority_span.end);
    return end;
}

// ---- comments ----------------------------------------------------------------------------

// Walks Module::comments in source order; each comment is taken exactly once.
class CommentQueue {
public:
    CommentQueue(const std::vector<Comment>& comments, std::string_view source)
        : comments_(comments), source_(source) {}

    bool empty() const { return next_ == comments_.size(); }
    bool next_starts_before(std::uint32_t pos) const { return !empty() && peek().span.begin < pos; }

    // Whether the next comment follows `end` on the same line with nothing but blanks between:
    // then it trails the construct that ends at `end`.
    bool next_trails(std::uint32_t end) const {
        if (empty() || peek().span.begin < end) return false;
        return is_blank_text(slice(source_, end, peek().span.begin));
    }

    const Comment& peek() const { return comments_[next_]; }

    // The next comment's text, without trailing white space (such as the `\r` of a CRLF file).
    std::string take() {
        std::string_view text = slice(source_, peek().span.begin, peek().span.end);
        ++next_;
        while (!text.empty() && is_blank_char(text.back())) text.remove_suffix(1);
        return std::string(text);
    }

private:
    const std::vector<Comment>& comments_;
    std::string_view source_;
    std::size_t next_ = 0;
};

// ---- output ------------------------------------------------------------------------------

// The formatted lines. Blank lines are requested rather than written, so that there is never
// more than one in a row and none at the start of the file.
class LineWriter {
public:
    void request_blank_line() {
        if (!lines_.empty()) blank_pending_ = true;
    }

    void line(std::size_t indent, std::string_view text) {
        if (blank_pending_) lines_.push_back({});
        blank_pending_ = false;
        lines_.push_back({std::string(indent, ' ') + std::string(text), {}, indent});
    }

    void lines(const std::vector<TextLine>& text_lines) {
        for (const auto& l : text_lines) line(l.indent, l.text);
    }

    // Puts a comment at the end of the last line; should that line have one already, the comment
    // gets a line of its own below it rather than being lost.
    void trail(std::string comment) {
        if (lines_.empty() || !lines_.back().trailing.empty()) {
            line(lines_.empty() ? 0 : lines_.back().indent, comment);
            return;
        }
        lines_.back().trailing = std::move(comment);
    }

    std::string text() const {
        std::string out;
        for (const auto& l : lines_) {
            out += l.text;
            if (!l.trailing.empty()) out += "  " + l.trailing;
            out += '\n';
        }
        return out;
    }

private:
    struct Line {
        std::string text;
        std::string trailing;
        std::size_t indent = 0;
    };
    std::vector<Line> lines_;
    bool blank_pending_ = false;
};

// ---- declarations ------------------------------------------------------------------------

std::vector<TextLine> setting_lines(const SettingDecl& s) {
    std::string head = std::string(s.keyword()) + " " + s.name.name + ": " + print_type(s.type) + " = ";
    auto lines = statement_lines(0, {text_part(std::move(head)), expr_part(*s.default_value)});
    if (s.description) lines.push_back(TextLine{indent_width, quote(*s.description)});
    return lines;
}

std::vector<TextLine> let_lines(std::size_t indent, const LetDecl& let) {
    return statement_lines(indent, {text_part("let " + let.name.name + " = "), expr_part(*let.value)});
}

std::vector<TextLine> fn_lines(const FnDecl& fn) {
    std::string head = "fn " + fn.name.name + "(";
    for (std::size_t i = 0; i < fn.params.size(); ++i)
        head += (i ? ", " : "") + fn.params[i].name.name + ": " + print_type(fn.params[i].type);
    head += ") -> " + print_type(fn.result) + " = ";
    return statement_lines(0, {text_part(head), expr_part(*fn.body)});
}

std::string policy_header(const PolicyDecl& policy) {
    std::string out = "policy " + policy.kind.name;
    for (const auto& clause : policy.scope) {
        out += ' ' + clause.keyword + ' ';
        for (std::size_t i = 0; i < clause.values.size(); ++i) {
            if (i > 0) out += ", ";
            out += clause.values[i].name;
        }
    }
    if (policy.priority) out += " priority " + std::to_string(*policy.priority);
    return out + " {";
}

std::vector<TextLine> test_item_lines(const TestItem& item) {
    if (const auto* given = std::get_if<Given>(&item.item))
        return statement_lines(indent_width, {text_part("given " + given->fact.name + (given->assigned ? " = " : " ")),
                                              expr_part(*given->value)});
    return statement_lines(indent_width, {text_part("expect "), expr_part(*std::get<Expect>(item.item).condition)});
}

// The rules of one policy as printed lines: a rule that fits on one line is one line, its `->`
// aligned with the other rules that fit where that keeps it within max_width columns; a rule
// that does not fit is broken like any statement.
std::vector<std::vector<TextLine>> rule_lines(const PolicyDecl& policy) {
    std::vector<std::string> heads;
    std::vector<std::string> tails;
    std::vector<bool> fits;
    std::size_t widest = 0;
    for (const auto& rule : policy.rules) {
        heads.push_back(rule.is_otherwise() ? "otherwise" : "when " + print_expr(*rule.condition));
        tails.push_back(" -> " + print_expr(*rule.result));
        fits.push_back(indent_width + columns(heads.back()) + columns(tails.back()) <= max_width);
        if (fits.back()) widest = std::max(widest, columns(heads.back()));
    }
    std::vector<std::vector<TextLine>> lines;
    for (std::size_t i = 0; i < heads.size(); ++i) {
        const Rule& rule = policy.rules[i];
        if (!fits[i]) {
            std::vector<Part> parts;
            if (rule.is_otherwise()) {
                parts.push_back(text_part("otherwise -> "));
            } else {
                parts.push_back(text_part("when "));
                parts.push_back(expr_part(*rule.condition));
                parts.push_back(text_part(" -> "));
            }
            parts.push_back(expr_part(*rule.result));
            lines.push_back(statement_lines(indent_width, parts));
            continue;
        }
        std::string aligned = heads[i] + std::string(widest - columns(heads[i]), ' ') + tails[i];
        bool aligned_fits = indent_width + columns(aligned) <= max_width;
        lines.push_back({TextLine{indent_width, aligned_fits ? aligned : heads[i] + tails[i]}});
    }
    return lines;
}

// Whether two adjacent declarations are printed without a blank line between them.
bool stay_together(const Decl& previous, const Decl& next, std::string_view source) {
    bool groupable =
        previous.as<ImportDecl>() || previous.as<SettingDecl>() || previous.as<LetDecl>() || previous.as<FnDecl>();
    // A setting and a contact field are two sorts, though one node.
    const auto* setting = previous.as<SettingDecl>();
    bool same_sort = previous.node.index() == next.node.index() &&
                     (!setting || setting->contact_field == next.as<SettingDecl>()->contact_field);
    return groupable && same_sort && !has_blank_line(source, previous.span.end, next.span.begin);
}

class ModuleFormatter {
public:
    ModuleFormatter(const Module& module, std::string_view source)
        : module_(module), source_(source), comments_(module.comments, source) {}

    std::string run() {
        const Decl* previous = nullptr;
        for (const auto& decl : module_.decls) {
            // The blank line that separates two declarations goes where the source had one; if it
            // had none between them, right after the first.
            if (previous && !stay_together(*previous, decl, source_) &&
                !has_blank_line(source_, previous->span.end, decl.span.begin))
                out_.request_blank_line();
            top_level_comments_before(decl.span.begin);
            if (has_blank_line(source_, last_end_, decl.span.begin)) out_.request_blank_line();
            std::visit([&](const auto& node) { write(decl, node); }, decl.node);
            last_end_ = decl.span.end;
            trailing_comment(decl.span.end);
            previous = &decl;
        }
        top_level_comments_before(static_cast<std::uint32_t>(source_.size()));
        // Comments past the end of the text can only come from a module that does not match it;
        // they are still written rather than dropped.
        while (!comments_.empty()) out_.line(0, comments_.take());
        return out_.text();
    }

private:
    // Own-line comments between declarations, each block after a blank line if it had one.
    void top_level_comments_before(std::uint32_t pos) {
        while (comments_.next_starts_before(pos)) {
            const Comment& comment = comments_.peek();
            if (has_blank_line(source_, last_end_, comment.span.begin)) out_.request_blank_line();
            last_end_ = comment.span.end;
            out_.line(0, comments_.take());
        }
    }

    // Comments before `pos` that belong to the construct about to be written, on their own lines.
    void comments_before(std::uint32_t pos, std::size_t indent) {
        while (comments_.next_starts_before(pos)) out_.line(indent, comments_.take());
    }

    void trailing_comment(std::uint32_t end) {
        if (!comments_.next_trails(end)) return;
        last_end_ = comments_.peek().span.end;
        out_.trail(comments_.take());
    }

    void write(const Decl& decl, const RulesetDecl& ruleset) {
        comments_before(decl.span.end, 0);
        out_.line(0, "ruleset " + ruleset.name.name);
    }

    void write(const Decl& decl, const ImportDecl& import) {
        comments_before(decl.span.end, 0);
        out_.line(0, "import " + quote(import.path));
    }

    void write(const Decl& decl, const SettingDecl& setting) {
        comments_before(decl.span.end, 0);
        out_.lines(setting_lines(setting));
    }

    void write(const Decl& decl, const LetDecl& let) {
        comments_before(decl.span.end, 0);
        out_.lines(let_lines(0, let));
    }

    void write(const Decl& decl, const FnDecl& fn) {
        comments_before(decl.span.end, 0);
        out_.lines(fn_lines(fn));
    }

    void write(const Decl&, const PolicyDecl& policy) {
        std::uint32_t brace = open_brace_after(source_, policy_header_end(policy));
        open_body(brace, policy_header(policy));
        for (const auto& let : policy.lets)
            body_item(end_after_parens(source_, let.value->span.end), let_lines(indent_width, let));
        auto rules = rule_lines(policy);
        for (std::size_t i = 0; i < rules.size(); ++i) body_item(policy.rules[i].span.end, rules[i]);
        close_body(policy.close_span.begin);
    }

    void write(const Decl& decl, const TestDecl& test) {
        std::uint32_t brace = open_brace_after(source_, test.name_span.end);
        open_body(brace, "test " + quote(test.name) + " {");
        for (const auto& item : test.items) body_item(item.span.end, test_item_lines(item));
        close_body(decl.span.end > 0 ? decl.span.end - 1 : 0);
    }

    // A policy or test header: comments inside it move above it; one after its `{` trails it.
    void open_body(std::uint32_t brace, const std::string& header) {
        comments_before(brace, 0);
        out_.line(0, header);
        trailing_comment(brace + 1);
    }

    void body_item(std::uint32_t end, const std::vector<TextLine>& lines) {
        comments_before(end, indent_width);
        out_.lines(lines);
        trailing_comment(end);
    }

    void close_body(std::uint32_t close) {
        comments_before(close, indent_width);
        out_.line(0, "}");
    }

    const Module& module_;
    std::string_view source_;
    CommentQueue comments_;
    LineWriter out_;
    std::uint32_t last_end_ = 0;  // the end of the last declaration or comment written at top level
};

}  // namespace

std::string format_module(const Module& module, std::string_view source) {
    return ModuleFormatter(module, source).run();
}

}  // namespace switchyard::dsl
