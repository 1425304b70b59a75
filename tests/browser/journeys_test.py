#!/usr/bin/python3
"""Browser journeys: a real headless Chromium (Selenium + chromedriver) against a real `jiebang serve`
on a loopback port over a fresh data directory. Writes a screenshot of every page visited at
desktop and phone width to --shots. Usage: journeys_test.py --binary build/jiebang --source . --shots DIR
"""
import argparse
import http.server
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service as DriverService
from selenium.webdriver.common.by import By
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

ARGS = None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`jiebang serve` over a temporary data directory holding the fixtures."""

    def __init__(self, binary, source):
        self.binary = binary
        self.dir = tempfile.mkdtemp(prefix="jiebang-browser-")
        self.env = dict(os.environ, JIEBANG_DATA_DIR=os.path.join(self.dir, "var"),
                        ASAN_OPTIONS="detect_leaks=0:abort_on_error=1")
        self.run("init")  # commands refuse a data directory that does not exist
        self.run("import", "scenarios", os.path.join(source, "fixtures/scenarios.jsonl"))
        self.run("import", "enterprises", os.path.join(source, "fixtures/enterprises.jsonl"))
        self.run("digest", "--week", "2026-W48")  # a digest run for the operator's digest pages
        self.proc = None
        for _ in range(5):  # the port was free a moment ago; another process may take it
            self.port = free_port()
            self.proc = subprocess.Popen([binary, "serve", "--listen", f"127.0.0.1:{self.port}", "--no-digest"],
                                         env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            if self.wait_up():
                break
            self.proc.kill()
            self.proc.wait()
        else:
            raise RuntimeError("jiebang serve did not start")
        self.url = f"http://127.0.0.1:{self.port}"

    def run(self, *args):
        return subprocess.run([self.binary, *args], env=self.env, check=True, capture_output=True, text=True).stdout

    def key(self, *args):
        return self.run("keys", "create", *args).strip().splitlines()[-1]

    def wait_up(self):
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2)
                return True
            except OSError:
                time.sleep(0.1)
        return False

    def stop(self):
        if self.proc:
            self.proc.terminate()
            self.proc.wait(timeout=30)
        shutil.rmtree(self.dir, ignore_errors=True)


def new_browser(script=True):
    o = webdriver.ChromeOptions()
    if not script:  # a browser with JavaScript off: the pages must work as plain HTML forms
        o.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    o.binary_location = "/usr/bin/chromium"
    profile = tempfile.mkdtemp(prefix="jiebang-chromium-")
    for a in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
              "--window-size=1280,900"]:
        o.add_argument(a)
    d = webdriver.Chrome(service=DriverService("/usr/bin/chromedriver"), options=o)
    d.implicitly_wait(0)
    d.profile_dir = profile
    return d


class Journeys(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server(ARGS.binary, ARGS.source)
        cls.browsers = []
        os.makedirs(ARGS.shots, exist_ok=True)

    @classmethod
    def tearDownClass(cls):
        for b in cls.browsers:
            b.quit()
            shutil.rmtree(b.profile_dir, ignore_errors=True)
        cls.server.stop()

    def browser(self, script=True):
        b = new_browser(script)
        self.browsers.append(b)
        return b

    def refused_to(self, others, link, paths, content, why):
        """Each browser of `others` (signed in with another role) is neither offered the page (no
        `link` on /me) nor served it: every one of `paths` shows the refusal notice and nothing
        matching the CSS selector `content`."""
        for b in others:
            self.go(b, "/me")
            self.assertFalse(b.find_elements(By.CSS_SELECTOR, link), why)
            for path in paths:
                self.go(b, path)
                self.assertFalse(b.find_elements(By.CSS_SELECTOR, content), f"{path} served to another role")
                self.assertTrue(b.find_elements(By.CSS_SELECTOR, ".notice.bad"), "the route refuses other roles")

    def go(self, b, path):
        b.get(self.server.url + path)

    @staticmethod
    def gone(element):
        """A wait condition: `element` has left the document (the page it was on was replaced).
        Selenium's staleness_of expects StaleElementReferenceException; Chromium 156's driver may
        instead answer "unknown error: unhandled inspector error: … Node with given id does not
        belong to the document" for a node of a page just replaced, which is the same fact."""
        def predicate(_driver):
            try:
                element.is_enabled()
                return False
            except StaleElementReferenceException:
                return True
            except WebDriverException as e:
                if "does not belong to the document" in str(e) or "No node with given id" in str(e):
                    return True
                raise
        return predicate

    def wait(self, b, condition, what, timeout=20):
        try:
            # An element found on the page being left goes stale when the next one loads: try again.
            return WebDriverWait(b, timeout, ignored_exceptions=[StaleElementReferenceException]).until(condition, message=what)
        except Exception:
            print(f"\n--- page at {b.current_url} while waiting for: {what}\n{b.find_element(By.TAG_NAME, 'body').text[:2000]}")
            raise

    def shot(self, b, name):
        """Desktop and phone-width screenshots of the current page, which must fit a phone's width
        and name every field it shows (a label, aria-label or aria-labelledby: what a screen reader says)."""
        unnamed = b.execute_script(
            "return Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))"
            ".filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))"
            ".map(e => e.id || e.name || e.outerHTML.slice(0, 80))")
        self.assertEqual(unnamed, [], f"{name}: fields without a name for a screen reader")
        for label, (w, h) in (("desktop", (1280, 900)), ("phone", (390, 844))):
            b.set_window_size(w, h)
            total = b.execute_script("return document.documentElement.scrollHeight")
            b.set_window_size(w, min(max(h, total + 140), 4000))
            b.save_screenshot(os.path.join(ARGS.shots, f"{name}-{label}.png"))
        b.set_window_size(1280, 900)
        # A page wider than the phone's screen cannot be read there.
        b.set_window_size(390, 844)
        overflow = b.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        b.set_window_size(1280, 900)
        self.assertLessEqual(overflow, 1, f"{name}: wider than a phone's screen by {overflow}px")

    def sign_in(self, b, key):
        self.go(b, "/signin")
        b.find_element(By.ID, "key").send_keys(key)
        b.find_element(By.CSS_SELECTOR, "form[action='/signin'] button").click()
        self.wait(b, lambda d: d.current_url.endswith("/me"), "signed in and sent to /me")

    def post_scenario(self, b, fields):
        self.go(b, "/publish")
        for name, value in fields.items():
            if name == "region":  # the picker: province → city → county, each filled after the one above
                for level, code in (("province", value[:2] + "0000"), ("city", value[:4] + "00"), ("county", value)):
                    self.wait(b, lambda d: d.find_elements(By.CSS_SELECTOR, f"#f-region-{level} option[value='{code}']"),
                              f"the region picker offers {code}")
                    Select(b.find_element(By.ID, f"f-region-{level}")).select_by_value(code)
                self.assertEqual(b.find_element(By.ID, "f-region").get_attribute("value"), value)
                continue
            el = b.find_element(By.ID, "f-" + name)
            if el.tag_name == "select":
                Select(el).select_by_value(value)
            else:
                el.send_keys(value)
        b.find_element(By.CSS_SELECTOR, "form[action='/publish'] button").click()

    def move(self, b, to, note="", evidence="", value=""):
        Select(b.find_element(By.ID, "to")).select_by_value(to)
        if note:
            b.find_element(By.ID, "note").send_keys(note)
        if evidence:
            b.find_element(By.ID, "evidence").send_keys(evidence)
        if value:
            b.find_element(By.ID, "contract_value").send_keys(value)
        before = b.find_element(By.ID, "stage")
        b.find_element(By.CSS_SELECTOR, "form[action$='/move'] button").click()
        # The match page answers the move with itself: wait for the new one, not the one left.
        self.wait(b, self.gone(before), "the match page reloaded after the move")
        self.wait(b, lambda d: d.find_element(By.ID, "stage").text != "", "stage shown")

    def check_gaps(self, op, others):
        """The operator's supply gaps: a labelled threshold field, groups with the most gaps first,
        each scenario a link; a bad threshold said at the field; no other role sees or reaches it."""
        op.find_element(By.CSS_SELECTOR, "header a[href='/gaps']").click()
        self.wait(op, lambda d: d.find_elements(By.ID, "gaps-summary"), "supply gaps page")
        self.assertTrue(op.find_element(By.CSS_SELECTOR, "label[for='threshold']").text)
        field = op.find_element(By.ID, "threshold")
        self.assertEqual(field.get_attribute("value"), "0.4", "the default threshold is shown")
        field.clear()
        field.send_keys("0.99")
        op.find_element(By.CSS_SELECTOR, "#gaps-form button").click()
        self.wait(op, lambda d: "threshold=0.99" in d.current_url, "gaps at the new threshold")
        counts = [len(g.find_elements(By.CSS_SELECTOR, "li")) for g in op.find_elements(By.CSS_SELECTOR, ".gap-group")]
        self.assertTrue(counts, "the fixtures have gaps at 0.99")
        self.assertEqual(counts, sorted(counts, reverse=True), "most gaps first")
        links = op.find_elements(By.CSS_SELECTOR, ".gap-group li > a[href^='/scenarios/']")
        self.assertEqual(len(links), sum(counts), "each scenario a link")
        self.assertIn(str(sum(counts)), op.find_element(By.ID, "gaps-summary").text)
        # A municipality's city level is named by its province, not GB/T 2260's "市辖区".
        self.assertNotIn("市辖区", op.find_element(By.TAG_NAME, "main").text)
        self.shot(op, "gaps")
        self.go(op, "/gaps?threshold=2")
        self.assertTrue(op.find_elements(By.ID, "err-threshold"), "a bad threshold is said at the field")
        self.assertEqual(op.find_element(By.ID, "threshold").get_attribute("aria-invalid"), "true")
        self.refused_to(others, "a[href^='/gaps']", ["/gaps"], "#gaps-summary", "only the operator is offered the gaps")
        self.go(op, "/me")

    def check_digests(self, op, others):
        """The operator's digest runs: each run's week, counts and a link to its recipients, each
        linking to its digest; no other role sees or reaches them."""
        op.find_element(By.CSS_SELECTOR, "header a[href='/digests']").click()
        self.wait(op, lambda d: d.find_elements(By.CSS_SELECTOR, "#digest-runs tbody tr"), "digest runs listed")
        row = op.find_element(By.CSS_SELECTOR, "#digest-runs tbody tr")
        cells = [td.text for td in row.find_elements(By.TAG_NAME, "td")]
        self.assertEqual(cells[0], "2026-W48")
        self.assertIn("2026-11-16", cells[1], "the days the run covers")
        self.assertTrue(cells[3], "finished at")
        self.assertGreater(int(cells[4]), 0, "recipients counted")
        self.shot(op, "digest-runs")
        row.find_element(By.CSS_SELECTOR, "a[href='/digests/2026-W48']").click()
        self.wait(op, lambda d: d.find_elements(By.CSS_SELECTOR, "#digest-recipients tbody tr"), "a run's recipients")
        links = op.find_elements(By.CSS_SELECTOR, "#digest-recipients a[href^='/digests/2026-W48/']")
        self.assertEqual(len(links), int(cells[4]), "each recipient links to its digest page")
        # A recipient's language by its name; those with nothing new are folded away (the list stays short on a phone).
        languages = {td.text for td in op.find_elements(By.CSS_SELECTOR, "#digest-recipients td[data-label='语言']") if td.text}
        self.assertTrue(languages and languages <= {"中文", "英文"}, languages)
        shown = op.find_elements(By.CSS_SELECTOR, "#digest-recipients > .table-wrap tbody tr")
        folded = op.find_elements(By.CSS_SELECTOR, "#digest-recipients-empty tbody tr")
        self.assertEqual(len(shown), int(cells[5]), "the recipients with items are shown")
        self.assertEqual(len(shown) + len(folded), int(cells[4]))
        self.assertTrue(all(int(r.find_element(By.CSS_SELECTOR, "td.num").get_attribute("textContent")) == 0 for r in folded))
        self.assertFalse(op.find_elements(By.CSS_SELECTOR, "a[href^='/v1/']"), "no link opens the API's JSON")
        self.shot(op, "digest-run")
        name = links[0].text
        links[0].click()  # the recipient with most items
        self.wait(op, lambda d: d.find_elements(By.ID, "digest-items"), "a recipient's digest as a page")
        self.assertIn(name, op.find_element(By.TAG_NAME, "h1").text)
        items = op.find_elements(By.CSS_SELECTOR, "#digest-items article")
        self.assertTrue(items, "its items are listed")
        self.assertTrue(items[0].find_elements(By.CSS_SELECTOR, "a[href^='/scenarios/']"), "an item links to its scenario's page")
        self.assertTrue(items[0].find_elements(By.CSS_SELECTOR, ".bars .bar"), "an item's components drawn as bars")
        self.assertFalse(op.find_elements(By.CSS_SELECTOR, "main a[href^='/v1/'], main a[href^='http']"), "readable links only")
        self.assertNotIn('"recipient"', op.find_element(By.TAG_NAME, "main").text, "no raw JSON")
        self.shot(op, "digest-recipient")
        items[0].find_element(By.CSS_SELECTOR, "a[href^='/scenarios/']").click()
        self.wait(op, lambda d: "/scenarios/" in d.current_url and d.find_elements(By.CSS_SELECTOR, "dl.fields"),
                  "the scenario's page opens from the digest")
        self.go(op, "/digests/2026-W01")
        self.assertTrue(op.find_elements(By.CSS_SELECTOR, ".notice.bad"), "a week never run is said so")
        self.refused_to(others, "a[href^='/digests']", ["/digests", "/digests/2026-W48"],
                        "#digest-runs, #digest-recipients", "only the operator is offered the runs")
        self.go(op, "/me")

    def check_my_scenarios(self, pub, scenario_id, others):
        """The publisher's own scenarios: each with its match count linking to the scenario's
        matches and the stages its matches reached; no other role is offered or served the page."""
        self.go(pub, "/me")
        pub.find_element(By.CSS_SELECTOR, "header a[href='/my-scenarios']").click()
        self.wait(pub, lambda d: d.find_elements(By.CSS_SELECTOR, "#my-scenarios tbody tr"), "my scenarios listed")
        row = pub.find_element(By.CSS_SELECTOR, f"#my-scenarios tr[data-id='{scenario_id}']")
        cells = {td.get_attribute("data-label"): td.text for td in row.find_elements(By.TAG_NAME, "td")}
        self.assertIn("电缆隧道渗漏水智能识别", cells["场景"])
        self.assertEqual(cells["匹配"], "1")
        self.assertEqual([cells[s] for s in ("推荐", "揭榜", "挂帅", "研发", "验证", "商业化", "已结束")],
                         ["1", "1", "1", "1", "1", "1", "0"], "the match went all the way")
        self.assertEqual(cells["状态"], "开放征集")
        self.shot(pub, "my-scenarios")
        row.find_element(By.CSS_SELECTOR, "a.matches").click()
        self.wait(pub, lambda d: d.current_url.endswith(f"/scenarios/{scenario_id}#matches"), "the scenario's matches")
        self.assertTrue(pub.find_elements(By.CSS_SELECTOR, "#matches + ul a[href^='/matches/']"), "its match is listed")
        self.refused_to(others, "a[href='/my-scenarios']", ["/my-scenarios"], "#my-scenarios",
                        "only a publisher has its own list")
        self.go(pub, "/me")

    def check_profile(self, ent, others):
        """The enterprise edits its own profile: a message at each bad field (the API's rules), the
        good edit stored; the form carries the CSRF token; no other role is offered or served it."""
        ent.find_element(By.CSS_SELECTOR, "header a[href='/profile']").click()
        self.wait(ent, lambda d: d.find_elements(By.CSS_SELECTOR, "form[action='/profile']"), "profile form")
        self.assertTrue(ent.find_elements(By.CSS_SELECTOR, "form[action='/profile'] input[name='csrf']"))
        # The region's label moves to the picker's first select once the script has built it: wait
        # for that (it comes after /regions.json arrives) instead of reading the label before or after by chance.
        self.wait(ent, lambda d: d.find_elements(By.CSS_SELECTOR, "label[for='f-region-province']"), "the region picker takes the label")
        for name in ("name", "capabilities", "description", "region-province", "industries", "trl", "qualifications"):
            self.assertTrue(ent.find_elements(By.CSS_SELECTOR, f"label[for='f-{name}']"), f"{name} has a label")
        self.assertTrue(ent.find_element(By.ID, "f-name").get_attribute("value"), "the stored profile is shown")
        def fill(name, value):
            el = ent.find_element(By.ID, "f-" + name)
            el.clear()
            el.send_keys(value)
        name = ent.find_element(By.ID, "f-name").get_attribute("value")
        region = ent.find_element(By.ID, "f-region").get_attribute("value")
        self.assertRegex(region, r"^\d{6}$", "the stored region's code is in the field")
        self.assertEqual(Select(ent.find_element(By.ID, "f-region-province")).first_selected_option.get_attribute("value"),
                         region[:2] + "0000", "the stored region is chosen in the picker")
        fill("trl", "12")
        ent.find_element(By.ID, "f-name").clear()
        ent.find_element(By.CSS_SELECTOR, "form[action='/profile'] button").click()
        self.wait(ent, lambda d: d.find_elements(By.ID, "err-trl"), "a message at the bad TRL")
        self.assertTrue(ent.find_elements(By.ID, "err-name"), "a message at the missing name")
        self.assertEqual(ent.find_element(By.ID, "f-trl").get_attribute("aria-invalid"), "true")
        self.assertFalse(ent.find_elements(By.ID, "err-description"), "no message at a good field")
        self.assertEqual(ent.find_element(By.ID, "f-trl").get_attribute("value"), "12", "what was typed is kept")
        self.shot(ent, "profile-errors")
        fill("name", name)
        fill("trl", "8")
        fill("industries", "C34，I65")
        ent.find_element(By.ID, "f-capabilities").send_keys("\n电缆隧道渗漏水智能识别")
        ent.find_element(By.CSS_SELECTOR, "form[action='/profile'] button").click()
        self.wait(ent, lambda d: d.find_elements(By.ID, "profile-saved"), "profile saved")
        self.assertEqual(ent.find_element(By.ID, "f-trl").get_attribute("value"), "8")
        self.wait(ent, lambda d: d.find_elements(By.ID, "f-region-county"), "the region picker")
        self.assertEqual(ent.find_element(By.ID, "f-region").get_attribute("value"), region, "the region is kept")
        self.assertEqual(ent.find_element(By.ID, "f-industries").get_attribute("value"), "C34, I65")
        self.assertIn("电缆隧道渗漏水智能识别", ent.find_element(By.ID, "f-capabilities").get_attribute("value").splitlines())
        self.shot(ent, "profile")
        self.refused_to(others, "a[href='/profile']", ["/profile"], "form[action='/profile']",
                        "only an enterprise edits a profile")

    def test_1_whole_loop(self):
        """Publisher posts → found publicly (simplified and traditional query) → enterprise sees it
        ranked with reasons and applies → publisher selects … commercialised → operator's funnel."""
        s = self.server
        pub_key = s.key("--role", "publisher", "--org", "国网杭州供电公司")
        ent_id = "91330108MA2M95UY1P"
        ent_key = s.key("--role", "enterprise", "--enterprise", ent_id)
        op_key = s.key("--role", "operator")

        pub = self.browser()
        self.go(pub, "/scenarios")
        self.shot(pub, "scenarios")
        self.sign_in(pub, pub_key)
        self.shot(pub, "publisher-desk")
        # A form with a bad field shows the message at that field.
        self.post_scenario(pub, {"id": "hz-web-001", "title": "电缆隧道渗漏水智能识别", "required_trl": "12"})
        self.wait(pub, lambda d: d.find_elements(By.ID, "err-required_trl"), "per-field error shown")
        # In Chinese, at the field: which field, what is wrong, what to do; what was typed is kept.
        self.assertEqual(pub.find_element(By.ID, "err-required_trl").text, "技术成熟度要求应为 1 到 9 之间的整数，请改正。")
        self.assertEqual(pub.find_element(By.ID, "err-description").text, "请填写需求描述。")
        self.assertIn("2", pub.find_element(By.ID, "form-errors").text, "the count of fields to correct on top")
        self.assertEqual(pub.find_element(By.ID, "f-required_trl").get_attribute("aria-describedby"), "err-required_trl")
        self.assertEqual(pub.find_element(By.ID, "f-title").get_attribute("value"), "电缆隧道渗漏水智能识别")
        self.assertEqual(pub.find_element(By.ID, "f-required_trl").get_attribute("value"), "12")
        self.assertFalse(pub.find_elements(By.ID, "err-title"), "no message at a good field")
        # The picker is built by script after /regions.json arrives: wait for it, never assume it is there.
        self.wait(pub, lambda d: d.find_elements(By.CSS_SELECTOR, "label[for='f-region-province']"),
                  "the region picker takes the field's label")
        self.assertEqual(pub.find_element(By.CSS_SELECTOR, "label[for='f-region-province']").text, "地区", "the picker is labelled")
        self.shot(pub, "publish-errors")
        self.post_scenario(pub, {
            "id": "hz-web-001", "title": "电缆隧道渗漏水智能识别",
            "description": "电力电缆隧道管片渗漏水巡检，需求基于图像的渗漏水自动识别与定位，挂轨巡检机器人搭载，识别准确率不低于95%。",
            "region": "330102", "industries": "D44", "required_trl": "7", "budget.amount_min": "1000000",
            "budget.amount_max": "3000000", "deadline": "2099年12月31日"})
        self.wait(pub, lambda d: "/scenarios/hz-web-001" in d.current_url, "scenario page after posting")
        self.assertIn("杭州市上城区", pub.find_element(By.CSS_SELECTOR, "dl.fields").text, "the region picked is stored")
        self.assertIn("2099-12-31", pub.find_element(By.CSS_SELECTOR, "dl.fields").text, "the date as written in Chinese is stored")
        self.shot(pub, "scenario-publisher")
        self.assertIn("电缆隧道渗漏水智能识别", pub.find_element(By.TAG_NAME, "h1").text)

        # Public, no sign-in: found by a Chinese and by a traditional-character query, live as one types.
        anon = self.browser()
        self.go(anon, "/scenarios")
        box = anon.find_element(By.ID, "q")
        box.send_keys("渗漏水")
        # The first page may list hz-web-001 already (no query): wait for the query's own results,
        # which are the only ones with highlighted words.
        self.wait(anon, lambda d: "hz-web-001" in d.find_element(By.ID, "results").get_attribute("innerHTML")
                  and d.find_elements(By.CSS_SELECTOR, "#results mark"), "results follow the search box")
        self.wait(anon, lambda d: "q=" in d.current_url, "the address follows the search box")
        marks = [m.text for m in anon.find_elements(By.CSS_SELECTOR, "#results mark")]
        self.assertIn("渗漏水", marks, "whole matched word highlighted")
        self.shot(anon, "search-results")
        self.go(anon, "/scenarios?q=" + urllib.request.quote("滲漏水"))
        self.assertIn("hz-web-001", anon.page_source, "traditional-character query finds it")
        self.go(anon, "/scenarios/hz-web-001")
        self.assertIn("/signin", anon.find_element(By.ID, "how-to-apply").get_attribute("innerHTML"), "how to apply: sign in")
        self.shot(anon, "scenario-public")
        # The public never sees an action: no forms but the search and language links.
        self.assertFalse(anon.find_elements(By.CSS_SELECTOR, "form[method='post']"))

        # The enterprise signs in, sees it ranked with reasons and bars, applies with a note.
        ent = self.browser()
        self.sign_in(ent, ent_key)
        self.assertIn("hz-web-001", ent.page_source, "ranked for the enterprise")
        self.assertTrue(ent.find_elements(By.CSS_SELECTOR, ".bars .bar"), "components drawn as bars")
        self.assertIn("截止：2099-12-31", ent.find_element(By.TAG_NAME, "main").text, "a ranked scenario's deadline is shown")
        self.shot(ent, "enterprise-desk")
        self.assertFalse(ent.find_elements(By.CSS_SELECTOR, "a[href='/publish']"), "no posting for an enterprise")
        self.go(ent, "/scenarios/hz-web-001")
        ent.find_element(By.ID, "note").send_keys("我们有挂轨巡检机器人")
        ent.find_element(By.CSS_SELECTOR, "form[action='/apply'] button").click()
        self.wait(ent, lambda d: "/matches/" in d.current_url, "match page after applying")
        match_url = ent.current_url
        self.assertIn(ent.find_element(By.ID, "stage").text, ("揭榜", "applied"))
        fields = ent.find_element(By.CSS_SELECTOR, "dl.fields").text
        self.assertIn("电缆隧道渗漏水智能识别", fields, "the scenario by its title")
        self.assertIn("杭州睿巡智能装备有限公司", fields, "the enterprise by its name")
        # An enterprise may only withdraw: selecting is not offered to it.
        options = [o.get_attribute("value") for o in ent.find_elements(By.CSS_SELECTOR, "#to option")]
        self.assertEqual(options, ["withdrawn"])
        self.assertFalse(ent.find_elements(By.ID, "contract_value"), "no contract value where it cannot be given")
        self.shot(ent, "match-enterprise")

        # The publisher selects (挂帅) and moves it on to commercialisation with evidence.
        pub.get(match_url)
        options = [o.get_attribute("value") for o in pub.find_elements(By.CSS_SELECTOR, "#to option")]
        self.assertIn("selected", options)
        self.move(pub, "selected", note="评审通过", evidence="https://example.org/review/1")
        for stage in ("rd", "validation"):
            self.move(pub, stage, note="进展")
        self.move(pub, "commercialized", note="签约", value="1250000")
        self.assertIn(pub.find_element(By.ID, "stage").text, ("商业化", "commercialized"))
        self.shot(pub, "match-publisher")

        # The operator's funnel shows it reaching commercialisation.
        op = self.browser()
        self.sign_in(op, op_key)
        self.assertIn("国网杭州供电公司", op.page_source)
        bars = op.find_elements(By.CSS_SELECTOR, ".bars .bar[aria-label^='商业化 1']")
        self.assertTrue(bars, "operator's funnel shows one commercialised match")
        self.assertGreaterEqual(len(op.find_elements(By.CSS_SELECTOR, "#keys tbody tr")), 3, "the operator sees the API keys")
        self.assertFalse(ent.find_elements(By.ID, "keys"))
        self.shot(op, "operator-desk")
        self.check_my_scenarios(pub, "hz-web-001", others=(ent, op))
        self.check_gaps(op, others=(pub, ent))
        self.check_digests(op, others=(pub, ent))
        # English switch.
        op.find_element(By.CSS_SELECTOR, "a[href^='/lang/en']").click()
        self.wait(op, lambda d: "Operator" in d.page_source, "English page")
        self.shot(op, "operator-desk-en")
        op.find_element(By.CSS_SELECTOR, "a[href^='/lang/zh']").click()
        self.check_profile(ent, others=(pub, op))

    def test_2_upload_with_bad_lines(self):
        s = self.server
        key = s.key("--role", "publisher", "--org", "杭州市城市大脑运营中心")
        b = self.browser()
        self.sign_in(b, key)
        path = os.path.join(s.dir, "list.csv")
        with open(path, "w", encoding="utf-8") as f:
            f.write("id,title,description,region,deadline,required_trl\n")
            f.write("up-1,路口信号优化,基于多源数据的路口信号配时优化,330110,2099-01-01,7\n")
            f.write("up-2,,缺少标题的一行,330110,2099-01-01,7\n")
            f.write("up-3,停车诱导,城市停车诱导系统,330110,2099-02-30,7\n")
            f.write("up-4,交通事件识别,视频识别交通事件,330110,2099-03-01,11\n")
        self.go(b, "/import")
        b.find_element(By.ID, "file").send_keys(path)
        b.find_element(By.CSS_SELECTOR, "form[action='/import'] button").click()
        self.wait(b, lambda d: d.find_elements(By.ID, "import-summary"), "import summary")
        rows = b.find_elements(By.CSS_SELECTOR, "#import-errors tbody tr")
        lines = sorted(int(r.find_elements(By.TAG_NAME, "td")[0].text) for r in rows)
        self.assertEqual(lines, [3, 4, 5], "each bad line listed with its reason")
        self.assertIn("1", b.find_element(By.ID, "import-summary").text)
        self.shot(b, "import-report")
        self.go(b, "/scenarios/up-1")
        self.assertIn("路口信号优化", b.find_element(By.TAG_NAME, "h1").text)

    def test_3_script_title_is_text(self):
        s = self.server
        key = s.key("--role", "publisher", "--org", "测试发榜单位")
        b = self.browser()
        self.sign_in(b, key)
        self.post_scenario(b, {"id": "xss-1", "title": "<script>alert(1)</script>",
                               "description": "<img src=x onerror=alert(2)> 标题测试", "deadline": "2099-01-01"})
        self.wait(b, lambda d: "/scenarios/xss-1" in d.current_url, "posted")
        self.assertEqual(b.find_element(By.TAG_NAME, "h1").text, "<script>alert(1)</script>")
        self.go(b, "/scenarios?q=" + urllib.request.quote("标题测试"))
        self.assertIn("<script>alert(1)</script>", b.find_element(By.ID, "results").text)
        # No alert opened and no injected element exists.
        self.assertFalse(b.find_elements(By.CSS_SELECTOR, "#results script, #results img"))
        self.shot(b, "script-title")

    def test_4_cross_site_post_refused(self):
        s = self.server
        key = s.key("--role", "enterprise", "--enterprise", "ent-0001")
        b = self.browser()
        self.sign_in(b, key)
        # Another site (localhost on another port) posts a form to the server.
        page = (f"<form id=f method=post action='{s.url}/apply'><input name=scenario_id value=hz-2026-03-001>"
                "<input name=note value=forged></form><script>document.getElementById('f').submit()</script>")

        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                self.wfile.write(page.encode())

            def log_message(self, *a):
                pass

        evil = http.server.HTTPServer(("127.0.0.1", 0), H)
        threading.Thread(target=evil.serve_forever, daemon=True).start()
        try:
            b.get(f"http://localhost:{evil.server_address[1]}/")
            self.wait(b, lambda d: d.current_url.startswith(s.url), "the forged form was sent")
            self.wait(b, lambda d: d.find_elements(By.TAG_NAME, "main"), "answer shown")
            self.assertNotIn("/matches/", b.current_url)
            self.shot(b, "cross-site-refused")
        finally:
            evil.shutdown()
        # Nothing was created: the enterprise has no match.
        self.go(b, "/me")
        self.assertFalse(b.find_elements(By.CSS_SELECTOR, "a[href^='/matches/']"))
        # A same-site form without the token is refused too.
        b.execute_script("""var f=document.createElement('form');f.method='post';f.action='/apply';
            var i=document.createElement('input');i.name='scenario_id';i.value='hz-2026-03-001';f.appendChild(i);
            document.body.appendChild(f);f.submit();""")
        self.wait(b, lambda d: d.current_url.endswith("/apply"), "posted without a token")
        # The address changes when the answer starts to arrive: wait for its notice, not read it at once.
        self.wait(b, lambda d: d.find_elements(By.CSS_SELECTOR, ".notice.bad"), "a form without the session's token is refused")

    def test_5_revoked_key_ends_session(self):
        s = self.server
        key = s.key("--role", "enterprise", "--enterprise", "ent-0001")
        key_id = [l.split()[0] for l in s.run("keys", "list").splitlines() if l.split() and l.split()[0].isdigit()][-1]
        b = self.browser()
        self.sign_in(b, key)
        self.assertTrue(b.find_elements(By.CSS_SELECTOR, "form[action='/signout']"))
        s.run("keys", "revoke", key_id)
        self.go(b, "/me")
        self.assertTrue(b.find_elements(By.ID, "key"), "sent back to sign in")
        self.assertFalse(b.find_elements(By.CSS_SELECTOR, "form[action='/signout']"))
        self.shot(b, "session-ended")
        # Sign-out ends a live session too.
        key2 = s.key("--role", "enterprise", "--enterprise", "ent-0001")
        self.sign_in(b, key2)
        cookie = b.get_cookie("jb_session")
        self.assertTrue(cookie["httpOnly"])
        self.assertEqual(cookie["sameSite"], "Strict")
        b.find_element(By.CSS_SELECTOR, "form[action='/signout'] button").click()
        self.wait(b, lambda d: d.current_url.endswith("/scenarios"), "signed out")
        b.add_cookie({"name": "jb_session", "value": cookie["value"], "path": "/"})
        self.go(b, "/me")
        self.assertTrue(b.find_elements(By.ID, "key"), "an ended session does not come back")

    def test_6_forms_without_script(self):
        """With JavaScript off the post-a-scenario and profile forms still work as plain HTML: the
        region is a labelled text field taking a place name (the picker never replaces it), the
        deadline a text field taking a date written in Chinese; the profile shows its stored region
        by name and keeps it on save."""
        s = self.server
        pub = self.browser(script=False)
        self.sign_in(pub, s.key("--role", "publisher", "--org", "无脚本发榜单位"))
        self.go(pub, "/publish")
        self.assertFalse(pub.execute_script("return !!document.querySelector('.region-picker')"))
        region = pub.find_element(By.ID, "f-region")
        self.assertEqual(region.get_attribute("type"), "text")
        self.assertEqual(pub.find_element(By.CSS_SELECTOR, "label[for='f-region']").text, "地区")
        self.assertIn("杭州市西湖区", pub.find_element(By.ID, "help-region").text, "the field says what to type")
        self.assertEqual(pub.find_element(By.ID, "f-deadline").get_attribute("placeholder"), "年-月-日")
        self.shot(pub, "publish-noscript")
        self.fill_by_typing(pub, {"id": "noscript-1", "title": "无脚本发布的场景", "description": "在不运行脚本的浏览器中发布。",
                                  "region": "杭州市西湖区", "deadline": "2099年6月1日"})
        pub.find_element(By.CSS_SELECTOR, "form[action='/publish'] button").click()
        self.wait(pub, lambda d: "/scenarios/noscript-1" in d.current_url, "posted without script")
        fields = pub.find_element(By.CSS_SELECTOR, "dl.fields").text
        self.assertIn("杭州市西湖区", fields)
        self.assertIn("2099-06-01", fields)
        # A name of no region is said at the field, with what was typed kept.
        self.go(pub, "/publish")
        self.fill_by_typing(pub, {"id": "noscript-2", "title": "t", "description": "d", "region": "火星市"})
        pub.find_element(By.CSS_SELECTOR, "form[action='/publish'] button").click()
        self.wait(pub, lambda d: d.find_elements(By.ID, "err-region"), "an unknown place said at the field")
        self.assertEqual(pub.find_element(By.ID, "f-region").get_attribute("value"), "火星市")

        ent = self.browser(script=False)
        self.sign_in(ent, s.key("--role", "enterprise", "--enterprise", "91330108MA2M95UY1P"))
        self.go(ent, "/profile")
        field = ent.find_element(By.ID, "f-region")
        self.assertEqual(field.get_attribute("type"), "text")
        stored = field.get_attribute("value")
        self.assertRegex(stored, r"[\u4e00-\u9fff]", "the stored region is shown by its name")
        self.shot(ent, "profile-noscript")
        ent.find_element(By.CSS_SELECTOR, "form[action='/profile'] button").click()
        self.wait(ent, lambda d: d.find_elements(By.ID, "profile-saved"), "profile saved without script")
        self.assertEqual(ent.find_element(By.ID, "f-region").get_attribute("value"), stored, "the region is kept")
        field = ent.find_element(By.ID, "f-region")
        field.clear()
        field.send_keys("杭州市西湖区")
        before = ent.find_element(By.ID, "profile-saved")  # the page answering this save has one too: wait for the new page
        ent.find_element(By.CSS_SELECTOR, "form[action='/profile'] button").click()
        self.wait(ent, self.gone(before), "the profile page reloaded after the save")
        self.wait(ent, lambda d: d.find_elements(By.ID, "profile-saved"), "a region typed by name saved")
        self.assertEqual(ent.find_element(By.ID, "f-region").get_attribute("value"), "杭州市西湖区")

    def fill_by_typing(self, b, fields):
        for name, value in fields.items():
            b.find_element(By.ID, "f-" + name).send_keys(value)


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--binary", required=True)
    p.add_argument("--source", required=True)
    p.add_argument("--shots", required=True)
    ARGS, rest = p.parse_known_args()
    unittest.main(argv=[sys.argv[0], "-v", *rest])


if __name__ == "__main__":
    main()
