#!/usr/bin/python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""The web application in headless Chromium (Selenium), against the real
daemons that tests/integration/test_web.sh started and set up: each role
logs in and does its key actions, and every effect is checked in the
services' own read models (their admin ports).  Prints "ok - ..." and
"not ok - ..." lines; test_web.sh counts them.

    test_web.py CONFIG.json
"""
import base64
import glob
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import ElementNotInteractableException, StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CFG = json.load(open(sys.argv[1]))
URL = CFG["url"]
DATE = CFG["date"]
SHOTS = CFG["screens"]
os.makedirs(SHOTS, exist_ok=True)
T0 = time.time()
gateway = {"pid": CFG["gateway_pid"], "proc": None}
browsers = []


def ok(desc):
    print("ok - " + desc, flush=True)


def not_ok(desc):
    print("not ok - " + desc, flush=True)


def check(desc, cond, why=""):
    if cond:
        ok(desc)
    else:
        not_ok(desc + (" (%s)" % why if why else ""))
    return bool(cond)


def check_eq(desc, got, want):
    return check(desc, got == want, "got %r, want %r" % (got, want))


def log(msg):
    print("# %5.1fs %s" % (time.time() - T0, msg), flush=True)


# ---- the services' own read models ----


def admin(svc, path):
    with urllib.request.urlopen("http://127.0.0.1:%d%s" % (CFG["admin"][svc], path), timeout=5) as r:
        return json.loads(r.read().decode() or "{}")


def metric(svc, name):
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % CFG["admin"][svc], timeout=5) as r:
        for line in r.read().decode().splitlines():
            if line.split(" ")[0] == name:
                return float(line.split(" ")[1])
    return 0.0


def wait_until(f, timeout=20, interval=0.2):
    """F's value once truthy (None after TIMEOUT seconds)."""
    end = time.time() + timeout
    while True:
        try:
            v = f()
        except Exception:  # a daemon restarting, a page reloading
            v = None
        if v:
            return v
        if time.time() > end:
            return None
        time.sleep(interval)


def tours():
    return admin("tours", "/v1/tours/" + DATE).get("tours", [])


def tour_of(vehicle):
    for t in tours():
        if t["vehicleId"] == vehicle:
            return t
    return None


def stop(tour_id, index):
    for t in tours():
        if t["tourId"] == tour_id:
            for s in t["stops"]:
                if s.get("index", 0) == index:
                    return s
    return {}


def order_status(ref):
    try:
        return admin("orders", "/v1/orders/fournil/" + ref)["order"]["status"]
    except Exception:
        return "none"


# ---- the gateway, killed and restarted ----


def kill_gateway():
    if gateway["proc"]:
        gateway["proc"].kill()
        gateway["proc"].wait()
        gateway["proc"] = None
    elif gateway["pid"]:
        try:
            os.kill(gateway["pid"], signal.SIGKILL)
        except ProcessLookupError:
            pass
        gateway["pid"] = None
    # the port is free once it no longer answers
    wait_until(lambda: not up(), 10)


def up():
    try:
        urllib.request.urlopen("http://127.0.0.1:%d/healthz" % CFG["admin"]["gateway"], timeout=1)
        return True
    except Exception:
        return False


def start_gateway(*extra):
    logf = open(os.path.join(CFG["tmp"], "gateway-web.log"), "a")
    gateway["proc"] = subprocess.Popen(CFG["gateway_cmd"] + list(extra), stdout=logf, stderr=logf)
    return wait_until(up, 10)


# ---- the browser ----


def browser(width, height=900):
    o = webdriver.ChromeOptions()
    for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--lang=fr-FR", "--window-size=%d,%d" % (width, height), "--hide-scrollbars",
              "--force-device-scale-factor=1"]:
        o.add_argument(a)
    o.add_experimental_option("prefs", {"intl.accept_languages": "fr-FR,fr"})
    o.binary_location = "/usr/bin/chromium"
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
    d.set_window_size(width, height)
    d.implicitly_wait(0)
    browsers.append(d)
    return d


def find(d, css, timeout=10, visible=True):
    def f():
        for e in d.find_elements(By.CSS_SELECTOR, css):
            if not visible or e.is_displayed():
                return e
        return None
    e = wait_until(f, timeout, 0.1)
    if e is None:
        raise LookupError("no %s on %s" % (css, d.current_url))
    return e


def present(d, css):
    return any(e.is_displayed() for e in d.find_elements(By.CSS_SELECTOR, css))


def retried(f):
    """F again when the screen re-rendered its element meanwhile (a live
    event, the queue)."""
    def g(*a, **k):
        for i in range(4):
            try:
                return f(*a, **k)
            except (StaleElementReferenceException, ElementNotInteractableException):
                if i == 3:
                    raise
                time.sleep(0.3)
    return g


@retried
def click(d, css, timeout=10):
    e = find(d, css, timeout)
    d.execute_script("arguments[0].scrollIntoView({block: 'center'})", e)
    e.click()
    return e


@retried
def fill(d, css, value):
    e = find(d, css)
    d.execute_script("arguments[0].scrollIntoView({block: 'center'})", e)
    if e.tag_name == "select":
        if not d.execute_script("""const [s, v] = arguments;
                if (!Array.from(s.options).some(o => o.value === v)) return false;
                s.value = v; s.dispatchEvent(new Event('change', {bubbles: true})); return true;""", e, str(value)):
            raise LookupError("no option %s in %s" % (value, css))
    elif e.get_attribute("type") in ("date", "time"):
        d.execute_script("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('change'))", e, value)
    else:
        e.clear()
        e.send_keys(str(value))
    return e


def shot(d, name):
    d.execute_script("window.scrollTo(0, 0)")
    time.sleep(0.2)
    d.save_screenshot(os.path.join(SHOTS, name + ".png"))


def full_shot(d, name, width):
    """The whole page, not only the window."""
    h = d.execute_script("return Math.min(document.documentElement.scrollHeight, 4000)")
    d.set_window_size(width, max(h, 600))
    time.sleep(0.3)
    shot(d, name)


def tab(d, name):
    d.get(URL + "/app/#/" + name)
    find(d, 'main[data-tab="%s"]' % name)
    time.sleep(0.4)


def login(d, user, password=None):
    d.get(URL + "/app/")
    find(d, "#login-user")
    fill(d, "#login-user", user)
    fill(d, "#login-password", password or "pw-%s-123" % user)
    click(d, "#login-submit")
    wait_until(lambda: present(d, "#logout") or present(d, "#login-error"), 10, 0.1)
    return present(d, "#logout")


def logout(d):
    click(d, "#logout")
    find(d, "#login-user")


def js_fetch(d, method, path, headers=None, body=None):
    """A request from the page (its cookie): [status, body text]."""
    return d.execute_async_script(
        """const [m, p, h, b, done] = arguments;
        fetch(p, {method: m, headers: h || {}, body: b, credentials: 'same-origin'})
          .then(async r => done([r.status, await r.text()])).catch(e => done([0, String(e)]));""",
        method, path, headers or {}, body)


def session(d):
    st, body = js_fetch(d, "GET", "/v1/session")
    return json.loads(body) if st == 200 else None


def layout(d, what, width):
    """No horizontal scroll, every form control labelled."""
    d.set_window_size(width, 900)
    time.sleep(0.3)
    sw, iw = d.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
    check("%s at %d px: no horizontal scroll" % (what, width), sw <= iw + 1, "scrollWidth %d > %d" % (sw, iw))
    bad = d.execute_script(
        """return Array.from(document.querySelectorAll('input, select, textarea'))
          .filter(e => e.type !== 'hidden' && !e.closest('[hidden]'))
          .filter(e => !(e.id && document.querySelector('label[for="' + e.id + '"]'))
                       && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))
          .map(e => e.id || e.name || e.outerHTML.slice(0, 60))""")
    check("%s at %d px: every form control has a label" % (what, width), not bad, ", ".join(bad[:5]))


def screens(d, name):
    """Both widths, a screenshot of each."""
    for w in (1280, 360):
        layout(d, name, w)
        full_shot(d, "%s-%d" % (name, w), w)
    d.set_window_size(1280, 900)


def tab_walk(d, form_css):
    """Tab from the form's first control: every enabled visible control of
    the form is reached, in the order of the page."""
    want = d.execute_script(
        """return Array.from(document.querySelectorAll(arguments[0] + ' input, ' + arguments[0] + ' select, '
              + arguments[0] + ' textarea, ' + arguments[0] + ' button'))
          .filter(e => !e.disabled && e.offsetParent !== null && e.type !== 'radio' || (e.type === 'radio' && e.checked))
          .map(e => e.id || e.textContent.trim())""", form_css)
    first = d.find_elements(By.CSS_SELECTOR, form_css + " input, " + form_css + " select")[0]
    d.execute_script("arguments[0].focus()", first)
    seen = []
    for _ in range(len(want) * 2 + 10):
        a = d.switch_to.active_element
        seen.append(a.get_attribute("id") or a.text.strip())
        if len([x for x in want if x in seen]) == len(want):
            break
        a.send_keys(Keys.TAB)
    missing = [x for x in want if x not in seen]
    order = []  # first visits (a date or time field takes a Tab per part)
    for x in seen:
        if x in want and x not in order:
            order.append(x)
    return missing, order == [x for x in want if x in order]


def i18n_complete():
    used = set()
    for f in glob.glob(os.path.join(ROOT, "web", "js", "*.js")):
        s = "\n".join(l for l in open(f) if not l.lstrip().startswith("//"))
        used |= set(re.findall(r'\bt\("([A-Za-z0-9_.]+)"', s))
        used |= set(re.findall(r'"((?:tab|role)\.[A-Za-z]+)"', s))
    out = {}
    for lang in ("fr", "en"):
        s = open(os.path.join(ROOT, "web", "js", "lang", lang + ".js")).read()
        out[lang] = set(re.findall(r'^\s*"([^"]+)":', s, re.M))
    roles = {"role." + r for r in ("operator", "member", "driver", "rider", "relay", "processor")}
    used = (used - {"role."}) | roles
    return sorted(used - out["fr"]), sorted(used - out["en"]), sorted(out["fr"] ^ out["en"])


def main():
    miss_fr, miss_en, diff = i18n_complete()
    check("every string the app shows is in the French table", not miss_fr, ", ".join(miss_fr[:8]))
    check("and in the English table, with the same keys", not miss_en and not diff, ", ".join((miss_en + diff)[:8]))
    names = [os.path.relpath(p, os.path.join(ROOT, "web")) for p in glob.glob(os.path.join(ROOT, "web", "**", "*"), recursive=True) if os.path.isfile(p)]
    odd = [n for n in names if not re.search(r"\.(html|css|js|svg|png|json)$", n)]
    check("every file of web/ has a standard extension", not odd, ", ".join(odd))

    desk = browser(1280)
    phone = browser(360, 780)

    # ---- login ----
    desk.get(URL + "/")
    find(desk, "#login-user")
    check("/ leads to the app's login page", desk.current_url.rstrip("/").endswith("/app") or "/app/" in desk.current_url)
    check("the page is French by default", desk.execute_script("return document.documentElement.lang") == "fr"
          and "Connexion" in find(desk, "#login-form h1").text)
    check("Leaflet is served from Debian's libjs-leaflet", desk.execute_script("return !!(window.L && L.version)"))
    screens(desk, "login")
    login(desk, "marie", "wrong-password")
    err = find(desk, "#login-error")
    check("a wrong password is refused, said in French", "incorrect" in err.text, err.text)
    check("and gives no session", session(desk) is None)
    missing, in_order = tab_walk(desk, "#login-form")
    check("the login form is walked with the keyboard", not missing and in_order, "missing %s" % missing)

    # ---- a member places and cancels an order ----
    check("the member logs in", login(desk, "fournil"))
    s = session(desk)
    check_eq("its session says its role and member", (s or {}).get("role"), "member")
    tab(desk, "order")
    find(desk, "#order-site option[value=c4]")
    find(desk, ".line-product")
    fill(desk, "#order-ref", "web-1")
    fill(desk, "#order-site", "c4")
    fill(desk, "#order-date", DATE)
    t0 = time.localtime(CFG["now"] + 15 * 60)
    fill(desk, "#order-from", "%02d:%02d" % (t0.tm_hour, t0.tm_min))
    fill(desk, "#order-to", "23:00")
    fill(desk, ".line-product", "farine")
    fill(desk, ".line-qty", 3)
    fill(desk, ".line-grams", 1000)
    fill(desk, ".line-ctype", "caisse")
    fill(desk, ".line-ccount", 1)
    missing, in_order = tab_walk(desk, "#order-form")
    check("the order form: the keyboard reaches every control, in order", not missing and in_order, "missing %s" % missing)
    screens(desk, "member-order")
    click(desk, "#order-submit")
    msg = find(desk, ".msg.ok")
    check("the order is accepted (the screen says so)", "web-1" in msg.text, msg.text)
    check_eq("lz-orders has it, confirmed from the member's stock",
             wait_until(lambda: order_status("web-1") == "ORDER_STATUS_CONFIRMED" and order_status("web-1")), "ORDER_STATUS_CONFIRMED")
    o = admin("orders", "/v1/orders/fournil/web-1")["order"]
    check_eq("with its site, line and containers as entered",
             (o["destinationSiteId"], o["lines"][0]["product"], o["lines"][0]["quantity"], o["lines"][0].get("containers")),
             ("c4", "farine", 3, [{"containerType": "caisse", "count": 1}]))
    tab(desk, "orders")
    find(desk, '[data-cancel="fournil/web-1"]')
    check("the member's orders list shows only its own", all("fournil/" in e.get_attribute("data-order")
          for e in desk.find_elements(By.CSS_SELECTOR, ".order-status")))
    screens(desk, "member-orders")
    click(desk, '[data-cancel="fournil/web-1"]')
    click(desk, '[data-cancel-confirm="fournil/web-1"]')
    check_eq("cancelled in lz-orders", wait_until(lambda: order_status("web-1") == "ORDER_STATUS_CANCELLED" and order_status("web-1")),
             "ORDER_STATUS_CANCELLED")
    check("the list follows live: the order shows cancelled", wait_until(
        lambda: "annulée" in find(desk, '.order-status[data-order="fournil/web-1"]').text, 10))
    tab(desk, "balance")
    find(desk, "#balances-summary")
    screens(desk, "member-balance")
    tab(desk, "impact")
    find(desk, "#impact-report")
    screens(desk, "member-impact")
    logout(desk)

    # ---- the operator plans the wave and binds the drivers ----
    check("the operator logs in", login(desk, "marie"))
    tab(desk, "plan")
    find(desk, "#veh-van-1")
    fill(desk, "#wave-date", DATE)
    fill(desk, "#wave-name", "am")
    click(desk, "#veh-van-1")
    screens(desk, "operator-plan")
    click(desk, "#wave-submit")
    t1 = wait_until(lambda: tour_of("van-1"), 30)
    check("PlanWave from the screen: lz-tours planned van-1's tour", t1)
    check("and only the ticked vehicle", t1 and tour_of("van-2") is None)
    tour_id = t1["tourId"] if t1 else DATE + "/am/van-1"
    for van, drv in (("van-1", "pierre"), ("van-2", "paul")):
        fill(desk, "#assign-date", DATE)
        fill(desk, "#assign-vehicle", van)
        fill(desk, "#assign-driver", drv)
        click(desk, "#assign-submit")
        find(desk, ".msg.ok")
        time.sleep(0.3)
    check_eq("AssignDriver from the screen: the tour's driver is pierre",
             wait_until(lambda: (tour_of("van-1") or {}).get("driverId") == "pierre" and "pierre"), "pierre")
    t1 = tour_of("van-1")
    task_stops = [s for s in t1["stops"] if s["kind"] == "STOP_KIND_TASK"]
    relay = [s["index"] for s in task_stops if s["siteId"] == "relais-velo"]
    cust = [s["index"] for s in task_stops if s["siteId"] in ("c1", "c2", "c3")]
    check_eq("the tour serves the three customers and the bike relay", (len(cust), len(relay)), (3, 1))
    tab(desk, "tasks")
    fill(desk, "#tasks-date", DATE)
    find(desk, "#tasks-summary")
    screens(desk, "operator-tasks")
    tab(desk, "stock")
    find(desk, "#stock-table")
    screens(desk, "operator-stock")
    tab(desk, "reception")
    find(desk, "#lot-zone option[value=sec]")
    for css, v in (("#lot-id", "L-web-1"), ("#lot-owner", "fournil"), ("#lot-product", "sucre"),
                   ("#lot-quantity", 40), ("#lot-grams", 1000), ("#lot-ml", 900), ("#lot-zone", "sec")):
        fill(desk, css, v)
    screens(desk, "operator-reception")
    click(desk, "#reception-submit")
    lot = wait_until(lambda: admin("inventory", "/v1/lots/L-web-1"), 10)
    check_eq("ReceiveLot from the screen: lz-inventory holds the lot", lot and (lot["product"], lot["quantity"], lot["zoneId"]),
             ("sucre", "40", "sec"))
    # the picking list, printed
    tab(desk, "picking")
    fill(desk, "#picking-date", DATE)
    pid = "print-" + re.sub(r"[^A-Za-z0-9]", "-", tour_id)
    find(desk, "#" + pid)
    desk.execute_script("window.__printed = 0; window.print = () => { window.__printed += 1; };")
    screens(desk, "operator-picking")
    click(desk, "#" + pid)
    check_eq("the picking list's print button asks the browser to print", desk.execute_script("return window.__printed"), 1)
    desk.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    vis = desk.execute_script(
        """const v = e => !!e && getComputedStyle(e).display !== 'none' && e.getClientRects().length > 0;
        const b = document.querySelector('.picking.print-target');
        return [v(document.querySelector('header.top')), v(b), v(document.querySelector('.note')),
                v(document.querySelector('#picking-date')), b ? b.querySelectorAll('tbody tr').length : 0]""")
    check_eq("printed (print media): the list alone, no header, form nor notes", vis[:4], [False, True, False, False])
    lines = sum(len(c.get("lines", [])) for l in admin("inventory", "/v1/picking/" + DATE)["lists"]
                if l["tourId"] == tour_id for c in l.get("compartments", []))
    check_eq("the printed list has lz-inventory's lines", vis[4], lines)
    pdf = base64.b64decode(desk.execute_cdp_cmd("Page.printToPDF", {"printBackground": True})["data"])
    open(os.path.join(SHOTS, "picking-list.pdf"), "wb").write(pdf)
    check("the print makes a PDF", pdf[:4] == b"%PDF" and len(pdf) > 2000)
    d_shot = os.path.join(SHOTS, "operator-picking-print-1280.png")
    desk.save_screenshot(d_shot)
    click_notes = "print-notes-" + re.sub(r"[^A-Za-z0-9]", "-", tour_id)
    desk.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "screen"})
    desk.execute_script("document.getElementById(arguments[0]).click()", click_notes)
    desk.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    notes = desk.execute_script("""return Array.from(document.querySelectorAll('.note'))
        .filter(e => getComputedStyle(e).display !== 'none').length""")
    check_eq("the delivery notes print one per stop", notes, len(task_stops))
    desk.save_screenshot(os.path.join(SHOTS, "operator-notes-print-1280.png"))
    desk.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "screen"})
    for name, css in (("flows", "#flows"), ("balances", "#balances"), ("impact", "#impact-report"), ("health", "#health-table")):
        tab(desk, name)
        find(desk, css)
        screens(desk, "operator-" + name)
    rows = desk.find_elements(By.CSS_SELECTOR, "#health-table tbody tr")
    check("the health screen lists every daemon, all ready", len(rows) >= 8 and all("pas prêt" not in r.text for r in rows),
          "%d rows" % len(rows))
    tab(desk, "feed")
    find(desk, "#feed")
    tab(desk, "tours")
    fill(desk, "#tours-date", DATE)
    find(desk, '[data-tour="%s"]' % tour_id)
    markers = wait_until(lambda: len(desk.find_elements(By.CSS_SELECTOR, "#map path.leaflet-interactive")) >= len(task_stops) + 1
                         and len(desk.find_elements(By.CSS_SELECTOR, "#map path.leaflet-interactive")), 5)
    check("the map draws the tour: a marker per stop and its route", markers)
    check("no tile server configured: a plain background, no tile layer",
          present(desk, "#map.plain-map") and not desk.find_elements(By.CSS_SELECTOR, ".leaflet-tile"))
    screens(desk, "operator-tours")
    # the operator's desk stays on the map: it must follow the driver live

    # ---- the driver ----
    check("the driver logs in on the phone", login(phone, "pierre"))
    find(phone, '[data-tour="%s"]' % tour_id)
    check("the driver sees its tour, stop by stop", len(phone.find_elements(By.CSS_SELECTOR, ".stop-card")) == len(task_stops))
    geo = phone.find_element(By.CSS_SELECTOR, "#stop-%d a.geo" % cust[0]).get_attribute("href")
    loc = [s for s in task_stops if s["index"] == cust[0]][0]["location"]
    check("each stop has a geo: link to navigate", geo.startswith("geo:%s,%s" % (loc["lat"], loc["lon"])), geo)
    check("and what to unload (the picking list's lines)", "farine" in find(phone, "#stop-%d .unload" % cust[0]).text)
    screens(phone, "driver-tour")
    fill(phone, "#odo-start-van-1", 1000)
    click(phone, "#start-tour")
    check_eq("TourStarted with the odometer: the tour started", wait_until(
        lambda: (tour_of("van-1") or {}).get("status") == "TOUR_STATUS_STARTED" and "started"), "started")
    s1, s2, s3 = cust
    find(phone, "#arrive-%d" % s1)
    click(phone, "#arrive-%d" % s1)
    check("StopArrived", wait_until(lambda: stop(tour_id, s1).get("status") == "STOP_STATUS_ARRIVED"))
    click(phone, "#deliver-%d" % s1)
    fill(phone, "#back-type-%d-0" % s1, "caisse")
    fill(phone, "#back-count-%d-0" % s1, 2)
    screens(phone, "driver-deliver")
    click(phone, "#deliver-submit-%d" % s1)
    check("StopCompleted: the stop is completed in lz-tours",
          wait_until(lambda: stop(tour_id, s1).get("status") == "STOP_STATUS_COMPLETED"))
    o_s1 = [t.split(":", 1)[1].split("/")[1] for t in stop(tour_id, s1)["taskIds"]][0]
    check_eq("and its order delivered in lz-orders", wait_until(lambda: order_status(o_s1) == "ORDER_STATUS_DELIVERED" and "delivered"), "delivered")
    check("the operator's map follows live (no reload): the stop shows completed", wait_until(
        lambda: desk.find_element(By.CSS_SELECTOR, '[data-tour="%s"] li.stop[data-index="%d"]' % (tour_id, s1)).get_attribute("data-status")
        == "STOP_STATUS_COMPLETED", 10))
    screens(desk, "operator-tours-live")
    find(phone, "#fail-%d" % s2)
    click(phone, "#fail-%d" % s2)
    fill(phone, "#fail-reason-%d" % s2, "FAIL_REASON_CLOSED")
    fill(phone, "#fail-note-%d" % s2, "rideau baissé")
    click(phone, "#fail-submit-%d" % s2)
    st = wait_until(lambda: stop(tour_id, s2).get("status") == "STOP_STATUS_FAILED" and stop(tour_id, s2))
    check_eq("StopFailed with its reason", st and (st["failReason"], st.get("note")), ("FAIL_REASON_CLOSED", "rideau baissé"))

    # ---- another driver: not its tour ----
    logout(phone)
    login(phone, "paul")
    check("another driver does not see that tour", find(phone, "#no-tour"))
    screens(phone, "driver-other")
    s = session(phone)
    before = metric("tours", 'lz_tours_refused_total{reason="not_your_tour"}')
    st, body = js_fetch(phone, "POST", "/v1/commands/lz.tours.v1.StopArrived",
                        {"Content-Type": "application/json", "X-CSRF-Token": s["csrf"], "Idempotency-Key": "paul-1"},
                        json.dumps({"tourId": tour_id, "stopIndex": s3}))
    check_eq("its report on pierre's tour reaches the gateway", st, 202)
    check("and lz-tours refuses it: not its tour", wait_until(
        lambda: metric("tours", 'lz_tours_refused_total{reason="not_your_tour"}') == before + 1))
    check_eq("the stop did not move", stop(tour_id, s3).get("status", "STOP_STATUS_PLANNED"), "STOP_STATUS_PLANNED")
    logout(phone)

    # ---- the gateway down: the phone's queue ----
    login(phone, "pierre")
    find(phone, "#arrive-%d" % s3)
    done_before = metric("tours", "lz_tours_stops_completed_total")
    bad_before = metric("tours", 'lz_tours_refused_total{reason="bad_state"}')
    seq_before = metric("gateway", "lz_outbox_seq")
    kill_gateway()
    check("the gateway is down", not up())
    click(phone, "#arrive-%d" % s3)
    click(phone, "#deliver-%d" % s3)
    click(phone, "#deliver-submit-%d" % s3)
    r = relay[0]
    click(phone, "#arrive-%d" % r)
    click(phone, "#deliver-%d" % r)
    click(phone, "#deliver-submit-%d" % r)
    n = wait_until(lambda: len(phone.find_elements(By.CSS_SELECTOR, "#queue .queue-item")) == 4 and 4, 5)
    check_eq("four reports wait in the phone's queue", n, 4)
    stored = phone.execute_script("return JSON.parse(localStorage.getItem('lz.queue.pierre')).items")
    check("kept in localStorage with their Idempotency-Keys", len(stored) == 4 and len({i["key"] for i in stored}) == 4)
    check("the stop shows as done on the phone, waiting to be sent",
          "en attente" in find(phone, "#stop-%d" % s3).text)
    screens(phone, "driver-queue")
    time.sleep(1)
    check_eq("nothing reached lz-tours meanwhile", stop(tour_id, s3).get("status", "STOP_STATUS_PLANNED"), "STOP_STATUS_PLANNED")
    check("start_gateway: the gateway is back", start_gateway())
    check("the queue empties by itself once the gateway answers (no reload)",
          wait_until(lambda: present(phone, "#queue-empty"), 20))
    check("the phone's session survived the gateway's restart (sessions are in its store)", session(phone))
    check("the queued reports applied: both stops completed", wait_until(
        lambda: stop(tour_id, s3).get("status") == "STOP_STATUS_COMPLETED" and stop(tour_id, r).get("status") == "STOP_STATUS_COMPLETED", 15))
    time.sleep(1)
    check_eq("exactly once: two more stops completed", metric("tours", "lz_tours_stops_completed_total") - done_before, 2)
    check_eq("a queued report keeps the time it was made, not the time it arrived",
             int(stop(tour_id, s3).get("reportedAt", 0)), stored[1]["at"])
    check_eq("no report applied twice (none refused as already reported)",
             metric("tours", 'lz_tours_refused_total{reason="bad_state"}') - bad_before, 0)
    check_eq("the gateway committed each report once (its outbox)", metric("gateway", "lz_outbox_seq") - seq_before, 4)
    last = phone.execute_script("return JSON.parse(localStorage.getItem('lz.queue.pierre')).sent[0]")
    s = session(phone)
    st, body = js_fetch(phone, "POST", "/v1/commands/" + last["type"],
                        {"Content-Type": "application/json", "X-CSRF-Token": s["csrf"], "Idempotency-Key": last["key"]},
                        json.dumps(last["payload"]))
    check_eq("the same report sent again is a duplicate", (st, json.loads(body).get("status")), (202, "ACK_STATUS_DUPLICATE"))
    time.sleep(1)
    check_eq("and changes nothing", metric("tours", "lz_tours_stops_completed_total") - done_before, 2)
    check_eq("the centre's orders are at the bike relay",
             wait_until(lambda: order_status("b1") == order_status("b2") == "ORDER_STATUS_AT_BIKE_RELAY" and "yes"), "yes")
    fill(phone, "#odo-end-van-1", 1042)
    click(phone, "#end-tour")
    t = wait_until(lambda: (tour_of("van-1") or {}).get("status") == "TOUR_STATUS_COMPLETED" and tour_of("van-1"))
    check_eq("TourCompleted with the odometer", t and t.get("odometerKm"), "1042")
    logout(phone)

    # ---- the rider ----
    check("the rider logs in", login(phone, "alice"))
    check("the bikes of the fleet are offered (from /v1/fleet)", wait_until(
        lambda: sorted(o.get_attribute("value") for o in phone.find_elements(By.CSS_SELECTOR, "#shift-bikes option")) == ["cargo-1"], 10))
    check("not on shift yet", wait_until(lambda: find(phone, "#shift-now").text == "Pas en service.", 10))
    fill(phone, "#shift-bike", "cargo-1")
    screens(phone, "rider-shift")
    click(phone, "#shift-start")
    runs = wait_until(lambda: [x for x in admin("bikes", "/v1/runs/%s?rider=alice" % DATE).get("runs", [])
                               if x["status"] == "RUN_STATUS_PLANNED"], 20)
    check("StartShift: lz-bikes planned runs for the rider", runs)
    click(phone, "#rider-refresh")
    runs = sorted(runs or [], key=lambda x: int(x["start"]))
    for run in runs:
        rs = re.sub(r"[^A-Za-z0-9]", "-", run["runId"])
        click(phone, "#start-run-" + rs)
        wait_until(lambda: any(x["runId"] == run["runId"] and x["status"] == "RUN_STATUS_STARTED"
                               for x in admin("bikes", "/v1/runs/" + DATE).get("runs", [])))
        for v in run["stops"]:
            for p in v.get("parcelIds", []):
                ps = re.sub(r"[^A-Za-z0-9]", "-", p)
                if p.endswith("/b2"):
                    click(phone, "#pl-" + ps)
                    fill(phone, "#rp-" + ps, "rp-noailles")
                    screens(phone, "rider-run")
                    click(phone, "#pl-submit-" + ps)
                else:
                    click(phone, "#pd-" + ps)
                    click(phone, "#pd-submit-" + ps)
                find(phone, "#parcel-%s .badge" % ps)
        click(phone, "#complete-run-" + rs)
    done = wait_until(lambda: all(x["status"] == "RUN_STATUS_COMPLETED" for x in admin("bikes", "/v1/runs/%s?rider=alice" % DATE)["runs"]
                                  if x["runId"] in {r["runId"] for r in runs}), 15)
    check("the rider's runs completed in lz-bikes", runs and done)
    check_eq("b1 delivered, b2 left at the relay point (lz-orders)",
             wait_until(lambda: order_status("b1") == order_status("b2") == "ORDER_STATUS_DELIVERED" and "yes"), "yes")
    screens(phone, "rider-done")
    logout(phone)

    # ---- the relay point ----
    def parcel(pid):
        for p in admin("bikes", "/v1/parcels?member=quartiers").get("parcels", []):
            if p["parcelId"] == pid:
                return p["status"]
        return "none"
    check("the relay point logs in", login(phone, "noa"))
    click(phone, "#confirm-del-fournil-b2")
    check_eq("ConfirmAtRelayPoint: the parcel received (lz-bikes)", wait_until(
        lambda: parcel("del:fournil/b2") == "PARCEL_STATUS_RECEIVED_AT_RELAY_POINT" and "received"), "received")
    screens(phone, "relay-parcels")
    click(phone, "#hand-del-fournil-b2")
    check_eq("HandOverParcel: handed over", wait_until(lambda: parcel("del:fournil/b2") == "PARCEL_STATUS_HANDED_OVER" and "handed"), "handed")
    check("the relay point's screen lists it handed over", wait_until(lambda: "del:fournil/b2" in find(phone, "#parcels-handed").text, 10))
    logout(phone)

    # ---- the processor ----
    def flow():
        for f in admin("returns", "/v1/flows?status=all").get("flows", []):
            if f.get("reference") == "epluchures-1":
                return f
        return {}
    check("the processor logs in", login(phone, "comp"))
    fid = flow().get("flowId", "F1")
    fs = re.sub(r"[^A-Za-z0-9]", "-", fid)
    fill(phone, "#actual-" + fs, "11.5")
    screens(phone, "processor-flows")
    click(phone, "#process-" + fs)
    f = wait_until(lambda: flow().get("status") == "FLOW_STATUS_CLOSED" and flow())
    check_eq("ConfirmProcessing: the flow closed with the kg received (lz-returns)", f and f.get("actualGrams"), "11500")

    # ---- CSRF ----
    s = session(phone)
    for what, hdr in (("without", {}), ("with a wrong", {"X-CSRF-Token": "x" * 43})):
        h = {"Content-Type": "application/json", "Idempotency-Key": "csrf-" + what[:4]}
        h.update(hdr)
        st, body = js_fetch(phone, "POST", "/v1/commands/lz.returns.v1.ConfirmProcessing", h,
                            json.dumps({"flowId": fid, "actualGrams": "1"}))
        check("a command %s CSRF token is refused (401, naming X-CSRF-Token)" % what, st == 401 and "X-CSRF-Token" in body,
              "%d %s" % (st, body[:120]))
    check_eq("and changed nothing", flow().get("actualGrams"), "11500")

    # ---- the language ----
    fill(phone, "#lang", "en")
    check("English on request", wait_until(lambda: "Flows assigned to my outlets" in find(phone, "#main").text
                                           and phone.execute_script("return document.documentElement.lang") == "en", 5))
    phone.refresh()
    check("and kept after a reload", wait_until(lambda: "Log out" in find(phone, "#logout").text, 5))
    screens(phone, "processor-flows-en")
    fill(phone, "#lang", "fr")
    find(phone, "#logout")
    check("back to French", "Se déconnecter" in find(phone, "#logout").text)
    logout(phone)
    check("logged out: the session is closed", session(phone) is None)

    # ---- an expired session ----
    kill_gateway()
    start_gateway("--session-s", "3")
    login(phone, "pierre")
    find(phone, "#driver-refresh")
    time.sleep(4)
    click(phone, "#driver-refresh")
    notice = wait_until(lambda: present(phone, "#login-notice") and find(phone, "#login-notice").text, 10)
    check("an expired session leads back to the login page, which says so", notice and "expiré" in notice, notice)
    check("and the gateway refuses it", session(phone) is None)
    screens(phone, "login-expired")


try:
    main()
except Exception as e:  # a missing element: the rest cannot run
    import traceback
    traceback.print_exc()
    not_ok("the browser scenario ran to its end (%s: %s)" % (type(e).__name__, str(e).splitlines()[0] if str(e) else ""))
    for i, d in enumerate(browsers):
        try:
            d.save_screenshot(os.path.join(CFG["tmp"], "failure-%d.png" % i))
            for l in d.get_log("browser")[-10:]:
                print("# browser %d: %s" % (i, l.get("message")), file=sys.stderr)
        except WebDriverException:
            pass
finally:
    for d in browsers:
        try:
            d.quit()
        except WebDriverException:
            pass
    if gateway["proc"]:
        gateway["proc"].terminate()
        try:
            gateway["proc"].wait(10)
        except subprocess.TimeoutExpired:
            gateway["proc"].kill()
    log("done")
