"""End-to-end dashboard tests: the real app under uvicorn, driven by headless Chromium.

Chromium is Debian's ``/usr/bin/chromium`` driven by the ``playwright`` package (no browser
download). Without it the tests skip, unless ``VISITRACK_REQUIRE_BROWSER=1`` (CI) makes a
missing browser a failure.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api_corpus import (
    HOSTILE,
    HOSTILE_FIELDS_URL,
    HOSTILE_NAME,
    HOSTILE_TITLE,
    HOSTILE_URLS,
    build_db,
    hostile_extraction,
    hostile_rows,
    serve_in_thread,
)

# A browser and a server: `make test` runs it, `make test-quick` not.
pytestmark = pytest.mark.slow

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


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from visitrack.api import create_app

    os.environ.pop("VISITRACK_TOKEN", None)
    db = build_db(tmp_path_factory.mktemp("dash") / "visits.db")
    with serve_in_thread(create_app(db, bind_host="127.0.0.1")) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser, base_url: str, tmp_path: Path) -> Iterator[Page]:
    yield from _open_page(browser, base_url, tmp_path)


def _open_page(browser: Browser, base_url: str, tmp_path: Path) -> Iterator[Page]:
    """A fresh browser page on ``base_url``; fails the test if a dialog opened or a request
    left the server."""
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


def test_dashboard_loads_timeline_map_and_list(page: Page) -> None:
    page.goto("/")
    expect(page.locator("#timeline svg rect.bar")).to_have_count(3)
    expect(page.locator("#timeline svg rect.bar.upcoming")).to_have_count(1)
    # One flow per country pair: FRA → JPN, DEU → IND, IND → RUS.
    expect(page.locator("#map svg path.flow")).to_have_count(3)
    expect(page.locator("#table tbody tr")).to_have_count(3)
    expect(page.locator("#status")).to_contain_text("Storylines 1–3 of 3")


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
    # Names work as codes do (#13); a name that is no country is the API's 400, shown.
    page.goto("/?country=Russia")
    expect(page.locator("#table tbody tr")).to_have_count(1)
    page.goto("/?country=Atlantis")
    expect(page.locator("#status")).to_contain_text("country must be a country")


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


# --- markup in every field, in a store of its own ---------------------------------------------

# Elements or attributes that exist only if data became markup (the app builds none of them).
INJECTED = (
    "img, iframe, object, embed, script:not([src='/static/app.js']), [onerror], [onload], "
    "[onmouseover], [onfocus], a[href^='javascript:' i]"
)
# Time an injected handler (onerror of a broken image, onload) has to fire before we look.
HANDLER_GRACE_MS = 300


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server whose store holds markup in ids, titles, URLs, text and extracted fields."""
    from visitrack.api import create_app
    from visitrack.store import open_store

    os.environ.pop("VISITRACK_TOKEN", None)
    db = build_db(tmp_path_factory.mktemp("hostile") / "visits.db")
    with open_store(db) as store:
        store.ingest(hostile_extraction())
    with serve_in_thread(create_app(db, bind_host="127.0.0.1")) as url:
        # Submitted the way a user or script would: a JSONL batch over HTTP.
        batch = "\n".join(json.dumps(row) for row in hostile_rows())
        r = httpx.post(
            url + "/api/documents",
            content=batch,
            headers={"Content-Type": "application/x-ndjson"},
            timeout=TIMEOUT_MS / 1000,
        )
        assert r.status_code == 201, r.text
        yield url


@pytest.fixture
def hostile_page(browser: Browser, hostile_url: str, tmp_path: Path) -> Iterator[Page]:
    yield from _open_page(browser, hostile_url, tmp_path)


def _assert_nothing_ran(page: Page) -> None:
    page.wait_for_timeout(HANDLER_GRACE_MS)
    assert page.locator(INJECTED).count() == 0
    assert page.evaluate("typeof window.pwned + typeof window.__pwned") == "undefinedundefined"


def test_markup_in_extracted_fields_is_text_on_the_list_page(hostile_page: Page) -> None:
    hostile_page.goto("/")
    table = hostile_page.locator("#table tbody")
    expect(table).to_contain_text(HOSTILE_NAME)  # on screen as characters
    expect(table).to_contain_text("<script>window.pwned=12</script>")  # the city
    expect(hostile_page.locator("#timeline svg text.label").first).to_be_attached()
    # The map, the monthly chart and the pairs drawn from the same store.
    expect(hostile_page.locator("#map svg path.flow").first).to_be_attached()
    expect(hostile_page.locator("#months svg g.month").first).to_be_attached()
    expect(hostile_page.locator("#pairs li.pair").first).to_be_attached()
    _assert_nothing_ran(hostile_page)


def test_markup_in_extracted_fields_is_text_on_the_storyline_page(hostile_page: Page) -> None:
    hostile_page.goto("/?visitor=" + HOSTILE_NAME)
    hostile_page.locator("#table tbody a").first.click()
    box = hostile_page.locator("#storyline")
    expect(box.locator("h1")).to_contain_text(HOSTILE_NAME)
    expect(box).to_contain_text('<a href="javascript:window.pwned=13">summit</a>')  # occasion
    expect(box).to_contain_text("<iframe")  # host
    expect(box.locator("h4")).to_have_text(HOSTILE_TITLE)
    expect(box.locator("mark")).to_contain_text("will visit <b>China</b>")
    # The URL is an attribute value, whole, not broken out into attributes of its own.
    assert box.locator("a[rel~=noopener]").get_attribute("href") == HOSTILE_FIELDS_URL
    _assert_nothing_ran(hostile_page)


def test_markup_in_submitted_ids_titles_and_urls_is_text(hostile_page: Page) -> None:
    hostile_page.goto("/?visitor=lula")
    hostile_page.locator("#table tbody a").first.click()
    box = hostile_page.locator("#storyline")
    expect(box.locator("ol.history mark").first).to_be_visible()
    expect(box.locator("h4").first).to_contain_text(HOSTILE_TITLE)
    expect(box).to_contain_text("<script>window.__pwned = 1")  # article text, shown as text
    hrefs = [a.get_attribute("href") or "" for a in box.locator("a[rel~=noopener]").all()]
    # Only http(s) URLs become links: the javascript: URL is left out.
    assert hrefs and all(h in HOSTILE_URLS[1:] for h in hrefs)
    _assert_nothing_ran(hostile_page)
