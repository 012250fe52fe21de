// The grammar of rule files: rules only, no actions (those live in parser.cpp).
// Conventions: a rule consumes no whitespace before or after itself; sequences put `ws` between
// their parts. Once a construct is recognised by its first token, the rest is wrapped in must<>,
// so an error names what was expected where it was expected, and actions never see backtracking.
#pragma once

#include <tao/pegtl.hpp>
#include <tao/pegtl/contrib/analyze_traits.hpp>

#include <array>
#include <string_view>

namespace switchyard::dsl::grammar {

namespace p = tao::pegtl;

// ---- lexical -----------------------------------------------------------------------------
struct comment : p::seq<p::one<'#'>, p::star<p::not_one<'\n'>>> {};
struct ws : p::star<p::sor<p::one<' ', '\t', '\r', '\n'>, comment>> {};
struct blanks : p::star<p::one<' ', '\t'>> {};

struct ident_first : p::ranges<'a', 'z', 'A', 'Z', '_'> {};
struct ident_other : p::ranges<'a', 'z', 'A', 'Z', '0', '9', '_'> {};

struct kw_ruleset : TAO_PEGTL_KEYWORD("ruleset") {};
struct kw_import : TAO_PEGTL_KEYWORD("import") {};
struct kw_setting : TAO_PEGTL_KEYWORD("setting") {};
struct kw_contact_field : TAO_PEGTL_KEYWORD("contact_field") {};
struct kw_let : TAO_PEGTL_KEYWORD("let") {};
struct kw_policy : TAO_PEGTL_KEYWORD("policy") {};
struct kw_test : TAO_PEGTL_KEYWORD("test") {};
struct kw_when : TAO_PEGTL_KEYWORD("when") {};
struct kw_otherwise : TAO_PEGTL_KEYWORD("otherwise") {};
struct kw_and : TAO_PEGTL_KEYWORD("and") {};
struct kw_or : TAO_PEGTL_KEYWORD("or") {};
struct kw_not : TAO_PEGTL_KEYWORD("not") {};
struct kw_in : TAO_PEGTL_KEYWORD("in") {};
struct kw_true : TAO_PEGTL_KEYWORD("true") {};
struct kw_false : TAO_PEGTL_KEYWORD("false") {};
struct kw_none : TAO_PEGTL_KEYWORD("none") {};
struct kw_if : TAO_PEGTL_KEYWORD("if") {};
struct kw_then : TAO_PEGTL_KEYWORD("then") {};
struct kw_else : TAO_PEGTL_KEYWORD("else") {};
struct kw_where : TAO_PEGTL_KEYWORD("where") {};
struct kw_given : TAO_PEGTL_KEYWORD("given") {};
struct kw_expect : TAO_PEGTL_KEYWORD("expect") {};
struct kw_priority : TAO_PEGTL_KEYWORD("priority") {};
struct kw_for : TAO_PEGTL_KEYWORD("for") {};
struct kw_via : TAO_PEGTL_KEYWORD("via") {};
struct kw_fn : TAO_PEGTL_KEYWORD("fn") {};

// The words above, which no name may be: keep the two lists together.
inline constexpr std::array<std::string_view, 26> keywords = {
    "ruleset", "import", "setting", "contact_field", "let",  "policy", "test",     "when", "otherwise",
    "and",     "or",     "not",     "in",            "true", "false",  "none",     "if",   "then",
    "else",    "where",  "given",   "expect",        "priority", "for", "via",     "fn"};

// A word of ident_first then ident_others that is not a keyword: the word is scanned once and
// looked up, where trying each keyword before every name (not_at<keyword>) took a tenth of the
// time of parsing.
struct word_not_keyword {
    using rule_t = word_not_keyword;
    using subs_t = p::empty_list;

    static constexpr bool is_first(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
    static constexpr bool is_other(char c) { return is_first(c) || (c >= '0' && c <= '9'); }

    template <typename ParseInput>
    static bool match(ParseInput& in) {
        if (in.empty() || !is_first(in.peek_char())) return false;
        std::size_t n = 1;
        while (in.size(n + 1) > n && is_other(in.peek_char(n))) ++n;
        std::string_view word(in.current(), n);
        for (auto k : keywords)
            if (k == word) return false;
        in.bump_in_this_line(n);
        return true;
    }
};
struct identifier : word_not_keyword {};

struct comma : p::one<','> {};
struct colon : p::one<':'> {};
struct equals : p::seq<p::one<'='>, p::not_at<p::one<'='>>> {};
struct arrow : p::string<'-', '>'> {};
struct open_brace : p::one<'{'> {};
struct close_paren : p::one<')'> {};
struct close_bracket : p::one<']'> {};
struct close_brace : p::one<'}'> {};
struct close_angle : p::one<'>'> {};

// ---- literals ----------------------------------------------------------------------------
struct hex_escape : p::seq<p::one<'u'>, p::one<'{'>, p::rep_min_max<1, 6, p::xdigit>, p::one<'}'>> {};
struct escape_char : p::sor<p::one<'"', '\\', 'n', 't', 'r'>, hex_escape> {};
struct escape : p::seq<p::one<'\\'>, p::must<escape_char>> {};
struct string_char : p::sor<escape, p::not_one<'"', '\\', '\n', '\r'>> {};
struct string_close : p::one<'"'> {};
struct string_lit : p::seq<p::one<'"'>, p::star<string_char>, p::must<string_close>> {};

struct integer : p::plus<p::digit> {};
struct size_unit : p::sor<TAO_PEGTL_KEYWORD("KiB"), TAO_PEGTL_KEYWORD("MiB"), TAO_PEGTL_KEYWORD("GiB"),
                          TAO_PEGTL_KEYWORD("KB"), TAO_PEGTL_KEYWORD("MB"), TAO_PEGTL_KEYWORD("GB"),
                          TAO_PEGTL_KEYWORD("B")> {};
struct duration_unit : p::sor<TAO_PEGTL_KEYWORD("ms"), TAO_PEGTL_KEYWORD("min"), TAO_PEGTL_KEYWORD("s"),
                              TAO_PEGTL_KEYWORD("h"), TAO_PEGTL_KEYWORD("d")> {};
struct unit : p::sor<size_unit, duration_unit> {};
struct number_lit : p::seq<integer, p::opt<blanks, unit>, p::not_at<ident_other>> {};

// Dates and times as in ISO 8601 (and TOML): `2027-01-01`, `09:00`, `2026-12-07T10:00+03:00`.
// Tried before numbers, so `2027-01-01` is a date; subtraction is written with spaces. The
// parser checks the fields (E0107: month 13, a missing offset, ...).
struct date_part : p::seq<p::rep<4, p::digit>, p::one<'-'>, p::rep<2, p::digit>, p::one<'-'>, p::rep<2, p::digit>> {};
struct clock_part : p::seq<p::rep<2, p::digit>, p::one<':'>, p::rep<2, p::digit>,
                           p::opt<p::one<':'>, p::rep<2, p::digit>, p::opt<p::one<'.'>, p::rep<3, p::digit>>>> {};
struct offset_part : p::sor<p::one<'Z'>, p::seq<p::one<'+', '-'>, p::rep<2, p::digit>, p::one<':'>, p::rep<2, p::digit>>> {};
struct time_lit : p::seq<date_part, p::one<'T'>, clock_part, p::opt<offset_part>, p::not_at<ident_other>> {};
struct date_lit : p::seq<date_part, p::not_at<ident_other>> {};
struct time_of_day_lit : p::seq<clock_part, p::not_at<ident_other>> {};
// `9:00`: refused with a hint (E0107) rather than read as the number 9 followed by a stray `:`.
struct short_clock : p::seq<p::digit, p::one<':'>, p::rep<2, p::digit>> {};

// ---- expressions -------------------------------------------------------------------------
struct expr;

struct expr_string : string_lit {};
struct true_lit : kw_true {};
struct false_lit : kw_false {};
struct none_lit : kw_none {};
struct name_ref : p::sor<kw_setting, identifier> {};  // `setting.name` reads a setting

struct arg_name : identifier {};
struct named_arg : p::seq<arg_name, ws, colon, ws, p::must<expr>> {};
struct arg : p::if_then_else<p::at<identifier, ws, colon>, named_arg, expr> {};
struct args : p::seq<arg, p::star<ws, comma, ws, arg>, p::opt<ws, comma>> {};
struct call_open : p::one<'('> {};
struct call_suffix : p::seq<call_open, ws, p::opt<args, ws>, p::must<close_paren>> {};
struct name_or_call : p::seq<name_ref, p::opt<call_suffix>> {};

struct items : p::seq<expr, p::star<ws, comma, ws, expr>, p::opt<ws, comma>> {};
struct list_open : p::one<'['> {};
struct list_lit : p::seq<list_open, ws, p::opt<items, ws>, p::must<close_bracket>> {};

struct field_label : identifier {};
struct record_field : p::seq<field_label, ws, p::must<colon>, ws, p::must<expr>> {};
struct record_fields : p::seq<record_field, p::star<ws, comma, ws, record_field>, p::opt<ws, comma>> {};
struct brace_open : p::one<'{'> {};
struct record_tail : p::seq<p::at<identifier, ws, colon>, record_fields, ws, p::must<close_brace>> {};
struct set_tail : p::seq<p::opt<items, ws>, p::must<close_brace>> {};
struct brace_lit : p::seq<brace_open, ws, p::sor<record_tail, set_tail>> {};

struct paren_expr : p::seq<p::one<'('>, ws, p::must<expr>, ws, p::must<close_paren>> {};

struct primary : p::sor<paren_expr, list_lit, brace_lit, expr_string, time_lit, date_lit, time_of_day_lit, short_clock, number_lit,
                        true_lit, false_lit, none_lit, name_or_call> {};

struct field_name : identifier {};
struct member_suffix : p::seq<p::one<'.'>, ws, p::must<field_name>> {};
struct postfix_expr : p::seq<primary, p::star<ws, member_suffix>> {};

struct unary_expr;
struct negation : p::seq<p::one<'-'>, p::not_at<p::one<'>'>>, ws, p::must<unary_expr>> {};
struct unary_expr : p::sor<negation, postfix_expr> {};

struct op_add : p::one<'+'> {};
struct op_sub : p::seq<p::one<'-'>, p::not_at<p::one<'>'>>> {};
struct add_tail : p::seq<p::sor<op_add, op_sub>, ws, p::must<unary_expr>> {};
struct add_expr : p::seq<unary_expr, p::star<ws, add_tail>> {};

struct op_coalesce : p::string<'?', '?'> {};
struct coalesce_tail : p::seq<op_coalesce, ws, p::must<add_expr>> {};
struct coalesce_expr : p::seq<add_expr, p::star<ws, coalesce_tail>> {};

struct op_eq : p::string<'=', '='> {};
struct op_ne : p::string<'!', '='> {};
struct op_le : p::string<'<', '='> {};
struct op_lt : p::one<'<'> {};
struct op_ge : p::string<'>', '='> {};
struct op_gt : p::one<'>'> {};
struct op_in : kw_in {};
struct op_not_in : p::seq<kw_not, ws, kw_in> {};
struct cmp_op : p::sor<op_eq, op_ne, op_le, op_lt, op_ge, op_gt, op_in, op_not_in> {};
struct cmp_tail : p::seq<cmp_op, ws, p::must<coalesce_expr>> {};
struct cmp_expr : p::seq<coalesce_expr, p::opt<ws, cmp_tail>> {};

struct not_expr;
struct not_prefix : p::seq<kw_not, ws, p::must<not_expr>> {};
struct not_expr : p::sor<not_prefix, cmp_expr> {};

struct and_tail : p::seq<kw_and, ws, p::must<not_expr>> {};
struct and_expr : p::seq<not_expr, p::star<ws, and_tail>> {};

struct or_tail : p::seq<kw_or, ws, p::must<and_expr>> {};
struct or_expr : p::seq<and_expr, p::star<ws, or_tail>> {};

struct where_tail : p::seq<kw_where, ws, p::must<or_expr>> {};
struct where_expr : p::seq<or_expr, p::star<ws, where_tail>> {};

struct then_branch : p::seq<kw_then, ws, p::must<expr>> {};
struct else_branch : p::seq<kw_else, ws, p::must<expr>> {};
struct if_expr : p::seq<kw_if, ws, p::must<expr>, ws, p::must<then_branch>, ws, p::must<else_branch>> {};

struct expr : p::sor<if_expr, where_expr> {};

// ---- declarations ------------------------------------------------------------------------
struct decl_name : identifier {};

struct ruleset_decl : p::seq<kw_ruleset, ws, p::must<decl_name>> {};

struct import_path : string_lit {};
struct import_decl : p::seq<kw_import, ws, p::must<import_path>> {};

struct type_name : identifier {};
struct type_ref;
struct type_args_open : p::one<'<'> {};
struct type_args : p::seq<type_args_open, ws, p::must<type_ref>, p::star<ws, comma, ws, p::must<type_ref>>, ws,
                          p::must<close_angle>> {};
struct type_optional : p::one<'?'> {};
struct type_ref : p::seq<type_name, p::opt<ws, type_args>, p::opt<ws, type_optional>> {};

struct setting_description : string_lit {};
struct setting_decl : p::seq<kw_setting, ws, p::must<decl_name>, ws, p::must<colon>, ws, p::must<type_ref>, ws,
                             p::must<equals>, ws, p::must<expr>, p::opt<ws, setting_description>> {};
// `contact_field tier: string = "basic" "the customer's tier"`: shaped like a setting.
struct contact_field_decl : p::seq<kw_contact_field, ws, p::must<decl_name>, ws, p::must<colon>, ws, p::must<type_ref>,
                                   ws, p::must<equals>, ws, p::must<expr>, p::opt<ws, setting_description>> {};

struct let_decl : p::seq<kw_let, ws, p::must<decl_name>, ws, p::must<equals>, ws, p::must<expr>> {};

// `fn name(param: type, ...) -> type = body`
struct fn_head : p::seq<kw_fn, ws, p::must<decl_name>> {};
struct fn_open : p::one<'('> {};
struct param_name : identifier {};
struct fn_param : p::seq<param_name, ws, p::must<colon>, ws, p::must<type_ref>> {};
struct fn_params : p::seq<fn_param, p::star<ws, comma, ws, fn_param>, p::opt<ws, comma>> {};
struct fn_decl : p::seq<fn_head, ws, p::must<fn_open>, ws, p::opt<fn_params, ws>, p::must<close_paren>, ws,
                        p::must<arrow>, ws, p::must<type_ref>, ws, p::must<equals>, ws, p::must<expr>> {};

struct kind_name : identifier {};
struct policy_head : p::seq<kw_policy, ws, p::must<kind_name>> {};
struct scope_keyword : p::sor<kw_for, kw_via, kw_in> {};
struct scope_value : identifier {};
struct scope_clause : p::seq<scope_keyword, ws, p::must<scope_value>, p::star<ws, comma, ws, p::must<scope_value>>> {};
struct priority_value : p::seq<p::opt<p::one<'-'>>, integer> {};
struct priority_clause : p::seq<kw_priority, ws, p::must<priority_value>> {};
struct policy_let : let_decl {};
struct when_rule : p::seq<kw_when, ws, p::must<expr>, ws, p::must<arrow>, ws, p::must<expr>> {};
struct otherwise_rule : p::seq<kw_otherwise, ws, p::must<arrow>, ws, p::must<expr>> {};
struct policy_rule : p::sor<when_rule, otherwise_rule> {};
struct policy_close : p::one<'}'> {};
// What follows a policy's `{`; after a syntax error in it, parsing resumes with this at the next rule.
struct policy_body : p::seq<p::star<policy_let, ws>, p::star<policy_rule, ws>, p::must<policy_close>> {};
struct policy_decl : p::seq<policy_head, ws, p::star<p::sor<priority_clause, scope_clause>, ws>, p::must<open_brace>, ws,
                            policy_body> {};

struct test_name : string_lit {};
struct test_head : p::seq<kw_test, ws, p::must<test_name>> {};
struct fact_name : p::sor<kw_setting, identifier> {};
struct given_open : p::one<'{'> {};
struct given_record : p::seq<given_open, ws, p::opt<record_fields, ws>, p::must<close_brace>> {};
// `given now = 2026-12-07T10:00+03:00`: a fact that is not a record is given a value.
struct given_assign : p::seq<equals, ws, p::must<expr>> {};
struct given_value : p::sor<given_record, given_assign> {};
struct given_item : p::seq<kw_given, ws, p::must<fact_name>, ws, p::must<given_value>> {};
struct expect_item : p::seq<kw_expect, ws, p::must<expr>> {};
struct test_close : p::one<'}'> {};
struct test_decl : p::seq<test_head, ws, p::must<open_brace>, ws, p::star<p::sor<given_item, expect_item>, ws>,
                          p::must<test_close>> {};

struct decl : p::sor<ruleset_decl, import_decl, setting_decl, contact_field_decl, let_decl, fn_decl, policy_decl, test_decl> {};
// One declaration at a time: the parser loops over this to recover after an error.
struct next_decl : p::seq<p::must<decl>, ws> {};
// The whole language, for analyze<> and for tools; the parser itself uses next_decl.
struct file : p::seq<ws, p::star<decl, ws>, p::eof> {};

}  // namespace switchyard::dsl::grammar

// For analyze<>: a name always consumes what it matches.
template <typename Name>
struct tao::pegtl::analyze_traits<Name, switchyard::dsl::grammar::word_not_keyword> : tao::pegtl::analyze_any_traits<> {};
