// The canonical layout of rule files. format_module() writes exactly this:
//
//  * Indentation is 4 spaces. No line has trailing spaces; the file ends with exactly one newline
//    (a module with no declarations and no comments formats to the empty text). Widths are
//    counted in code points; the width limit is 100 columns, trailing comments not counted.
//  * Top level is a sequence of items: declarations and blocks of own-line comments. A blank line
//    in the source between two consecutive items is kept as exactly one blank line; there is
//    never more than one blank line in a row, nor one at the start of the file. Besides, two
//    consecutive declarations are separated by a blank line, except that consecutive declarations
//    of the same sort among `import`, `setting` and `let` that had no blank line between them in
//    the source stay together without one; where such a blank line is not already kept from the
//    source (the source had none anywhere between the two), it goes right after the first
//    declaration, before any comments between them. `ruleset name` is printed as written.
//  * `setting name: type = default`, and the description, if any, on the line after the default's
//    last line, indented by 4. Types print as `list<person>`, `set<string>`, `string?`.
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

std::string print_at(const Expr& e, int min_level) {
    std::string out;
    ExprPrinter(out).print(e, min_level);
    return out;
}

// ---- line breaking -----------------------------------------------------------------------

constexpr std::size_t indent_width = 4;
constexpr std::size_t max_width = 100;

std::size_t columns(std::string_view text) { return common::count_code_points(text); }

// One piece of a statement or of an expression as the line breaker sees it: fixed text, or an
// expression printed where the grammar needs at least `level`.
struct Part {
    std::string text;
    const Expr* expr = nullptr;
    int level = if_level;
};

Part text_part(std::string text) { return Part{std::move(text), nullptr, if_level}; }
Part expr_part(const Expr& e, int level = if_level) { return Part{{}, &e, level}; }

// A call, list, set or record with at least two items: the constructs broken one item per line.
struct Bracket {
    std::string open;  // `f(`, `[`, `{`
    std::vector<std::pair<std::string, const Expr*>> items;  // label (`name: ` or nothing) and value
    std::string close;
};

std::optional<Bracket> as_bracket(const Expr& e) {
    Bracket b;
    if (const auto* call = e.as<Call>()) {
        b = {call->callee + "(", {}, ")"};
        for (const auto& arg : call->args) b.items.emplace_back(arg.name ? *arg.name + ": " : "", arg.value.get());
    } else if (const auto* list = e.as<ListLit>()) {
        b = {"[", {}, "]"};
        for (const auto& item : list->items) b.items.emplace_back("", item.get());
    } else if (const auto* set = e.as<SetLit>()) {
        b = {"{", {}, "}"};
        for (const auto& item : set->items) b.items.emplace_back("", item.get());
    } else if (const auto* record = e.as<RecordLit>()) {
        b = {"{", {}, "}"};
        for (const auto& field : record->fields) b.items.emplace_back(field.name + ": ", field.value.get());
    }
    if (b.items.size() < 2) return std::nullopt;
    return b;
}

bool is_chain_op(BinaryOp op) {
    return op == BinaryOp::add || op == BinaryOp::sub || op == BinaryOp::logical_and || op == BinaryOp::logical_or ||
           op == BinaryOp::coalesce;
}

const Binary* as_chain(const Expr& e) {
    const auto* binary = e.as<Binary>();
    return binary && is_chain_op(binary->op) ? binary : nullptr;
}

// The operands of a chain, `a + b + c` giving a, b, c: the left operand of the same operator
// needs no parentheses, so it continues the chain; the first operand is printed at the
// operator's own level, the others one above it.
std::vector<const Expr*> chain_operands(const Binary& chain) {
    std::vector<const Expr*> operands;
    const Binary* node = &chain;
    for (;;) {
        operands.push_back(node->rhs.get());
        const Binary* left = node->lhs->as<Binary>();
        if (!left || left->op != chain.op) break;
        node = left;
    }
    operands.push_back(node->lhs.get());
    std::reverse(operands.begin(), operands.end());
    return operands;
}

// How the line breaker sees an expression that is neither a breakable bracket nor a chain: its
// text and sub-expressions in order, exactly as ExprPrinter writes them.
struct SequenceParts {
    const Expr& e;

    std::vector<Part> operator()(const Field& n) const {
        return {expr_part(*n.object, postfix_level), text_part("." + n.name)};
    }

    std::vector<Part> operator()(const Call& n) const {
        std::vector<Part> parts{text_part(n.callee + "(")};
        for (const auto& arg : n.args) {  // at most one: a call with more is a bracket
            if (arg.name) parts.push_back(text_part(*arg.name + ": "));
            parts.push_back(expr_part(*arg.value));
        }
        parts.push_back(text_part(")"));
        return parts;
    }

    std::vector<Part> operator()(const Unary& n) const {
        if (n.op == UnaryOp::logical_not) return {text_part("not "), expr_part(*n.operand, not_level)};
        return {text_part("-"), expr_part(*n.operand, negate_level)};
    }

    std::vector<Part> operator()(const Binary& n) const {
        int own = precedence(n.op);
        return {expr_part(*n.lhs, is_comparison(n.op) ? own + 1 : own),
                text_part(" " + std::string(to_string(n.op)) + " "), expr_part(*n.rhs, own + 1)};
    }

    std::vector<Part> operator()(const ListLit& n) const { return bracketed("[", n.items, "]"); }
    std::vector<Part> operator()(const SetLit& n) const { return bracketed("{", n.items, "}"); }

    std::vector<Part> operator()(const RecordLit& n) const {
        if (n.fields.empty()) return {text_part("{}")};
        return {text_part("{ " + n.fields[0].name + ": "), expr_part(*n.fields[0].value), text_part(" }")};
    }

    std::vector<Part> operator()(const Where& n) const {
        return {expr_part(*n.items, where_level), text_part(" where "), expr_part(*n.predicate, where_level + 1)};
    }

    std::vector<Part> operator()(const IfElse& n) const {
        return {text_part("if "), expr_part(*n.condition), text_part(" then "), expr_part(*n.then_value),
                text_part(" else "), expr_part(*n.else_value)};
    }

    template <typename Leaf>
    std::vector<Part> operator()(const Leaf&) const { return {text_part(print_at(e, primary_level))}; }

    static std::vector<Part> bracketed(std::string open, const std::vector<ExprPtr>& items, std::string close) {
        std::vector<Part> parts{text_part(std::move(open))};
        if (!items.empty()) parts.push_back(expr_part(*items[0]));  // at most one: more make a bracket
        parts.push_back(text_part(std::move(close)));
        return parts;
    }
};

std::vector<Part> sequence_parts(const Expr& e) { return std::visit(SequenceParts{e}, e.node); }

// The width of the text that must stay on the current line from the start of `parts[from]` on:
// up to the first point where the line may break (after the opening of a bracket, after the
// first operand of a chain), or all of it when there is none (then `.second` is false).
std::pair<std::size_t, bool> head_width(const std::vector<Part>& parts, std::size_t from);

std::pair<std::size_t, bool> head_width(const Expr& e, int level) {
    std::size_t parens = level_of(e) < level ? 1 : 0;
    if (auto bracket = as_bracket(e)) return {parens + columns(bracket->open), true};
    if (const Binary* chain = as_chain(e)) {
        auto first = head_width(*chain_operands(*chain).front(), precedence(chain->op));
        return {parens + first.first, true};
    }
    auto inner = head_width(sequence_parts(e), 0);
    return {inner.first + (inner.second ? parens : 2 * parens), inner.second};
}

std::pair<std::size_t, bool> head_width(const std::vector<Part>& parts, std::size_t from) {
    std::size_t width = 0;
    for (std::size_t i = from; i < parts.size(); ++i) {
        if (!parts[i].expr) {
            width += columns(parts[i].text);
            continue;
        }
        auto head = head_width(*parts[i].expr, parts[i].level);
        width += head.first;
        if (head.second) return {width, true};
    }
    return {width, false};
}

struct TextLine {
    std::size_t indent = 0;
    std::string text;  // without the indentation
};

// Lays out one statement within max_width columns where it can (the rules are at the top of
// this file).
class LineBreaker {
public:
    explicit LineBreaker(std::size_t indent) : lines_{TextLine{indent, {}}} {}

    // Appends `parts`; `rest` is the width of what must follow them on their last line.
    void put_parts(const std::vector<Part>& parts, std::size_t rest) {
        for (std::size_t i = 0; i < parts.size(); ++i) {
            if (!parts[i].expr) {
                text(parts[i].text);
                continue;
            }
            auto after = head_width(parts, i + 1);
            put(*parts[i].expr, parts[i].level, after.second ? after.first : after.first + rest);
        }
    }

    std::vector<TextLine> take() { return std::move(lines_); }

private:
    void put(const Expr& e, int level, std::size_t rest) {
        std::string flat = print_at(e, level);
        if (column() + columns(flat) + rest <= max_width) {
            text(flat);
            return;
        }
        bool parens = level_of(e) < level;
        std::size_t inner_rest = rest + (parens ? 1 : 0);
        if (parens) text("(");
        if (auto bracket = as_bracket(e)) {
            put_bracket(*bracket);
        } else if (const Binary* chain = as_chain(e)) {
            put_chain(*chain, inner_rest);
        } else {
            put_parts(sequence_parts(e), inner_rest);
        }
        if (parens) text(")");
    }

    void put_bracket(const Bracket& bracket) {
        std::size_t opening = lines_.back().indent;
        text(bracket.open);
        for (const auto& [label, value] : bracket.items) {
            new_line(opening + indent_width);
            text(label);
            put(*value, if_level, 1);
            text(",");
        }
        new_line(opening);
        text(bracket.close);
    }

    void put_chain(const Binary& chain, std::size_t rest) {
        std::size_t continuation = lines_.back().indent + indent_width;
        int own = precedence(chain.op);
        std::string op(to_string(chain.op));
        auto operands = chain_operands(chain);
        put(*operands[0], own, 0);
        for (std::size_t k = 1; k < operands.size(); ++k) {
            std::size_t after = k + 1 == operands.size() ? rest : 0;
            // `op operand` and what must follow it
            std::size_t width = columns(op) + 1 + columns(print_at(*operands[k], own + 1)) + after;
            if (column() + 1 + width > max_width && continuation + width <= max_width) {
                new_line(continuation);
                text(op + " ");
            } else {
                text(" " + op + " ");
            }
            put(*operands[k], own + 1, after);
        }
    }

    void text(std::string_view t) { lines_.back().text += t; }
    void new_line(std::size_t indent) { lines_.push_back(TextLine{indent, {}}); }
    std::size_t column() const { return lines_.back().indent + columns(lines_.back().text); }

    std::vector<TextLine> lines_;
};

std::vector<TextLine> statement_lines(std::size_t indent, const std::vector<Part>& parts) {
    LineBreaker breaker(indent);
    breaker.put_parts(parts, 0);
    return breaker.take();
}

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
    auto lines = statement_lines(
        0, {text_part("setting " + s.name.name + ": " + print_type(s.type) + " = "), expr_part(*s.default_value)});
    if (s.description) lines.push_back(TextLine{indent_width, quote(*s.description)});
    return lines;
}

std::vector<TextLine> let_lines(std::size_t indent, const LetDecl& let) {
    return statement_lines(indent, {text_part("let " + let.name.name + " = "), expr_part(*let.value)});
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
        return statement_lines(indent_width, {text_part("given " + given->fact.name + " "), expr_part(*given->value)});
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

std::string print_expr(const Expr& e) { return print_at(e, if_level); }

std::string format_module(const Module& module, std::string_view source) {
    return ModuleFormatter(module, source).run();
}

}  // namespace switchyard::dsl
