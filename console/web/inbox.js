// The Inbox page: tasks; a task with its comments (files, notifications and their reasons,
// likes, delivery states and failures) and the decision log of its events, each explained on
// demand; the inbox rows whose processing failed and the outbound messages given up, each with
// re-queue.
"use strict";
Console.pages.inbox = (function () {
  var el = Console.el;

  function delivery(d) {
    if (!d) return null;
    var text = "delivery: " + d.state + (d.message_id ? " (message " + d.message_id + ")" : "") + (d.error ? ": " + d.error : "") +
               (d.at ? ", " + d.at : "");
    return el("div", { class: "delivery " + d.state, text: text });
  }

  function fileLine(f) {
    return el("li", { text: f.name + " (" + f.kind + ", " + f.size + " bytes): " + f.action + (f.reason ? ", " + f.reason : "") +
                            ", stored " + f.stored + (f.store_error ? ": " + f.store_error : "") });
  }

  function comment(c) {
    return el("li", { class: "comment " + c.direction, id: "comment-" + c.id }, [
      el("div", { class: "meta", text: "#" + c.id + " " + c.direction + " from " + Console.person(c.author) + ", " + c.sent_at +
                                      (c.edited_at ? ", edited " + c.edited_at : "") + (c.deleted_at ? ", deleted " + c.deleted_at : "") }),
      el("div", { class: "text", text: c.text }),
      c.files.length ? el("ul", { class: "files" }, c.files.map(fileLine)) : null,
      c.notifications.length ? el("div", { class: "notified", text: "notified: " + c.notifications.map(function (n) {
        return Console.person(n.person) + " (" + n.reason + ")"; }).join(", ") }) : null,
      c.likes.length ? el("div", { class: "likes", text: "likes: " + c.likes.map(function (l) {
        return l.emoji + " " + Console.person(l.person); }).join(", ") }) : null,
      delivery(c.delivery)
    ]);
  }

  // An explanation (GET /api/v1/explain) as text: the decisions of each run of the ruleset.
  function explanationText(answer) {
    return answer.asks.map(function (ask) {
      return Console.decisionsText(ask.decisions) + (ask.same_as_logged ? "" : "\n  [these differ from the log]");
    }).join("\n");
  }

  async function explain(id, target) {
    try {
      target.textContent = explanationText(await Console.call("GET", "/api/v1/explain?decision=" + id));
    } catch (e) {
      target.textContent = e.message;
    }
  }

  function decision(d) {
    var out = el("pre", { class: "explanation" });
    return el("li", { class: "decision" }, [
      el("div", { text: "decision " + d.id + " of " + d.event + " (ruleset " + d.ruleset + ")" }),
      el("div", { class: "rules", text: d.rules.map(function (r) { return r.kind + " ← " + r.rule; }).join("; ") }),
      el("button", { type: "button", text: "explain", onclick: function () { explain(d.id, out); } }),
      out
    ]);
  }

  var shownTask = null;  // the task on the right, shown again when a re-queue changes it

  async function openTask(id) {
    shownTask = id;
    var box = document.getElementById("task");
    var task = await Console.call("GET", "/api/v1/tasks/" + id);
    var decisions = await Console.call("GET", "/api/v1/decisions?task=" + id);
    box.textContent = "";
    box.appendChild(el("h2", { text: "Task " + task.id + ": " + task.title }));
    box.appendChild(el("p", { text: task.status + ", " + task.integration + ", contact " + (task.contact ? task.contact.name : "none") +
                                    ", assignees " + task.assignees.map(Console.person).join(", ") }));
    box.appendChild(el("h3", { text: "Comments" }));
    box.appendChild(el("ol", { class: "comments" }, task.comments.map(comment)));
    box.appendChild(el("h3", { text: "Decisions" }));
    box.appendChild(el("ul", { class: "decisions" }, decisions.decisions.map(decision)));
  }

  function taskRow(t) {
    return el("tr", {}, [
      el("td", { text: String(t.id) }),
      el("td", {}, [el("a", { href: "#inbox", class: "task-link", "data-task": String(t.id), text: t.title,
                              onclick: function (e) { e.preventDefault(); openTask(t.id).catch(function (x) { Console.notice(x.message, "error"); }); } })]),
      el("td", { text: t.status }), el("td", { text: String(t.comments) }), el("td", { text: t.updated_at })
    ]);
  }

  async function requeue(id) {
    try {
      await Console.call("POST", "/api/v1/inbox/" + id + "/requeue");
      Console.notice("Inbox row " + id + " is queued again.", "ok");
      await failed();
    } catch (e) {
      Console.notice(e.message, "error");
    }
  }

  function failedRow(r) {
    return el("tr", {}, [
      el("td", { text: String(r.id) }), el("td", { text: r.integration }), el("td", { text: r.failed_at }),
      el("td", { text: r.reason }),
      el("td", {}, [el("button", { type: "button", text: "re-queue", onclick: function () { requeue(r.id); } })])
    ]);
  }

  async function failed() {
    var list = await Console.call("GET", "/api/v1/inbox/failed?limit=100");
    var body = document.querySelector("#failed tbody");
    body.textContent = "";
    list.failed.forEach(function (r) { body.appendChild(failedRow(r)); });
  }

  async function requeueOutbound(id, task) {
    try {
      await Console.call("POST", "/api/v1/outbox/" + id + "/requeue");
      Console.notice("Outbound message " + id + " is queued again.", "ok");
      await failedOutbound();
      if (task !== null && task === shownTask) await openTask(task);  // its comment's delivery changed
    } catch (e) {
      Console.notice(e.message, "error");
    }
  }

  function failedOutboundRow(r) {
    var text = function (v) { return el("td", { text: v === null ? "" : String(v) }); };
    return el("tr", { id: "outbox-" + r.id }, [
      text(r.id), text(r.task), text(r.comment), text(r.integration), text(r.chat), text(r.method), text(r.attempts),
      text(r.failed_at), text(r.error),
      el("td", {}, [el("button", { type: "button", text: "re-queue", onclick: function () { requeueOutbound(r.id, r.task); } })])
    ]);
  }

  async function failedOutbound() {
    var list = await Console.call("GET", "/api/v1/outbox/failed?limit=100");
    var body = document.querySelector("#outbox-failed tbody");
    body.textContent = "";
    list.failed.forEach(function (r) { body.appendChild(failedOutboundRow(r)); });
  }

  async function tasks() {
    var list = await Console.call("GET", "/api/v1/tasks?limit=100");
    var body = document.querySelector("#tasks tbody");
    body.textContent = "";
    list.tasks.forEach(function (t) { body.appendChild(taskRow(t)); });
  }

  return {
    show: function () {
      Promise.all([tasks(), failed(), failedOutbound()]).catch(function (e) { Console.notice(e.message, "error"); });
    }
  };
})();
