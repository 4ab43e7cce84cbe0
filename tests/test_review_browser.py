"""The review page in a real browser (headless Chromium driven by Selenium): open it, read a dialogue with the
gold hidden, show the gold, flag a turn, judge the disposition, save, reload, and see it saved, in the page and
in reviews.jsonl. Skipped, saying why, where Chromium, its driver or Selenium cannot be had (`.ci/run` installs
Debian's chromium and chromium-driver where it can)."""

from __future__ import annotations

import shutil
import tempfile
import threading
from pathlib import Path

import pytest

from scenegen.review.server import ReviewSession, make_server
from scenegen.review.store import read_reviews

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install '.[test]')")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as ec  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

SAMPLE = Path(__file__).parent.parent / "examples" / "sample"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="headless Chromium and chromedriver are not "
                                "installed (Debian: apt-get install chromium chromium-driver; .ci/run does this)")


@pytest.fixture
def page(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(SAMPLE, data)
    server, address = make_server(ReviewSession(data, "ann"), "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="chromium-", dir=tmp_path)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-quic", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=DRIVER))
    try:
        yield driver, address, data
    finally:
        driver.quit()
        server.shutdown()
        server.server_close()


def test_a_clinician_reads_flags_judges_saves_and_finds_it_saved_after_a_reload(page):
    driver, address, data = page
    wait = WebDriverWait(driver, 20)
    driver.get(address)
    wait.until(lambda d: d.find_element(By.ID, "record-id").text.startswith("scn-"))
    rid = driver.find_element(By.ID, "record-id").text
    gold = driver.find_element(By.ID, "gold")
    assert not gold.is_displayed()  # the first read is blind
    driver.find_element(By.ID, "toggle-gold").click()
    assert gold.is_displayed() and "gold disposition:" in gold.text

    driver.find_element(By.CSS_SELECTOR, '.msg[data-turn="2"]').click()
    driver.find_element(By.CSS_SELECTOR, '#flag-boxes input[value="unnatural_wording"]').click()
    driver.find_element(By.ID, "turn-comment").send_keys("nobody talks like this")
    driver.find_element(By.ID, "add-flag").click()
    assert "turn 2: unnatural_wording" in driver.find_element(By.ID, "flag-list").text
    Select(driver.find_element(By.ID, "level")).select_by_value("emergency_ambulance")
    driver.find_element(By.ID, "comment").send_keys("would send an ambulance")
    driver.find_element(By.ID, "save").click()
    wait.until(ec.text_to_be_present_in_element((By.ID, "status"), "saved 20"))

    driver.refresh()
    wait.until(lambda d: d.find_element(By.ID, "record-id").text == rid)
    wait.until(ec.text_to_be_present_in_element((By.ID, "status"), "saved 20"))
    assert "turn 2: unnatural_wording" in driver.find_element(By.ID, "flag-list").text
    assert Select(driver.find_element(By.ID, "level")).first_selected_option.get_attribute("value") == "emergency_ambulance"
    assert not driver.find_element(By.ID, "gold").is_displayed()  # blind again on a new load

    [review] = list(read_reviews(data / "reviews.jsonl"))
    assert review.record_id == rid and review.reviewer == "ann"
    assert review.judgement.reviewer_disposition.value == "emergency_ambulance"
    assert review.judgement.turns[0].turn == 2 and review.judgement.turns[0].flags == ["unnatural_wording"]
    assert review.judgement.comment == "would send an ambulance"


def test_the_keyboard_alone_can_show_the_gold_judge_and_save(page):
    driver, address, data = page
    wait = WebDriverWait(driver, 20)
    driver.get(address)
    wait.until(lambda d: d.find_element(By.ID, "record-id").text.startswith("scn-"))
    body = driver.find_element(By.TAG_NAME, "body")
    body.send_keys("g")
    assert driver.find_element(By.ID, "gold").is_displayed()
    body.send_keys("a")
    body.send_keys("s")
    wait.until(ec.text_to_be_present_in_element((By.ID, "status"), "saved 20"))
    [review] = list(read_reviews(data / "reviews.jsonl"))
    assert review.judgement.disposition == "agree"
    first = driver.find_element(By.ID, "record-id").text
    body.send_keys("n")
    wait.until(lambda d: d.find_element(By.ID, "record-id").text != first)
