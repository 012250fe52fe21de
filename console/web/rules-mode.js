// Syntax highlighting of Switchyard's rule language (docs/language.md) for CodeMirror 5, with
// its simple-mode addon. The keywords are dsl/grammar.hpp's.
(function () {
  "use strict";
  if (typeof CodeMirror === "undefined" || !CodeMirror.defineSimpleMode) return;  // not installed: rules.js says so
  var keywords = ["and", "else", "expect", "fn", "for", "given", "if", "import", "in", "let", "not", "or",
    "otherwise", "policy", "priority", "ruleset", "setting", "test", "then", "via", "when", "where", "contact_field"];
  var atoms = ["true", "false", "none"];
  var words = function (list) { return new RegExp("(?:" + list.join("|") + ")\\b"); };
  CodeMirror.defineSimpleMode("switchyard-rules", {
    start: [
      { regex: /#.*/, token: "comment" },
      { regex: /"(?:[^\\"]|\\.)*"?/, token: "string" },
      { regex: /\d+(?:\.\d+)?\s*(?:KiB|MiB|GiB|KB|MB|GB|B|ms|min|s|h|d)\b/, token: "number" },
      { regex: /\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2})?Z?)?/, token: "number" },
      { regex: /\d+(?:\.\d+)?/, token: "number" },
      { regex: words(keywords), token: "keyword" },
      { regex: words(atoms), token: "atom" },
      { regex: /(policy)(\s+)([a-z_][a-z0-9_]*)/, token: ["keyword", null, "def"] },
      { regex: /->|==|!=|<=|>=|\?\?|[-+*\/<>=?:]/, token: "operator" },
      { regex: /[a-z_][A-Za-z0-9_]*(?=\()/, token: "variable-2" },
      { regex: /[A-Za-z_][A-Za-z0-9_]*/, token: "variable" },
      { regex: /[{[(]/, indent: true },
      { regex: /[}\])]/, dedent: true }
    ],
    meta: { lineComment: "#", electricChars: "}])" }
  });
})();
