// The formatter: expressions. ExprPrinter prints one on a line with the fewest parentheses
// (print_expr); LineBreaker lays a statement out within max_width columns, breaking its
// expressions outermost first. The layout rules are listed at the top of formatter.cpp.
#include "dsl/formatter.hpp"

#include "common/civil.hpp"
#include "dsl/formatter_impl.hpp"
#include "dsl/parser.hpp"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

namespace switchyard::dsl {

namespace {

// ---- expressions -------------------------------------------------------------------------

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
    void write(const DateLit& n) { out_ += common::format_date(n.days); }
    void write(const TimeOfDayLit& n) { out_ += common::format_time_of_day(n.ms); }
    void write(const TimeLit& n) { out_ += common::format_instant(n.ms, n.offset_minutes); }
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

std::string print_at(const Expr& e, int min_level) {
    std::string out;
    ExprPrinter(out).print(e, min_level);
    return out;
}

}  // namespace

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

// ---- line breaking -----------------------------------------------------------------------

std::size_t columns(std::string_view text) { return common::count_code_points(text); }

Part text_part(std::string text) { return Part{std::move(text), nullptr, if_level}; }
Part expr_part(const Expr& e, int level) { return Part{{}, &e, level}; }

namespace {

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

// Lays out one statement within max_width columns where it can (the rules are at the top of
// formatter.cpp).
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

}  // namespace

std::vector<TextLine> statement_lines(std::size_t indent, const std::vector<Part>& parts) {
    LineBreaker breaker(indent);
    breaker.put_parts(parts, 0);
    return breaker.take();
}

std::string print_expr(const Expr& e) { return print_at(e, if_level); }

}  // namespace switchyard::dsl
