// The canonical layout of rule files. format_module() writes exactly this:
//
//  * Indentation is 4 spaces. No line has trailing spaces; the file ends with exactly one newline
//    (a module with no declarations and no comments formats to the empty text).
//  * Top-level declarations are separated by one blank line, except that consecutive
//    declarations of the same sort among `import`, `setting` and `let` that had no blank line
//    between them in the source stay together without one. `ruleset name` is printed as written.
//  * `setting name: type = default`, and the description, if any, on the next line indented by 4.
//    Types print as `list<person>`, `map<string, int>`, `string?`.
//  * `policy KIND for a, b via x in y priority N {` (scope clauses in the order written, the
//    priority last), then the lets (`    let x = ...`), then one rule per line
//    (`    when COND -> RESULT`, `    otherwise -> RESULT`), then `}`. The `->` of all rules of one
//    policy are aligned one space after the longest `when COND` / `otherwise` part, except for
//    a rule whose aligned line would be longer than 100 columns: that one gets a single space.
//  * `test "name" {`, then `    given fact { field: value }` and `    expect EXPR` items, then `}`.
//  * Every expression is printed on one line by print_expr(): single spaces around binary
//    operators, `f(a, name: b)`, `[a, b]`, `{a, b}`, `{ a: 1, b: 2 }`, `{}` (empty set or record),
//    quoted strings, `5 MB`, `24 h`, `not x`, `-x`, `a.b`, `none`, `true`, `false`, and only the
//    parentheses the grammar needs.
//  * Comments are never lost and keep their text (minus trailing white space):
//      - a comment that followed code on its line trails (two spaces, then `# ...`) the output
//        line where the construct it followed ends; a policy or test header `{` counts as a
//        construct, so `policy p {  # note` stays as it is;
//      - a comment on its own line stays on its own line, before the next construct (declaration,
//        policy let, rule, test item) and at that construct's indentation; comments after the
//        last item of a policy or test body go before its `}` at the body's indentation, comments
//        after the last declaration go at the end of the file;
//      - a comment inside a construct (inside an expression spread over lines, inside a policy or
//        test header, between a setting's default and its description) moves to its own line
//        before that construct, because the construct is printed on one line;
//      - at top level, a blank line before a block of own-line comments is kept as one blank line.
//    Blank lines are kept nowhere else: inside policy and test bodies there are none.
//
// The layout is a fixed point: formatting formatted text changes nothing, and parsing it gives a
// module with the same structure (dsl::same_structure) as parsing the original.

#include "dsl/formatter.hpp"

#include "dsl/parser.hpp"

#include <algorithm>
#include <vector>

namespace switchyard::dsl {

namespace {

// ---- expressions -------------------------------------------------------------------------

// How tightly each form of expression binds; binary operators take theirs from precedence().
// An operand that binds more loosely than its position requires is printed in parentheses.
constexpr int if_level = 0;      // `if c then a else b`: its `else` branch would swallow anything after it
constexpr int where_level = 1;   // `items where predicate`
constexpr int not_level = 4;     // prefix `not`
constexpr int negate_level = 8;  // prefix `-`
constexpr int postfix_level = 9; // `a.b`
constexpr int primary_level = 10;

bool is_comparison(BinaryOp op) { return precedence(op) == precedence(BinaryOp::eq); }

struct LevelOf {
    int operator()(const IntLit& n) const { return n.value < 0 ? negate_level : primary_level; }
    int operator()(const Binary& n) const { return precedence(n.op); }
    int operator()(const Unary& n) const { return n.op == UnaryOp::logical_not ? not_level : negate_level; }
    int operator()(const Field&) const { return postfix_level; }
    int operator()(const Where&) const { return where_level; }
    int operator()(const IfElse&) const { return if_level; }
    template <typename Other>
    int operator()(const Other&) const { return primary_level; }
};

int level_of(const Expr& e) { return std::visit(LevelOf{}, e.node); }

// Appends expressions to one string; each node type has its own write().
class ExprPrinter {
public:
    explicit ExprPrinter(std::string& out) : out_(out) {}

    // Prints `e` where the grammar accepts only expressions binding at least as tightly as `min_level`.
    void print(const Expr& e, int min_level) {
        bool parenthesise = level_of(e) < min_level;
        if (parenthesise) out_ += '(';
        std::visit([this](const auto& node) { write(node); }, e.node);
        if (parenthesise) out_ += ')';
    }

private:
    void write(const IntLit& n) { out_ += std::to_string(n.value); }
    void write(const StringLit& n) { out_ += quote(n.value); }
    void write(const BoolLit& n) { out_ += n.value ? "true" : "false"; }
    void write(const NoneLit&) { out_ += "none"; }
    void write(const SizeLit& n) { write_amount(n.amount, to_string(n.unit)); }
    void write(const DurationLit& n) { write_amount(n.amount, to_string(n.unit)); }
    void write(const Name& n) { out_ += n.id; }

    void write(const Field& n) {
        print(*n.object, postfix_level);
        out_ += '.';
        out_ += n.name;
    }

    void write(const Call& n) {
        out_ += n.callee;
        out_ += '(';
        for (std::size_t i = 0; i < n.args.size(); ++i) {
            if (i > 0) out_ += ", ";
            if (n.args[i].name) out_ += *n.args[i].name + ": ";
            print(*n.args[i].value, if_level);
        }
        out_ += ')';
    }

    void write(const Unary& n) {
        if (n.op == UnaryOp::logical_not) {
            out_ += "not ";
            print(*n.operand, not_level);  // `not not x` reads back as written
        } else {
            out_ += '-';
            print(*n.operand, negate_level);
        }
    }

    void write(const Binary& n) {
        int own = precedence(n.op);
        // Operators are left-associative, so an operand of equal strength needs parentheses only on
        // the right; comparisons do not chain at all, so there it needs them on both sides.
        print(*n.lhs, is_comparison(n.op) ? own + 1 : own);
        out_ += ' ';
        out_ += to_string(n.op);
        out_ += ' ';
        print(*n.rhs, own + 1);
    }

    void write(const ListLit& n) {
        out_ += '[';
        write_items(n.items);
        out_ += ']';
    }

    void write(const SetLit& n) {
        out_ += '{';
        write_items(n.items);
        out_ += '}';
    }

    void write(const RecordLit& n) {
        // `{}` reads back as an empty set except after `given`, the only place an empty record occurs.
        if (n.fields.empty()) {
            out_ += "{}";
            return;
        }
        out_ += "{ ";
        for (std::size_t i = 0; i < n.fields.size(); ++i) {
            if (i > 0) out_ += ", ";
            out_ += n.fields[i].name + ": ";
            print(*n.fields[i].value, if_level);
        }
        out_ += " }";
    }

    void write(const Where& n) {
        print(*n.items, where_level);
        out_ += " where ";
        print(*n.predicate, where_level + 1);
    }

    void write(const IfElse& n) {
        // Every part of an `if` is a full expression in the grammar, so none needs parentheses.
        out_ += "if ";
        print(*n.condition, if_level);
        out_ += " then ";
        print(*n.then_value, if_level);
        out_ += " else ";
        print(*n.else_value, if_level);
    }

    void write_amount(std::int64_t amount, std::string_view unit) {
        out_ += std::to_string(amount);
        out_ += ' ';
        out_ += unit;
    }

    void write_items(const std::vector<ExprPtr>& items) {
        for (std::size_t i = 0; i < items.size(); ++i) {
            if (i > 0) out_ += ", ";
            print(*items[i], if_level);
        }
    }

    std::string& out_;
};

std::string print_type(const TypeRef& type) {
    std::string out = type.name;
    if (!type.args.empty()) {
        out += '<';
        for (std::size_t i = 0; i < type.args.size(); ++i) {
            if (i > 0) out += ", ";
            out += print_type(type.args[i]);
        }
        out += '>';
    }
    if (type.optional) out += '?';
    return out;
}

// ---- source text -------------------------------------------------------------------------

constexpr std::size_t indent_width = 4;
constexpr std::size_t max_aligned_width = 100;

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

std::string expr_text(const Expr& e) { return print_expr(e); }

std::string setting_line(const SettingDecl& s) {
    return "setting " + s.name.name + ": " + print_type(s.type) + " = " + expr_text(*s.default_value);
}

std::string let_line(const LetDecl& let) { return "let " + let.name.name + " = " + expr_text(*let.value); }

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

std::string test_item_line(const TestItem& item) {
    if (const auto* given = std::get_if<Given>(&item.item))
        return "given " + given->fact.name + " " + expr_text(*given->value);
    return "expect " + expr_text(*std::get<Expect>(item.item).condition);
}

std::size_t columns(std::string_view text) { return common::count_code_points(text); }

// The rules of one policy as printed lines (without indentation), their `->` aligned where that
// keeps the line within max_aligned_width columns.
std::vector<std::string> rule_lines(const PolicyDecl& policy) {
    std::vector<std::string> heads;
    std::size_t widest = 0;
    for (const auto& rule : policy.rules) {
        heads.push_back(rule.is_otherwise() ? "otherwise" : "when " + expr_text(*rule.condition));
        widest = std::max(widest, columns(heads.back()));
    }
    std::vector<std::string> lines;
    for (std::size_t i = 0; i < heads.size(); ++i) {
        std::string tail = " -> " + expr_text(*policy.rules[i].result);
        std::string aligned = heads[i] + std::string(widest - columns(heads[i]), ' ') + tail;
        bool fits = indent_width + columns(aligned) <= max_aligned_width;
        lines.push_back(fits ? aligned : heads[i] + tail);
    }
    return lines;
}

// Whether two adjacent declarations are printed without a blank line between them.
bool stay_together(const Decl& previous, const Decl& next, std::string_view source) {
    bool groupable = previous.as<ImportDecl>() || previous.as<SettingDecl>() || previous.as<LetDecl>();
    return groupable && previous.node.index() == next.node.index() &&
           !has_blank_line(source, previous.span.end, next.span.begin);
}

class ModuleFormatter {
public:
    ModuleFormatter(const Module& module, std::string_view source)
        : module_(module), source_(source), comments_(module.comments, source) {}

    std::string run() {
        const Decl* previous = nullptr;
        for (const auto& decl : module_.decls) {
            if (previous && !stay_together(*previous, decl, source_)) out_.request_blank_line();
            top_level_comments_before(decl.span.begin);
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
        out_.line(0, setting_line(setting));
        if (setting.description) out_.line(indent_width, quote(*setting.description));
    }

    void write(const Decl& decl, const LetDecl& let) {
        comments_before(decl.span.end, 0);
        out_.line(0, let_line(let));
    }

    void write(const Decl&, const PolicyDecl& policy) {
        std::uint32_t brace = open_brace_after(source_, policy_header_end(policy));
        open_body(brace, policy_header(policy));
        for (const auto& let : policy.lets)
            body_item(end_after_parens(source_, let.value->span.end), let_line(let));
        auto lines = rule_lines(policy);
        for (std::size_t i = 0; i < lines.size(); ++i) body_item(policy.rules[i].span.end, lines[i]);
        close_body(policy.close_span.begin);
    }

    void write(const Decl& decl, const TestDecl& test) {
        std::uint32_t brace = open_brace_after(source_, test.name_span.end);
        open_body(brace, "test " + quote(test.name) + " {");
        for (const auto& item : test.items) body_item(item.span.end, test_item_line(item));
        close_body(decl.span.end > 0 ? decl.span.end - 1 : 0);
    }

    // A policy or test header: comments inside it move above it; one after its `{` trails it.
    void open_body(std::uint32_t brace, const std::string& header) {
        comments_before(brace, 0);
        out_.line(0, header);
        trailing_comment(brace + 1);
    }

    void body_item(std::uint32_t end, const std::string& text) {
        comments_before(end, indent_width);
        out_.line(indent_width, text);
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

std::string print_expr(const Expr& e) {
    std::string out;
    ExprPrinter(out).print(e, if_level);
    return out;
}

std::string format_module(const Module& module, std::string_view source) {
    return ModuleFormatter(module, source).run();
}

}  // namespace switchyard::dsl
