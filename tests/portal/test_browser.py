#!/usr/bin/env python3
"""The portal in headless Chromium (Debian's chromium, chromium-driver and
python3-selenium): a data lead signs in, uploads a bad file, reads the
findings, fixes and re-uploads, explains the warning; the DCS signs off;
the programme team sets a due date and publishes; the DCS downloads the
pack.  axe-core (npm; path in argv[3]) checks every page visited: no
serious or critical WCAG 2.2 A/AA violation.  Prints the axe results."""
import csv, os, sys, tempfile, time

sys.path.insert(0, os.path.dirname(__file__))
from portal import Failures, PASSWORD, ROOT, Server, Store  # noqa: E402

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError:
    print("python3-selenium is missing (scripts/setup.sh installs it)")
    sys.exit(1)

BIN, PARENT, AXE = sys.argv[1], sys.argv[2], sys.argv[3]
T = Failures()
check = T.check
store = Store(BIN, PARENT, leave_out=("CAM_2025-03-31.csv",))
srv = Server(store)
work = tempfile.mkdtemp(prefix="liia-browser-", dir=PARENT)
downloads = os.path.join(work, "downloads")
os.mkdir(downloads)

# The fix: the sample return with one caseload figure doubled (a warning).
fixed = os.path.join(work, "CAM_2025-03-31.csv")
with open(os.path.join(ROOT, "sample-data", "quarterly", "CAM_2025-03-31.csv")) as f:
    rows = f.read().replace("sw_fte_case_holding,62.54,", "sw_fte_case_holding,140.00,")
with open(fixed, "w") as f:
    f.write(rows)

opts = webdriver.ChromeOptions()
opts.binary_location = "/usr/bin/chromium"
for a in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
          "--disable-component-update", "--disable-sync", "--no-first-run",
          "--disable-dev-shm-usage", "--user-data-dir=" + os.path.join(work, "profile")]:
    opts.add_argument(a)
opts.add_experimental_option("prefs", {"download.default_directory": downloads,
                                       "download.prompt_for_download": False})
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
driver.set_page_load_timeout(60)
with open(AXE) as f:
    axe_source = f.read()
axe_results = []


def axe(label):
    """Runs axe-core on the current page; serious/critical violations fail."""
    driver.execute_script(axe_source)
    res = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a',"
        " 'wcag21aa', 'wcag22aa']}}).then(r => done({v: r.violations.map(x => ({id: x.id,"
        " impact: x.impact, n: x.nodes.length})), p: r.passes.length}))"
        ".catch(e => done({error: String(e)}));")
    if "error" in res:
        check(False, "axe failed on %s: %s" % (label, res["error"]))
        return
    bad = [v for v in res["v"] if v["impact"] in ("serious", "critical")]
    axe_results.append((label, res["p"], res["v"]))
    check(not bad, "axe on %s: %s" % (label, bad))


def click(element, timeout=60):
    """Clicks and waits for the next page (every form posts or gets a page);
    a long request (publishing: minutes under the sanitizers) waits longer."""
    old = driver.find_element(By.TAG_NAME, "html")
    driver.set_page_load_timeout(timeout)
    element.click()

    def left(_):
        # Stale, or the inspector no longer knows the node: either way the
        # old page is gone (chromedriver reports both during a navigation).
        try:
            old.is_enabled()
            return False
        except WebDriverException:
            return True

    WebDriverWait(driver, timeout).until(left)
    WebDriverWait(driver, timeout).until(
        lambda d: d.execute_script("return document.readyState") == "complete")
    driver.set_page_load_timeout(60)


def go(path, label=None):
    driver.get(srv.base + path)
    if label:
        axe(label)


def sign_in(name):
    go("/login", "sign-in page")
    driver.find_element(By.ID, "name").send_keys(name)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    click(driver.find_element(By.CSS_SELECTOR, "main button[type=submit]"))
    check("Signed in as " + name in driver.page_source, "%s signed in" % name)


def sign_out():
    click(driver.find_element(By.CSS_SELECTOR, "header form button"))
    check(driver.current_url.endswith("/login"), "signed out")


def upload(path, label):
    go("/upload", "upload page")
    driver.find_element(By.ID, "file").send_keys(path)
    click(driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    check("/submissions/" in driver.current_url, "%s: on its validation page" % label)
    axe("validation page (%s)" % label)


try:
    sign_in("cam.lead")
    axe("data lead's start page")
    upload(os.path.join(ROOT, "sample-data", "bad", "negative_value.csv"), "bad file")
    text = driver.find_element(By.TAG_NAME, "main").text
    check("Rejected" in text and "negative" in text.lower(), "the rejection and its reason")
    errors = driver.find_elements(By.CSS_SELECTOR, "tr.sev-error")
    check(len(errors) == 1 and errors[0].find_elements(By.CSS_SELECTOR, "span.value"),
          "one error row with the failing value highlighted")
    Select(driver.find_element(By.ID, "severity")).select_by_value("error")
    click(driver.find_element(By.CSS_SELECTOR, "form[method=get] button"))
    check(len(driver.find_elements(By.CSS_SELECTOR, "tbody tr.sev-warning")) == 0 and
          len(driver.find_elements(By.CSS_SELECTOR, "tbody tr.sev-error")) == 1, "filtered to errors")
    axe("validation page filtered")

    upload(fixed, "corrected file")
    check("Rejected" not in driver.find_element(By.TAG_NAME, "main").text, "accepted")
    warnings = driver.find_elements(By.CSS_SELECTOR, "tr.sev-warning")
    check(len(warnings) >= 1, "the warning is listed: %d" % len(warnings))
    sub_url = driver.current_url
    for i in range(len(warnings)):
        note = driver.find_elements(By.CSS_SELECTOR, "tr.sev-warning textarea")[i]
        note.send_keys("Caseload counted differently this quarter (browser test %d)" % i)
        click(driver.find_elements(By.CSS_SELECTOR, "tr.sev-warning form button")[i])
    check("Caseload counted differently" in driver.page_source, "the explanation is shown")

    # A child-level return: its three tables at once; the findings by child.
    go("/upload")
    # The sample is clean but for a few planted breaches: every episode's
    # CIN is made a code outside DfE's list, so the findings need pages.
    d903 = os.path.join(ROOT, "sample-data", "ssda903")
    dense = os.path.join(work, "ssda903")
    os.makedirs(dense)
    for t in ("header", "episodes", "uasc"):
        with open(os.path.join(d903, "CAM_2025-03-31_%s.csv" % t), newline="") as f:
            rows = list(csv.reader(f))
        if t == "episodes":
            col = rows[0].index("CIN")
            for r in rows[1:]:
                r[col] = "N9"
        with open(os.path.join(dense, "CAM_2025-03-31_%s.csv" % t), "w", newline="") as f:
            csv.writer(f, lineterminator="\r\n").writerows(rows)
    driver.find_element(By.ID, "file").send_keys("\n".join(
        os.path.join(dense, "CAM_2025-03-31_%s.csv" % t) for t in ("header", "episodes", "uasc")))
    Select(driver.find_element(By.ID, "return")).select_by_value("ssda903")
    driver.find_element(By.ID, "period").send_keys("2025-03-31")
    click(driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    # The validation page is the answer to the upload itself (not a
    # redirect), with the authority's own CHILD beside each pseudonym.
    check("/submissions/" in driver.current_url or "the only time" in driver.page_source,
          "SSDA903: on its validation page")
    check(driver.find_elements(By.CSS_SELECTOR, "tbody tr.sev-error span.child-id"),
          "SSDA903: the upload's answer names the authority's own children")
    axe("validation page (SSDA903, page 1 of the findings)")
    check(len(driver.find_elements(By.CSS_SELECTOR, "tbody tr.sev-error")) == 100,
          "100 findings on a page")
    click(driver.find_element(By.LINK_TEXT, "Next page"))
    check("page=2" in driver.current_url and "Previous page" in driver.page_source,
          "the next page of findings")
    axe("validation page (SSDA903, page 2)")
    child_link = driver.find_element(By.CSS_SELECTOR, "tbody tr.sev-error td a[href*='child=']")
    click(child_link)
    check("child=" in driver.current_url and driver.find_elements(By.CSS_SELECTOR, "td.bad"),
          "one child's rows with the failing cells highlighted")
    child = driver.current_url.split("child=")[1].split("&")[0]
    links = [a.get_attribute("href") for a in
             driver.find_elements(By.CSS_SELECTOR, "tbody tr[class^=sev-] td a[href*='child=']")]
    check(links and all(h.endswith("child=" + child) for h in links),
          "the findings filtered to the child: %d" % len(links))
    check(driver.find_element(By.ID, "child").get_attribute("value") in driver.current_url,
          "the filter form shows the child")
    axe("validation page filtered to one child")
    go("/history", "history page")
    go("/submissions/999999", "not-found page")
    check("<h1>Not found</h1>" in driver.page_source, "a missing submission: the not-found page")
    go("/packs", "packs page (none yet)")
    sign_out()

    sign_in("cam.dcs")
    driver.get(sub_url)
    axe("validation page for the DCS")
    click(driver.find_element(By.XPATH, "//button[text()='Sign off this return']"))
    check("cam.dcs" in driver.find_element(By.TAG_NAME, "table").text, "signed off by name")
    sign_out()

    sign_in("prog")
    axe("programme start page (the grid)")
    driver.find_element(By.ID, "due").send_keys("2025-05-01")
    click(driver.find_element(By.XPATH, "//button[text()='Set due date']"))
    check("2025-05-01" in driver.page_source and "signed off" in driver.page_source,
          "grid with due date and states")
    click(driver.find_element(By.XPATH, "//button[starts-with(text(), 'Publish')]"), 800)
    check(driver.current_url.endswith("/packs") and "London_2025-03-31_overview.xlsx" in driver.page_source,
          "published")
    axe("programme packs page")
    go("/audit", "audit page")
    sign_out()

    sign_in("analyst")
    driver.find_element(By.ID, "sql").send_keys("SELECT la_code, period FROM submissions LIMIT 3")
    click(driver.find_element(By.CSS_SELECTOR, "main button"))
    check("la_code,period" in driver.page_source, "query result")
    axe("query page")
    sign_out()

    sign_in("cam.dcs")
    go("/packs", "DCS packs page")
    links = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "main a")]
    check(links == ["CAM_2025-03-31_benchmark.xlsx", "CAM_2025-03-31_benchmark.pdf"]
          or sorted(links) == ["CAM_2025-03-31_benchmark.pdf", "CAM_2025-03-31_benchmark.xlsx"],
          "the DCS sees their own pack only: %s" % links)
    driver.find_element(By.LINK_TEXT, "CAM_2025-03-31_benchmark.xlsx").click()  # a download
    target = os.path.join(downloads, "CAM_2025-03-31_benchmark.xlsx")
    for _ in range(100):
        if os.path.exists(target):
            break
        time.sleep(0.1)
    ok = os.path.exists(target)
    check(ok and open(target, "rb").read(2) == b"PK", "the pack is downloaded")
finally:
    driver.quit()
    srv.stop()

print("axe-core results (violations of any impact; serious/critical fail):")
for label, passes, v in axe_results:
    print("  %-40s %3d rules passed, violations: %s" % (label, passes,
          ", ".join("%s(%s)x%d" % (x["id"], x["impact"], x["n"]) for x in v) or "none"))
if not T.n:
    store.remove()
T.done()
