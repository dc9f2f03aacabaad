"""End-to-end dashboard tests: the real app under uvicorn, driven by headless Chromium.

Chromium is Debian's ``/usr/bin/chromium`` driven by the ``playwright`` package (no browser
download). Without it the tests skip, unless ``VISITRACK_REQUIRE_BROWSER=1`` (CI) makes a
missing browser a failure.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from api_corpus import HOSTILE, build_db

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Generous: the first submission loads the spaCy model inside the server.
TIMEOUT_MS = 30_000
SERVER_START_S = 20.0

if not CHROMIUM.exists():
    if os.environ.get("VISITRACK_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{CHROMIUM} is missing (apt-get install chromium)", pytrace=False)
    pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)", allow_module_level=True)
try:
    from playwright.sync_api import Browser, Dialog, Page, expect, sync_playwright
except ImportError:  # pragma: no cover - only without the test dependency
    if os.environ.get("VISITRACK_REQUIRE_BROWSER") == "1":
        raise
    pytest.skip("the playwright package is not installed", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    from visitrack.api import create_app

    os.environ.pop("VISITRACK_TOKEN", None)
    db = build_db(tmp_path_factory.mktemp("dash") / "visits.db")
    port = _free_port()
    app = create_app(db, bind_host="127.0.0.1")
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + SERVER_START_S
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the dashboard server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser, base_url: str, tmp_path: Path) -> Iterator[Page]:
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT_MS)
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    pg.on("dialog", on_dialog)
    # Anything leaving loopback would be a CDN or tracker: record it.
    foreign: list[str] = []
    pg.on(
        "request",
        lambda req: None if req.url.startswith((base_url, "data:")) else foreign.append(req.url),
    )
    yield pg
    pg.screenshot(path=str(tmp_path / "screenshot.png"), full_page=True)
    context.close()
    assert dialogs == [], f"a dialog fired: {dialogs}"
    assert foreign == [], f"requests left the server: {foreign}"


def test_dashboard_loads_timeline_network_and_list(page: Page) -> None:
    page.goto("/")
    expect(page.locator("#timeline svg rect.bar")).to_have_count(3)
    expect(page.locator("#timeline svg rect.bar.upcoming")).to_have_count(1)
    expect(page.locator("#network svg g.node")).to_have_count(5)  # FRA, JPN, DEU, IND, RUS
    expect(page.locator("#table tbody tr")).to_have_count(3)
    expect(page.locator("#status")).to_contain_text("Storylines 1–3")


def test_filters_are_reflected_in_the_url(page: Page) -> None:
    page.goto("/")
    expect(page.locator("#table tbody tr")).to_have_count(3)
    page.fill("#filters input[name=country]", "ind")
    page.click("#filters button[type=submit]")
    expect(page.locator("#table tbody tr")).to_have_count(2)
    assert "country=IND" in page.url
    page.select_option("#filters select[name=stage]", "completed")
    page.click("#filters button[type=submit]")
    expect(page.locator("#table tbody tr")).to_have_count(1)
    expect(page.locator("#table tbody")).to_contain_text("Narendra Modi")
    # A shared link restores the same view.
    page.goto("/?visitor=macron&upcoming=1")
    expect(page.locator("#table tbody tr")).to_have_count(1)
    expect(page.locator("#filters input[name=visitor]")).to_have_value("macron")
    expect(page.locator("#filters input[name=upcoming]")).to_be_checked()
    page.goto("/?country=Russia")
    expect(page.locator("#status")).to_contain_text("ISO 3166-1 alpha-3")


def test_storyline_page_shows_history_and_marked_evidence(page: Page) -> None:
    page.goto("/?visitor=modi")
    page.locator("#table tbody a").first.click()
    expect(page).to_have_url(re.compile(r"/storyline/[0-9a-f]+$"))
    expect(page.locator("#storyline h1")).to_contain_text("Narendra Modi")
    expect(page.locator("ol.history li.step")).to_have_count(1)
    expect(page.locator("ol.history mark")).to_contain_text("visited Moscow in July")
    page.go_back()
    expect(page.locator("#table tbody tr")).to_have_count(1)


def test_submit_a_document_and_see_its_visits(page: Page) -> None:
    page.goto("/")
    page.fill(
        "#submit-form textarea",
        "Japanese Prime Minister Fumio Kishida visited Paris in May, meeting President "
        "Emmanuel Macron.",
    )
    page.fill("#submit-form input[name=published]", "2024-06-03")
    page.click("#submit-form button[type=submit]")
    found = page.locator("#submit-result ul.visits-found li")
    expect(found).to_have_count(1)
    expect(found).to_contain_text("Fumio Kishida (JPN) → FRA")
    found.locator("a").click()
    expect(page.locator("#storyline h1")).to_contain_text("Fumio Kishida")


def test_hostile_document_is_shown_as_text_and_nothing_runs(page: Page) -> None:
    page.goto("/")
    page.fill("#submit-form textarea", HOSTILE)
    page.click("#submit-form button[type=submit]")
    found = page.locator("#submit-result ul.visits-found li")
    expect(found).to_have_count(1)
    # The markup is on screen as characters, and no element was made from it.
    expect(page.locator("#submit-result")).to_contain_text("onerror=")
    assert page.locator("#submit-result img, #submit-result script").count() == 0
    found.locator("a").click()
    expect(page.locator("ol.history mark").first).to_be_visible()
    expect(page.locator("#storyline")).to_contain_text("<script>window.__pwned = 1")
    assert page.locator("#storyline img, #storyline script, #storyline svg").count() == 0
    page.wait_for_timeout(300)  # let any injected handler have had its chance
    assert page.evaluate("typeof window.__pwned") == "undefined"
