"""End-to-end: the browser UI in Debian's headless Chromium, driven by Playwright.

A real server (uvicorn on 127.0.0.1, a free port) on a temp data directory with the example RA
patient; the test enters a token, opens the patient's dashboard (timeline plot, twin bands),
the recommendations, runs a small trial from the designer to the end, and opens the knowledge
base. Screenshots go to ``IMMUNOBALANCE_SCREENSHOT_DIR`` when set (``docs/screenshots`` to
refresh the committed ones), else to the test's temp directory.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
EXAMPLES = Path(__file__).parents[2] / "examples" / "patients"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        shutil.which(CHROMIUM) is None,
        reason=f"{CHROMIUM} is absent (apt-get install -y chromium; .ci/run installs it)",
    ),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(base URL, clinician token) of a running service with the example RA patient."""
    import uvicorn

    from immunobalance.api import create_app
    from immunobalance.api.monitoring import create_reviewed, review_document
    from immunobalance.api.recommender import make_recommender
    from immunobalance.config import Settings
    from immunobalance.patient import read_patient
    from immunobalance.store.crud import tokens
    from immunobalance.store.session import Database

    data = tmp_path_factory.mktemp("web-data")
    settings = Settings(data_dir=data, rate_limit_per_minute=100_000)
    db = Database(settings.database_url)
    ra = read_patient(EXAMPLES / "ra.json")
    review = review_document(ra, ra.latest_date())
    with db.write() as session:  # as POST /patients does: store with the latest visit's review
        create_reviewed(session, ra, review)
        _, secret = tokens.create_token(session, "clinician", "browser-test")
    app = create_app(settings, database=db, recommender=make_recommender(data / "twin", n=40))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", secret
    server.should_exit = True
    thread.join()
    db.dispose()


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),  # a fresh --user-data-dir
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1280, "height": 900},
        )
        page = context.new_page()
        page.set_default_timeout(300_000)
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.errors = errors  # type: ignore[attr-defined]
        yield page
        context.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = os.environ.get("IMMUNOBALANCE_SCREENSHOT_DIR")
    path = Path(target) if target else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def test_the_ui_end_to_end(server: tuple[str, str], page: Any, shots: Path) -> None:
    url, secret = server
    page.goto(url + "/")
    page.wait_for_selector("text=Enter an API token")
    page.fill("#token-input", secret)
    page.click("#token-form button")
    page.wait_for_selector("#token-state:has-text('token accepted')")

    # patient list -> dashboard with the timeline plot and the twin's prediction intervals
    page.wait_for_selector("a:has-text('pt-ra-001')")
    page.screenshot(path=shots / "patients.png")
    page.click("a:has-text('pt-ra-001')")
    page.wait_for_selector("#timeline-plot .main-svg")
    assert page.locator("#timeline-plot .scatterlayer .trace").count() >= 4  # indices + bars
    page.wait_for_selector(".action[data-kind='switch_class']")
    page.wait_for_selector("#twin-plot .main-svg")
    page.screenshot(path=shots / "dashboard.png", full_page=True)

    # recommendations: ranked options with intervals, excluded options with their rule
    page.click("text=Open recommendations")
    page.wait_for_selector("#ranked-options tbody tr")
    ranked = page.locator("#ranked-options tbody tr")
    assert ranked.count() >= 3
    assert "%" in ranked.first.inner_text()
    page.screenshot(path=shots / "recommendations.png")

    # trial designer: two small arms, run to the end, result plot
    page.goto(url + "/#/trials")
    page.wait_for_selector("#trial-form")
    page.select_option("#trial-disease", "psoriasis")
    page.select_option("#trial-population", "moderate_severe_plaque")
    page.fill("#trial-name", "UI: guselkumab vs placebo")
    page.fill("#trial-n", "60")
    page.fill("#trial-weeks", "12")
    page.fill("#arm-1-0-agent", "guselkumab")
    page.fill("#arm-1-0-dose", "100 mg")
    page.select_option("#arm-1-0-route", "sc")
    page.fill("#arm-1-0-every", "4 weeks")
    page.fill("#trial-endpoints", "PASI75, PASI90")
    page.fill("#trial-at", "12")
    page.click("#trial-form button[type=submit]")
    page.wait_for_selector("#trial-result #trial-plot .main-svg")
    assert "done" in page.inner_text("#trial-output")
    page.screenshot(path=shots / "trial.png", full_page=True)

    # knowledge base browser
    page.goto(url + "/#/kb")
    page.wait_for_selector("#kb-agents tbody tr")
    page.select_option("#kb-disease", "multiple_sclerosis")
    page.fill("#kb-search", "cd20")
    names = page.locator("#kb-agents tbody tr").all_inner_texts()
    assert names and all("CD20" in n.upper() for n in names)
    page.screenshot(path=shots / "knowledge-base.png")
    assert page.errors == []  # type: ignore[attr-defined]


def test_bad_token_is_reported(server: tuple[str, str], page: Any) -> None:
    url, _ = server
    page.goto(url + "/")
    page.fill("#token-input", "not-a-token")
    page.click("#token-form button")
    page.wait_for_selector("#token-state:has-text('token rejected')")
    assert json.loads(page.evaluate("JSON.stringify(sessionStorage.length)")) == 1
