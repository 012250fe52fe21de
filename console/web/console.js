// The console's core: the session's CSRF token, calls to the API, the pages and their links.
// Each page's script (rules.js, publish.js, inbox.js, health.js) registers itself in Console.pages.
"use strict";
var Console = {
  csrf: null,
  pages: {},
  state: { files: [], serving: null },

  // A call to the API or the workbench. Changes carry the session's CSRF token; the answer's
  // JSON (or bytes, with binary) is returned, or an Error with the server's reason is thrown.
  call: async function (method, url, body, options) {
    options = options || {};
    var headers = {};
    if (method !== "GET") headers["X-CSRF-Token"] = Console.csrf;
    if (body !== undefined && !(body instanceof ArrayBuffer)) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(body);
    }
    var response = await fetch(url, { method: method, headers: headers, body: body, credentials: "same-origin" });
    if (response.status === 401) { window.location = "/console/login"; throw new Error("the session has ended"); }
    if (options.binary && response.ok) return response.arrayBuffer();
    var text = await response.text();
    var data = null;
    try { data = text ? JSON.parse(text) : null; } catch (e) { data = { error: text }; }
    if (!response.ok && !options.accept) {
      var error = new Error((data && data.error) || response.statusText);
      error.data = data;
      error.status = response.status;
      throw error;
    }
    return data;
  },

  el: function (tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (k) {
      if (k === "text") node.textContent = attributes[k];
      else if (k === "onclick") node.addEventListener("click", attributes[k]);
      else node.setAttribute(k, attributes[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return node;
  },

  notice: function (text, kind) {
    var p = document.getElementById("notice");
    p.textContent = text || "";
    p.className = "notice " + (kind || "");
    p.hidden = !text;
  },

  // A person of the API ({kind, id, name}): an employee or a contact with its id; others by name.
  person: function (p) {
    if (!p) return "nobody";
    if (p.kind !== "employee" && p.kind !== "contact") return p.name;
    return p.name + " (" + p.kind + (p.id === null ? "" : " " + p.id) + ")";
  },

  // Decisions as `switchyard eval --explain` and GET /api/v1/explain give them, as text: each
  // decision with its rule, every rule tried with its condition and parts, the lets, the facts read.
  decisionsText: function (decisions) {
    var out = [];
    var parts = function (list, indent) {
      (list || []).forEach(function (p) {
        out.push(indent + p.part + (p.evaluated === false ? "  (not evaluated)" : " = " + JSON.stringify(p.value)));
        parts(p.parts, indent + "  ");
      });
    };
    decisions.forEach(function (d) {
      out.push(d.kind + " = " + JSON.stringify(d.value) + "  (" + d.rule + ")");
      (d.trace || []).forEach(function (t) {
        out.push("  " + t.rule + (t.condition === undefined ? "  otherwise" : "  " + t.condition));
        parts(t.parts, "    ");
      });
      (d.lets || []).forEach(function (l) { out.push("  let " + l.let + " = " + JSON.stringify(l.value) + "  (" + l.at + ")"); });
      Object.keys(d.read || {}).forEach(function (k) { out.push("  read " + k + " = " + JSON.stringify(d.read[k])); });
    });
    return out.join("\n");
  },

  show: function () {
    if (document.getElementById("notice").classList.contains("ok")) Console.notice("");  // done: not news on the next page
    var name = (window.location.hash || "#rules").slice(1);
    if (!Console.pages[name]) name = "rules";
    Object.keys(Console.pages).forEach(function (n) {
      document.getElementById("page-" + n).hidden = n !== name;
      document.getElementById("nav-" + n).classList.toggle("current", n === name);
    });
    Console.pages[name].show();
  },

  // The ruleset serving, and its sources: the files the editor starts from.
  loadServing: async function () {
    var health = await fetch("/healthz").then(function (r) { return r.json(); });
    var shown = await Console.call("GET", "/api/v1/rulesets/" + encodeURIComponent(health.ruleset));
    Console.state.serving = health.ruleset;
    Console.state.files = shown.sources.map(function (s) { return { file: s.file, text: s.text }; });
    document.getElementById("serving").textContent = "serving " + shown.name + " " + health.ruleset;
  },

  start: async function () {
    var session = await Console.call("GET", "/console/session");
    Console.csrf = session.csrf;
    Console.editorReady = session.editor;
    document.getElementById("logout").addEventListener("click", async function () {
      await Console.call("POST", "/console/logout");
      window.location = "/console/login";
    });
    await Console.loadServing();
    Object.keys(Console.pages).forEach(function (n) { if (Console.pages[n].init) Console.pages[n].init(); });
    window.addEventListener("hashchange", Console.show);
    Console.show();
  }
};

window.addEventListener("DOMContentLoaded", function () {
  Console.start().catch(function (e) { Console.notice("The console could not start: " + e.message, "error"); });
});
