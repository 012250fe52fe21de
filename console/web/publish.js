// The Preview and publish page: the edited rules compiled (POST /console/api/compile) and
// replayed over recorded events (POST /api/v1/ruleset/preview), then published
// (POST /api/v1/ruleset) or discarded; the versions that served, their diffs and rollback.
"use strict";
Console.pages.publish = (function () {
  var candidate = null;  // the compiled bytes of the edited rules, previewed and not yet published

  function setCandidate(bytes) {
    candidate = bytes;
    document.getElementById("publish").disabled = !bytes;
    document.getElementById("discard").disabled = !bytes;
  }

  // `value` as leaf paths: {"thread.title": "\"Anna\"", …}.
  function leaves(value, prefix, out) {
    if (value && typeof value === "object") {
      Object.keys(value).forEach(function (k) { leaves(value[k], prefix ? prefix + "." + k : k, out); });
      if (!Object.keys(value).length) out[prefix] = JSON.stringify(value);
    } else {
      out[prefix] = JSON.stringify(value);
    }
    return out;
  }

  // A rule's place without its folder: the candidate was compiled in a temporary one.
  function place(rule) { return rule ? rule.replace(/^.*\//, "") : "none"; }

  // One kind's change: the rule that decided, when another, and each part of the value that differs.
  function changeText(x) {
    var before = x.before || {}, after = x.after || {};
    var lines = [x.kind + ": " + place(before.rule) + " → " + place(after.rule)];
    var was = leaves(before.value, "", {}), now = leaves(after.value, "", {});
    Object.keys(Object.assign({}, was, now)).forEach(function (k) {
      if (was[k] !== now[k]) lines.push("  " + (k || "value") + ": " + (was[k] || "—") + " → " + (now[k] || "—"));
    });
    return lines.join("\n");
  }

  function changedRow(c) {
    return Console.el("tr", {}, [
      Console.el("td", { text: c.event }), Console.el("td", { text: c.at }),
      Console.el("td", { text: c.message ? c.message.sender + ": " + c.message.text : "" }),
      Console.el("td", {}, [Console.el("pre", { text: c.changes.map(changeText).join("\n") })])
    ]);
  }

  function showReport(report) {
    var box = document.getElementById("preview-result");
    var s = report.summary;
    box.textContent = "";
    box.appendChild(Console.el("p", { id: "preview-summary", class: s.changed ? "warning" : "ok",
      text: "candidate " + report.candidate + ": " + s.replayed + " events replayed, " + s.changed + " decided otherwise, " +
            s.unchanged + " alike, " + s.not_replayable + " not replayable" }));
    if (report.changed.length)
      box.appendChild(Console.el("table", { class: "list" }, [
        Console.el("thead", {}, [Console.el("tr", {}, ["event", "at", "message", "changes"].map(function (h) {
          return Console.el("th", { text: h });
        }))]),
        Console.el("tbody", {}, report.changed.map(changedRow))
      ]));
  }

  async function preview() {
    var box = document.getElementById("preview-result");
    box.textContent = "compiling and replaying…";
    try {
      var bytes = await Console.call("POST", "/console/api/compile", { files: Console.pages.rules.files() }, { binary: true });
      var last = document.getElementById("preview-last").value;
      showReport(await Console.call("POST", "/api/v1/ruleset/preview?last=" + encodeURIComponent(last), bytes));
      setCandidate(bytes);
    } catch (e) {
      setCandidate(null);
      box.textContent = "";
      box.appendChild(Console.el("pre", { class: "error", text: e.message + "\n" + ((e.data && e.data.output) || "") }));
    }
  }

  async function publish() {
    var reason = document.getElementById("publish-reason").value;
    try {
      var answer = await Console.call("POST", "/api/v1/ruleset?reason=" + encodeURIComponent(reason), candidate);
      setCandidate(null);
      Console.notice("Published version " + answer.version + " (was " + answer.previous + ").", "ok");
      await Console.loadServing();
      await versions();
    } catch (e) {
      Console.notice("Not published: " + e.message, "error");
    }
  }

  function discard() {
    setCandidate(null);
    document.getElementById("preview-result").textContent = "";
    Console.notice("The preview is discarded; the edits stay in the editor.");
  }

  async function showDiff(version, against) {
    var shown = await Console.call("GET", "/api/v1/rulesets/" + version + "?against=" + against);
    var text = shown.diff.map(function (d) { return d.diff; }).join("\n");
    document.getElementById("version-diff").textContent = text || "the two have the same sources";
  }

  async function rollback(version) {
    if (!window.confirm("Serve version " + version + " again?")) return;
    try {
      await Console.call("POST", "/api/v1/rulesets/" + version + "/rollback?reason=" + encodeURIComponent("from the console"));
      Console.notice("Rolled back to " + version + ".", "ok");
      await Console.loadServing();
      await versions();
    } catch (e) {
      Console.notice("Not rolled back: " + e.message, "error");
    }
  }

  function versionRow(r, i, all) {
    var older = all[i + 1];
    var actions = [];
    if (older) actions.push(Console.el("button", { type: "button", class: "diff-button", text: "diff from previous",
                                                   onclick: function () { showDiff(r.version, older.version); } }));
    if (!r.serving) actions.push(Console.el("button", { type: "button", class: "rollback", text: "roll back to this",
                                                        onclick: function () { rollback(r.version); } }));
    return Console.el("tr", { class: r.serving ? "serving" : "" }, [
      Console.el("td", { text: r.version + (r.serving ? " (serving)" : "") }), Console.el("td", { text: r.name }),
      Console.el("td", { text: r.first_served_at }), Console.el("td", { text: Console.person(r.by) }),
      Console.el("td", {}, actions)
    ]);
  }

  async function versions() {
    var list = await Console.call("GET", "/api/v1/rulesets");
    var body = document.querySelector("#versions tbody");
    body.textContent = "";
    list.rulesets.forEach(function (r, i) { body.appendChild(versionRow(r, i, list.rulesets)); });
  }

  return {
    init: function () {
      document.getElementById("preview").addEventListener("click", preview);
      document.getElementById("publish").addEventListener("click", publish);
      document.getElementById("discard").addEventListener("click", discard);
    },
    show: function () { versions().catch(function (e) { Console.notice(e.message, "error"); }); }
  };
})();
