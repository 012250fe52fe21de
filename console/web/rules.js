// The Rules page: the editor (CodeMirror with rules-mode.js), live diagnostics from the real
// checker (POST /console/api/check) as squiggles and a list with their help and one-click
// "did you mean" fixes, formatting, the rules' tests with coverage, and eval of one case.
"use strict";
Console.pages.rules = (function () {
  var editor = null;      // a CodeMirror, or a stand-in over the textarea when CodeMirror is missing
  var current = 0;        // the index of the file shown, in Console.state.files
  var lastDiagnostics = [];

  function files() {
    // CodeMirror lints once while it is being made, before `editor` is set: the text is the file's then.
    if (editor) Console.state.files[current].text = editor.getValue();
    return Console.state.files;
  }

  function plainEditor(textarea) {
    Console.notice("CodeMirror is not installed on the server (libjs-codemirror): the rules show as plain text.", "warning");
    return {
      getValue: function () { return textarea.value; },
      setValue: function (v) { textarea.value = v; },
      on: function (event, f) { if (event === "change") textarea.addEventListener("input", f); },
      replaceRange: function (text, from, to) {
        var lines = textarea.value.split("\n");
        var start = lines.slice(0, from.line).join("\n").length + (from.line ? 1 : 0) + from.ch;
        var end = lines.slice(0, to.line).join("\n").length + (to.line ? 1 : 0) + to.ch;
        textarea.value = textarea.value.slice(0, start) + text + textarea.value.slice(end);
      },
      focus: function () { textarea.focus(); }
    };
  }

  // Diagnostics of the file shown, as CodeMirror's lint addon takes them.
  function annotations(diagnostics) {
    var name = Console.state.files[current].file;
    return diagnostics.filter(function (d) { return d.file === name; }).map(function (d) {
      var from = CodeMirror.Pos(d.line - 1, d.column - 1);
      var to = CodeMirror.Pos(d.end_line - 1, Math.max(d.end_column - 1, d.column));
      return { from: from, to: to, severity: d.severity === "error" ? "error" : "warning",
               message: d.code + ": " + d.message + (d.help ? "\nhelp: " + d.help : "") };
    });
  }

  // The word a "did you mean `x`?" help suggests, or null.
  function suggestion(d) {
    var m = /did you mean `([^`]+)`/.exec(d.help || "");
    return m ? m[1] : null;
  }

  function applyFix(d, word) {
    var name = Console.state.files[current].file;
    if (d.file !== name) return;
    editor.replaceRange(word, { line: d.line - 1, ch: d.column - 1 }, { line: d.end_line - 1, ch: d.end_column - 1 });
    editor.focus();
  }

  function openFile(name) {
    var index = Console.state.files.findIndex(function (f) { return f.file === name; });
    if (index < 0 || index === current) return;
    files();
    current = index;
    document.getElementById("rule-file").value = name;
    editor.setValue(Console.state.files[current].text);
  }

  function listDiagnostics(doc) {
    var list = document.getElementById("diagnostics");
    list.textContent = "";
    doc.diagnostics.forEach(function (d) {
      var fix = suggestion(d);
      var where = Console.el("a", { href: "#rules", class: "where", text: d.file + ":" + d.line + ":" + d.column,
                                    onclick: function (e) { e.preventDefault(); openFile(d.file); } });
      list.appendChild(Console.el("li", { class: d.severity }, [
        where, " ", Console.el("strong", { text: d.severity + "[" + d.code + "]" }), " " + d.message,
        d.help ? Console.el("div", { class: "help", text: "help: " + d.help }) : null,
        fix ? Console.el("button", { type: "button", class: "fix", text: "Apply: " + fix,
                                     onclick: function () { openFile(d.file); applyFix(d, fix); } }) : null
      ]));
    });
    var plural = function (n, word) { return n + " " + word + (n === 1 ? "" : "s"); };
    var summary = plural(doc.errors, "error") + ", " + plural(doc.warnings, "warning");
    document.getElementById("check-summary").textContent = doc.errors || doc.warnings ? summary : "no problems";
    document.getElementById("check-summary").className = "summary " + (doc.errors ? "error" : "ok");
  }

  async function check() {
    var doc = await Console.call("POST", "/console/api/check", { files: files() });
    lastDiagnostics = doc.diagnostics;
    listDiagnostics(doc);
    return doc;
  }

  // The lint addon's asynchronous source: the checker's answer for the whole ruleset.
  function lint(text, update) {
    check().then(function () { update(annotations(lastDiagnostics)); })
      .catch(function (e) { Console.notice("Checking failed: " + e.message, "error"); });
  }

  async function format() {
    try {
      var answer = await Console.call("POST", "/console/api/format", { text: editor.getValue() });
      editor.setValue(answer.text);
      Console.notice("");
    } catch (e) {
      Console.notice(e.message, "error");
    }
  }

  function testRow(t) {
    return Console.el("tr", { class: t.passed ? "ok" : "error" }, [
      Console.el("td", { text: t.passed ? "passed" : "FAILED" }),
      Console.el("td", { text: t.name }),
      Console.el("td", { text: t.file + ":" + t.line }),
      Console.el("td", { text: t.failure || "" })
    ]);
  }

  function coverageList(coverage) {
    var never = [];
    coverage.files.forEach(function (f) {
      f.policies.forEach(function (p) {
        if (!p.applies) return;
        p.rules.forEach(function (r) { if (!r.fired) never.push(f.file + ":" + r.line + "  " + r.source); });
      });
    });
    return Console.el("div", {}, [
      Console.el("p", { class: "coverage", text: "coverage: " + coverage.fired + " of " + coverage.rules + " rules fired (" +
                                                  coverage.percent.toFixed(1) + "%)" }),
      never.length ? Console.el("pre", { class: "never", text: "never fired:\n" + never.join("\n") }) : null
    ]);
  }

  // The results: the counts and coverage first, the failures, then the passed tests folded.
  function showTests(box, doc) {
    var failed = doc.tests.filter(function (t) { return !t.passed; });
    var passed = doc.tests.filter(function (t) { return t.passed; });
    box.appendChild(Console.el("p", { id: "test-summary", class: doc.failed ? "error" : "ok",
                                      text: doc.passed + " passed, " + doc.failed + " failed" }));
    if (doc.coverage) box.appendChild(coverageList(doc.coverage));
    if (failed.length) box.appendChild(Console.el("table", { class: "list tests" }, failed.map(testRow)));
    box.appendChild(Console.el("details", {}, [Console.el("summary", { text: passed.length + " passed" }),
                                               Console.el("table", { class: "list tests" }, passed.map(testRow))]));
  }

  async function runTests() {
    var box = document.getElementById("test-results");
    box.textContent = "running…";
    try {
      var doc = await Console.call("POST", "/console/api/test", { files: files() });
      box.textContent = "";
      showTests(box, doc);
    } catch (e) {
      box.textContent = "";
      box.appendChild(Console.el("pre", { class: "error", text: e.message + "\n" + ((e.data && e.data.output) || "") }));
    }
  }

  async function evaluate() {
    var out = document.getElementById("eval-result");
    try {
      var given = JSON.parse(document.getElementById("case").value);
      var answer = await Console.call("POST", "/console/api/eval", { files: files(), case: given });
      out.textContent = Console.decisionsText(answer.decisions);
    } catch (e) {
      out.textContent = e.message + "\n" + ((e.data && e.data.output) || "");
    }
  }

  function makeEditor() {
    var textarea = document.getElementById("editor");
    if (typeof CodeMirror === "undefined" || !Console.editorReady) return plainEditor(textarea);
    return CodeMirror.fromTextArea(textarea, {
      mode: "switchyard-rules", lineNumbers: true, indentUnit: 4, gutters: ["CodeMirror-lint-markers"],
      lint: { getAnnotations: lint, async: true, delay: 300 }
    });
  }

  function init() {
    var select = document.getElementById("rule-file");
    Console.state.files.forEach(function (f) { select.appendChild(Console.el("option", { value: f.file, text: f.file })); });
    editor = makeEditor();
    editor.setValue(Console.state.files[0].text);
    if (!editor.setOption) editor.on("change", debounce(check, 300));
    select.addEventListener("change", function () { openFile(select.value); });
    document.getElementById("format").addEventListener("click", format);
    document.getElementById("run-tests").addEventListener("click", runTests);
    document.getElementById("eval").addEventListener("click", evaluate);
    document.getElementById("to-preview").addEventListener("click", function () { window.location.hash = "#publish"; });
    document.getElementById("case").value = JSON.stringify(
      { message: { direction: "inbound", files: [{ name: "invoice.pdf", size: "2 MB" }] } }, null, 2);
    if (!editor.setOption) check();  // CodeMirror's lint addon checks as soon as it is made
  }

  function debounce(f, ms) {
    var timer = null;
    return function () { clearTimeout(timer); timer = setTimeout(f, ms); };
  }

  return {
    init: init,
    show: function () { if (editor && editor.refresh) editor.refresh(); },
    files: files,
    check: check
  };
})();
