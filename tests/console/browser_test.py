#!/usr/bin/python3
"""The console in a browser: Debian's headless Chromium, driven by python3-selenium, against the
real `switchyard serve` (the shipped rules, a fake Telegram Bot API of this script's own).

It logs in, opens a rule file, types a mistake and sees the checker's squiggle and message,
applies the did-you-mean fix with one click, runs the rules' tests, changes a greeting,
previews and publishes it, opens a task to see its comments and delivery states, re-queues a
failed inbox row and a failed outbound message (which is then delivered), and sees the health
charts start with the server's own samples.

Exit 77 (CTest: skipped), saying why, when Chromium, chromedriver or selenium is missing.
SWITCHYARD_SCREENSHOTS=DIR saves a PNG of each page there (docs/console/).
"""
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

SOURCE = os.environ.get("SWITCHYARD_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BINARY = os.environ.get("SWITCHYARD_BINARY", os.path.join(SOURCE, "build", "cli", "switchyard"))
TOKEN = "browser-api-token-0123456789"
SHOTS = os.environ.get("SWITCHYARD_SCREENSHOTS")
WAIT = 15  # seconds any one thing may take to show


def skip(reason):
    print("SKIPPED: " + reason)
    sys.exit(77)


try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:
    skip("python3-selenium is not installed (apt-get install python3-selenium)")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
for path, package in ((CHROMIUM, "chromium"), (DRIVER, "chromium-driver")):
    if not os.path.exists(path):
        skip(path + " is missing (apt-get install " + package + ")")


class FakeTelegram(http.server.BaseHTTPRequestHandler):
    """Answers every Bot API method as Telegram does when it takes a message; while `refusing`,
    as it does when it refuses one (a final 400)."""
    next_id = 500
    refusing = False

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if FakeTelegram.refusing:
            status, body = 400, json.dumps({"ok": False, "error_code": 400, "description": "Bad Request: chat not found"})
        else:
            FakeTelegram.next_id += 1
            status, body = 200, json.dumps({"ok": True, "result": {"message_id": FakeTelegram.next_id, "date": 1764930000,
                                                                   "chat": {"id": 55}}})
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args):
        pass


CONFIG = """
[server]
listen = "127.0.0.1:0"
storage = "{dir}/switchyard.db"
api_token = "{token}"

[ruleset]
rules = "{source}/rules"

[account]
name = "Browser"

[[employees]]
id = 1
name = "Olga Owner"
owner = true

[[employees]]
id = 2
name = "Ivan Support"

[[integrations]]
id = "tg"
name = "Support bot"
service = "telegram"
bot_token = "1:fake"
bot_username = "support_bot"
webhook_secret = "tg-secret"
api_base_url = "{telegram}"
assignees = [2]
"""


class Server:
    def __init__(self, folder, telegram, extra=""):
        config = os.path.join(folder, "switchyard.toml")
        with open(config, "w") as f:
            f.write(CONFIG.format(dir=folder, token=TOKEN, source=SOURCE, telegram=telegram) + extra)
        self.log = open(os.path.join(folder, "serve.log"), "w+")
        self.process = subprocess.Popen([BINARY, "serve", "--config", config], stdout=self.log, stderr=subprocess.STDOUT)
        self.port = self.wait_for_port()
        self.base = "http://127.0.0.1:%d" % self.port

    def wait_for_port(self):
        deadline = time.time() + WAIT
        while time.time() < deadline:
            self.log.seek(0)
            found = re.search(r"listening on http://127\.0\.0\.1:(\d+)", self.log.read())
            if found:
                return int(found.group(1))
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        self.log.seek(0)
        raise RuntimeError("switchyard serve did not start:\n" + self.log.read())

    def call(self, method, path, body=None, headers=None):
        data = body.encode() if isinstance(body, str) else body
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers or {})
        with urllib.request.urlopen(request, timeout=WAIT) as response:
            return json.loads(response.read() or b"null")

    def api(self, method, path, body=None):
        return self.call(method, path, json.dumps(body) if body is not None else None, {"Authorization": "Bearer " + TOKEN})

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=WAIT)


def eventually(what, check):
    deadline = time.time() + WAIT
    while time.time() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("never happened: " + what)


def seed(server):
    """A customer's message (a task), an employee's reply sent to Telegram, one Telegram refused, and a body that fails."""
    update = {"update_id": 9001, "message": {"message_id": 10, "date": int(time.time()), "text": "Hello! Where is my invoice?",
              "from": {"id": 55, "is_bot": False, "first_name": "Anna"}, "chat": {"id": 55, "type": "private", "first_name": "Anna"}}}
    secret = {"X-Telegram-Bot-Api-Secret-Token": "tg-secret"}
    server.call("POST", "/webhooks/tg", json.dumps(update), secret)
    server.call("POST", "/webhooks/tg", "{not json", secret)
    task = eventually("a task from the webhook", lambda: server.api("GET", "/api/v1/tasks")["tasks"])[0]
    server.api("POST", "/api/v1/tasks/%d/comments" % task["id"], {"by": 2, "text": "It is on its way.", "notify": {"contact": True}})
    eventually("the reply sent", lambda: any(c["delivery"] and c["delivery"]["state"] == "sent"
                                             for c in server.api("GET", "/api/v1/tasks/%d" % task["id"])["comments"]))
    eventually("the failed row", lambda: server.api("GET", "/api/v1/inbox/failed")["failed"])
    FakeTelegram.refusing = True
    server.api("POST", "/api/v1/tasks/%d/comments" % task["id"], {"by": 2, "text": "Refused at first.", "notify": {"contact": True}})
    eventually("the refused reply failed", lambda: server.api("GET", "/api/v1/outbox/failed")["failed"])
    return task


def delivered(server, task, text):
    return any(c["text"] == text and c["delivery"] and c["delivery"]["state"] == "sent"
               for c in server.api("GET", "/api/v1/tasks/%d" % task["id"])["comments"])


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,950"):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(DRIVER), options=options)


class Console:
    def __init__(self, driver, base):
        self.driver, self.base = driver, base

    def find(self, css):
        return WebDriverWait(self.driver, WAIT).until(lambda d: d.find_element(By.CSS_SELECTOR, css))

    def text_shows(self, css, pattern):
        def shown(d):
            found = [e.text for e in d.find_elements(By.CSS_SELECTOR, css) if re.search(pattern, e.text)]
            return found[0] if found else None
        try:
            # A page that is being replaced (the login's answer) has elements that go stale.
            return WebDriverWait(self.driver, WAIT, ignored_exceptions=[StaleElementReferenceException]).until(shown)
        except Exception:
            texts = [e.text for e in self.driver.find_elements(By.CSS_SELECTOR, css)]
            raise AssertionError("%s never showed %r; it shows %r" % (css, pattern, texts))

    def shot(self, name):
        if SHOTS:
            os.makedirs(SHOTS, exist_ok=True)
            self.driver.save_screenshot(os.path.join(SHOTS, name + ".png"))

    def editor(self, script, *args):
        return self.driver.execute_script("var cm = document.querySelector('.CodeMirror').CodeMirror;" + script, *args)


def log_in(c):
    c.driver.get(c.base + "/console/")
    c.find("#token")
    c.shot("login")
    cookies_before = c.driver.get_cookies()
    assert not cookies_before, cookies_before
    c.find("#token").send_keys("not-the-token-0123456789")
    c.find("#login").click()
    c.text_shows("#refused", "not the API token")
    c.find("#token").send_keys(TOKEN)
    c.find("#login").click()
    c.find(".CodeMirror")
    cookie = c.driver.get_cookie("switchyard_session")
    assert cookie and cookie["httpOnly"] and cookie["sameSite"] == "Strict", cookie
    assert c.driver.execute_script("return document.cookie") == "", "the session cookie is readable by scripts"


def edit_rules(c):
    """A typed mistake shows as a squiggle and a message with its fix; one click fixes it."""
    c.text_shows("#check-summary", "no problems")
    c.driver.execute_script("var s = document.getElementById('rule-file'); s.value = 'telegram.rules';"
                            "s.dispatchEvent(new Event('change'));")
    line = c.editor("var n = -1; cm.eachLine(function (l) { if (n < 0 && /when contact\\.blocked_bot/.test(l.text)) n = cm.getLineNumber(l); });"
                    "return n;")
    assert line >= 0, "telegram.rules has no `when contact.blocked_bot`"
    c.editor("cm.focus(); var ch = cm.getLine(arguments[0]).indexOf('blocked_bot') + 'blocked_bot'.length;"
             "cm.setCursor({line: arguments[0], ch: ch});", line)
    c.find(".CodeMirror textarea").send_keys("t")
    message = c.text_shows("#diagnostics li.error", r"telegram\.rules:\d+:\d+")
    assert "did you mean `blocked_bot`" in message, message
    c.find(".CodeMirror-lint-mark-error")
    c.shot("rules-diagnostic")
    c.find("#diagnostics button.fix").click()
    c.text_shows("#check-summary", "no problems")
    assert "contact.blocked_bot " in c.editor("return cm.getLine(arguments[0]);", line)
    # Format: a line whose indentation was lost gets it back.
    c.editor("cm.replaceRange('', {line: arguments[0], ch: 0}, {line: arguments[0], ch: 4});", line)
    assert c.editor("return cm.getLine(arguments[0]);", line).startswith("when contact.blocked_bot")
    c.find("#format").click()
    WebDriverWait(c.driver, WAIT).until(lambda d: c.editor("return cm.getLine(arguments[0]);", line).startswith("    when contact.blocked_bot"))


def run_tests(c):
    c.find("#run-tests").click()
    summary = c.text_shows("#test-summary", r"\d+ passed, 0 failed")
    assert int(summary.split()[0]) > 10, summary
    c.text_shows("#test-results .coverage", r"coverage: \d+ of \d+ rules fired")
    c.find("#eval").click()  # the example case: a customer's message with an invoice
    c.text_shows("#eval-result", r"attachment = \{\"attach\":\{\}\}  \(.*common\.rules:\d+\)")
    c.shot("rules-tests")


def preview_and_publish(c):
    """A change of the tasks' titles: the preview shows the seeded message decided otherwise."""
    c.editor("var n = -1; cm.eachLine(function (l) { if (n < 0 && /\\(telegram, /.test(l.text)) n = cm.getLineNumber(l); });"
             "var ch = cm.getLine(n).indexOf('(telegram, ');"
             "cm.replaceRange('(Telegram, ', {line: n, ch: ch}, {line: n, ch: ch + '(telegram, '.length});")
    c.text_shows("#check-summary", "no problems")
    c.find("#to-preview").click()
    c.find("#preview").click()
    c.text_shows("#preview-summary", r"events replayed, 1 decided otherwise")
    c.text_shows("#preview-result td pre", r'routing: telegram.rules:17 → telegram.rules:17\n  thread.title: "Anna \(telegram, .*" → "Anna \(Telegram, ')
    c.shot("preview")
    c.find("#publish-reason").send_keys("titles name the messenger capitalised")
    c.find("#publish").click()
    c.text_shows("#notice", r"Published version [0-9a-f]+")
    c.text_shows("#versions tbody tr", r"\(serving\)")
    assert len(c.driver.find_elements(By.CSS_SELECTOR, "#versions tbody tr")) == 2
    c.find("#versions .diff-button").click()
    c.text_shows("#version-diff", r"\+.*\(Telegram, ")
    c.shot("publish")


def roll_back(c, configured):
    c.find("#versions .rollback").click()
    c.driver.switch_to.alert.accept()
    c.text_shows("#notice", "Rolled back to " + configured)
    c.text_shows("#versions tbody tr", configured + r" \(serving\)")


def open_task(c, task):
    c.driver.get(c.base + "/console/#inbox")
    c.find("a.task-link[data-task='%d']" % task["id"]).click()
    c.text_shows("#task .comment", "Hello! Where is my invoice?")
    c.text_shows("#task .comment .notified", r"Ivan Support \(employee 2\) \(assignee\)")
    c.text_shows("#task .delivery", r"delivery: sent \(message \d+\)")
    c.text_shows("#failed tbody tr", "tg")
    c.find("#failed tbody button").click()
    c.text_shows("#notice", r"Inbox row \d+ is queued again")
    c.text_shows("#outbox-failed tbody tr", r"sendMessage 1 .* Bad Request: chat not found")
    FakeTelegram.refusing = False
    c.find("#outbox-failed tbody button").click()
    c.text_shows("#notice", r"Outbound message \d+ is queued again")
    WebDriverWait(c.driver, WAIT).until(lambda d: not d.find_elements(By.CSS_SELECTOR, "#outbox-failed tbody tr"))
    c.driver.find_elements(By.CSS_SELECTOR, "#task .decision button")[-1].click()  # the oldest: the customer's message
    c.text_shows("#task .explanation", r"routing = \{\"thread\"")
    c.shot("inbox")


def health(c):
    c.driver.get(c.base + "/console/#health")
    c.text_shows(".metric figcaption", r"^inbox_received: 2$")
    c.text_shows(".metric figcaption", r"^http_requests_total: \d+ \([\d.]+ a minute\)$")  # the second sample, 2 s on
    if SHOTS:
        time.sleep(11)  # a third sample, for lines in the picture
    c.shot("health")


def no_script_errors(driver):
    """Nothing went wrong in the pages' scripts (the wrong token's 401 at the login was meant)."""
    severe = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"
              and not re.search(r"/console/login - Failed to load resource: .* 401", e["message"])]
    assert not severe, severe


def without_codemirror(folder, fake, driver):
    """A server whose [console] codemirror is not there: it says so, and the editor is plain text, still checked."""
    other = os.path.join(folder, "bare")
    os.makedirs(other)
    server = Server(other, "http://127.0.0.1:%d" % fake.server_address[1], extra="[console]\ncodemirror = \"%s/none\"\n" % other)
    try:
        server.log.seek(0)
        assert "needs CodeMirror, which is not in %s/none" % other in server.log.read()
        c = Console(driver, server.base)
        driver.delete_all_cookies()
        driver.get(server.base + "/console/login")
        c.find("#token").send_keys(TOKEN)
        c.find("#login").click()
        c.text_shows("#notice", "CodeMirror is not installed on the server")
        c.text_shows("#check-summary", "no problems")
        c.find("#editor").send_keys("\nlet broken = no_such_name\n")
        c.text_shows("#diagnostics li.error", r"planfix\.rules:\d+:\d+")
    finally:
        server.stop()


def main():
    started = time.time()
    folder = tempfile.mkdtemp(prefix="switchyard-browser-")
    fake = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeTelegram)
    threading.Thread(target=fake.serve_forever, daemon=True).start()
    server = Server(folder, "http://127.0.0.1:%d" % fake.server_address[1])
    driver = None
    try:
        task = seed(server)
        driver = browser()
        c = Console(driver, server.base)
        configured = server.call("GET", "/healthz")["ruleset"]
        for step in (log_in, edit_rules, run_tests, preview_and_publish):
            step(c)
        roll_back(c, configured)
        open_task(c, task)
        eventually("the refused reply delivered after its re-queue", lambda: delivered(server, task, "Refused at first."))
        health(c)
        assert server.call("GET", "/healthz")["ruleset"] == configured
        no_script_errors(driver)
        without_codemirror(folder, fake, driver)
    except BaseException:
        server.log.seek(0)
        print("switchyard serve printed:\n" + server.log.read()[-4000:])
        if driver:
            print("the page showed:\n" + driver.find_element(By.TAG_NAME, "body").text[:3000])
        raise
    finally:
        if driver:
            driver.quit()
        server.stop()
        fake.shutdown()
        shutil.rmtree(folder, ignore_errors=True)
    print("1 passed, 0 failed (the browser test took %.1f s)" % (time.time() - started))


if __name__ == "__main__":
    main()
