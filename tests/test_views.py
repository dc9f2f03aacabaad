"""The dashboard's analyst views in headless Chromium: the map, the monthly chart, the country
pairs and the table, driven by clicks and keys, at 1,280 px and at phone width.

The store is the API corpus (real pipeline output) plus a few hundred seeded synthetic
storylines drawn as real coverage is skewed (tests/synthetic_store.py). Each view's screenshot
is written to docs/screenshots/ (the README shows them) after the test has checked that the
picture is drawn: the PNG is decoded here and must hold many colours, not a blank panel.
"""

from __future__ import annotations

import csv
import io
import itertools
import os
import re
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from api_corpus import build_db, serve_in_thread
from synthetic_store import bulk_load

# test_dashboard skips (or fails) this module too when Chromium or playwright is missing.
from test_dashboard import (  # noqa: F401 - `browser` is a fixture
    Browser,
    Page,
    _open_page,
    browser,
    expect,
)

if TYPE_CHECKING:
    from playwright.sync_api import FloatRect, Locator

pytestmark = pytest.mark.slow

SCREENSHOTS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
# Synthetic mentions added to the corpus: about a third as many storylines, several pages.
SYNTHETIC_MENTIONS = 6_000
PAGE_SIZE = 50  # app.js PAGE_SIZE
PHONE = {"width": 390, "height": 844}
# Heights of the table's and the phone's screenshots: the top of each, a few hundred KB.
TABLE_SHOT_PX = 640
PHONE_SHOT_PX = 1_700
# A drawn map or chart has land, flows, stages and text in it; a blank or failed panel is one
# or two colours. Tuned on these views, which show from ~40 (pairs) to thousands of colours.
MIN_COLOURS = 12
# Storylines the flow-line test clicks on: the busiest country of the skewed draw.
BUSIEST = "USA"


@pytest.fixture(scope="module")
def views_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from visitrack.api import create_app

    os.environ.pop("VISITRACK_TOKEN", None)
    db = build_db(tmp_path_factory.mktemp("views") / "visits.db")
    bulk_load(db, SYNTHETIC_MENTIONS, skewed=True)
    with serve_in_thread(create_app(db, bind_host="127.0.0.1")) as url:
        yield url


@pytest.fixture
def page(browser: Browser, views_url: str, tmp_path: Path) -> Iterator[Page]:  # noqa: F811
    yield from _open_page(browser, views_url, tmp_path)


@pytest.fixture
def phone(browser: Browser, views_url: str, tmp_path: Path) -> Iterator[Page]:  # noqa: F811
    for pg in _open_page(browser, views_url, tmp_path):
        pg.set_viewport_size(PHONE)
        yield pg


# --- PNG pixels, with the standard library only -----------------------------------------------


def png_colours(data: bytes) -> int:
    """How many distinct colours an 8-bit RGB(A), non-interlaced PNG (Chromium's) holds."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    at = 8
    idat = b""
    width = height = channels = 0
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind = data[at + 4 : at + 8]
        body = data[at + 8 : at + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and interlace == 0 and colour in (2, 6), "unexpected PNG format"
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        at += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    previous = bytearray(stride)
    colours: set[bytes] = set()
    for row in range(height):
        start = row * (stride + 1)
        kind = raw[start]
        line = bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                pred = left if pa <= pb and pa <= pc else (up if pb <= pc else corner)
                line[i] = (line[i] + pred) & 0xFF
        # every 7th pixel is plenty to tell a drawing from a blank panel, and 7x faster
        for x in range(0, width, 7):
            colours.add(bytes(line[x * channels : x * channels + 3]))
        previous = line
    return len(colours)


def shoot(target: Locator | Page, name: str, *, height: int | None = None) -> int:
    """Screenshot ``target`` (a page: from its top, ``height`` pixels of it) into
    docs/screenshots/``name``.png; its number of colours."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = str(SCREENSHOTS / f"{name}.png")
    if isinstance(target, Page):
        size = target.viewport_size or PHONE
        clip = {"x": 0, "y": 0, "width": size["width"], "height": height or size["height"]}
        data = target.screenshot(path=path, full_page=True, clip=clip)
    else:
        data = target.screenshot(path=path)
    return png_colours(data)


def shoot_top(page: Page, selector: str, name: str, height: int) -> int:
    """The first ``height`` pixels of the element at ``selector``, as :func:`shoot` writes."""
    page.evaluate("window.scrollTo(0, 0)")
    box = page.locator(selector).bounding_box()
    assert box is not None
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    clip = {
        "x": box["x"],
        "y": box["y"],
        "width": box["width"],
        "height": min(height, box["height"]),
    }
    data = page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True, clip=clip)
    return png_colours(data)


def table_column(page: Page, index: int) -> list[str]:
    """The texts of the table's column ``index`` (from 1), once the rows asked for are in."""
    expect(page.locator("#table[aria-busy=false]")).to_be_attached()
    cells = page.locator(f"#table tbody tr td:nth-child({index})")
    return [t.strip() for t in cells.all_inner_texts()]


def total_of(page: Page) -> int:
    text = page.locator("#range").inner_text()
    match = re.search(r"of ([\d,]+)", text)
    assert match, f"no total in {text!r}"
    return int(match.group(1).replace(",", ""))


# --- the views are drawn -----------------------------------------------------------------------


def test_map_chart_and_pairs_are_drawn(page: Page) -> None:
    page.goto("/")
    # 176 countries of the 110m geometry (Antarctica left out), plus dots for small ones.
    countries = page.locator("#map svg path.country")
    expect(countries.first).to_be_attached()
    assert countries.count() >= 170
    expect(page.locator("#map svg path.flow").first).to_be_attached()
    assert page.locator("#map svg path.flow").count() >= 10
    # Flows are coloured by stage once the split has arrived: the skewed store is mostly
    # completed visits, so that colour must be among them.
    completed = page.locator("#map svg path.flow[data-stage=completed]")
    expect(completed.first).to_be_attached()
    expect(page.locator("#months svg[data-split='1']")).to_be_attached()
    expect(page.locator("#months svg[data-bin=month] g.month").first).to_be_attached()
    assert page.locator("#months svg rect.seg").count() >= 50
    expect(page.locator("#pairs li.pair")).to_have_count(12)
    expect(page.locator("#pairs li.pair").first.locator(".leg-bar .seg").first).to_be_visible()
    # Country names shown with their codes.
    expect(page.locator("#table tbody tr").first).to_contain_text(re.compile(r"\([A-Z]{3}\)"))
    assert shoot(page.locator("#map"), "map") >= MIN_COLOURS
    assert shoot(page.locator("#months"), "timechart") >= MIN_COLOURS
    assert shoot(page.locator("#pairs"), "pairs") >= MIN_COLOURS


def test_the_stage_split_comes_in_the_one_stats_answer(page: Page) -> None:
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/api/stats" in r.url else None)
    page.goto("/")
    expect(page.locator("#months svg[data-split='1']")).to_be_attached()
    expect(page.locator("#pairs li.pair").first.locator(".leg-bar .seg").first).to_be_visible()
    expect(page.locator("#all-key")).to_be_hidden()
    # Months and pairs carry `by_stage`: no request per stage follows the first drawing.
    page.wait_for_load_state("networkidle")
    assert len(asked) == 1 and "stage=" not in asked[0], asked


def test_year_labels_do_not_overlap(page: Page) -> None:
    page.goto("/")
    labels = page.locator("#months svg text.year")
    expect(labels.first).to_be_attached()
    boxes = [b for b in (lab.bounding_box() for lab in labels.all()) if b]
    assert len(boxes) >= 3, "a 26-year range has year labels"
    assert_apart(boxes)
    # The page's own timeline (the storylines of this page) thins its ticks the same way.
    ticks = [b for b in (t.bounding_box() for t in page.locator("#timeline text.tick").all()) if b]
    assert_apart(ticks)


def assert_apart(boxes: list[FloatRect]) -> None:
    """No two of these label boxes overlap along the axis."""
    boxes.sort(key=lambda b: b["x"])
    for left, right in itertools.pairwise(boxes):
        assert left["x"] + left["width"] <= right["x"], f"labels overlap: {left} {right}"


# --- filtering through clicks ------------------------------------------------------------------


def test_click_a_month_shows_that_month(page: Page) -> None:
    page.goto("/")
    bar = page.locator("#months svg g.month").last
    month = bar.get_attribute("data-month") or ""
    assert re.fullmatch(r"\d{4}-\d{2}", month)
    bar.locator("rect").first.click()
    expect(page).to_have_url(re.compile(rf"from={month}-01&to={month}-\d\d"))
    expect(page.locator("#table tbody tr").first).to_be_attached()
    expect(page.locator(f"#months svg g.month[data-month='{month}']")).to_be_attached()
    # The chart of all months stays until the month's answer redraws it: wait for the redraw
    # (a month, and the windows reaching it), which fails by timeout if it never comes.
    page.wait_for_function("document.querySelectorAll('#months svg g.month').length < 6")
    # Every storyline listed has a window that overlaps the month.
    for when in table_column(page, 5):
        days = when.split(" – ")
        assert days[0][:7] <= month <= days[-1][:7], when


def test_click_a_country_on_the_map_filters_by_it(page: Page) -> None:
    page.goto("/")
    country = page.locator(f"#map svg path.country[data-code={BUSIEST}]")
    expect(country).to_be_attached()
    country.click()
    choice = page.locator("#map-choice")
    expect(choice).to_be_visible()
    expect(choice).to_contain_text(f"United States ({BUSIEST})")
    choice.get_by_role("button", name="Visits from here").click()
    expect(page).to_have_url(re.compile(rf"origin={BUSIEST}"))
    expect(page.locator("#filters input[name=origin]")).to_have_value(BUSIEST)
    expect(page.locator("#table tbody tr").first).to_be_attached()
    expect(page.locator("#status")).to_contain_text("of ")
    origins = table_column(page, 2)
    assert origins and all(o.endswith(f"({BUSIEST})") for o in origins), origins
    # Every flow on the map now starts there; the country is marked as picked.
    expect(page.locator("#map svg path.flow").first).to_be_attached()
    starts = page.locator("#map svg path.flow").evaluate_all("els => els.map(e => e.dataset.from)")
    assert set(starts) == {BUSIEST}
    expect(page.locator(f"#map svg .country.picked[data-code={BUSIEST}]")).to_be_attached()


def test_choose_a_direction_of_a_pair(page: Page) -> None:
    page.goto("/")
    leg = page.locator("#pairs button.leg").first
    origin, destination = leg.get_attribute("data-from"), leg.get_attribute("data-to")
    leg.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"origin={origin}&destination={destination}"))
    rows = list(zip(table_column(page, 2), table_column(page, 3), strict=True))
    assert rows and all(f"({origin})" in o and f"({destination})" in d for o, d in rows), rows
    # The pair view now holds that direction alone.
    expect(page.locator("#pairs button.leg")).to_have_count(1)


def test_map_choice_works_from_the_keyboard(page: Page) -> None:
    page.goto("/")
    # A keyboard user can pass over the countries: the skip link shows when focused.
    skip = page.locator("a.skip")
    skip.focus()
    expect(skip).to_be_in_viewport()
    skip.press("Enter")
    expect(page).to_have_url(re.compile(r"#table-title$"))
    page.goto("/")
    country = page.locator("#map svg path.country[data-code=RUS]")
    expect(country).to_have_attribute("tabindex", "0")
    country.focus()
    page.keyboard.press("Enter")
    choice = page.locator("#map-choice")
    expect(choice).to_be_visible()
    expect(choice.get_by_role("button", name="Visits from here")).to_be_focused()
    page.keyboard.press("Escape")
    expect(choice).to_be_hidden()
    expect(country).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(choice.get_by_role("button", name="Visits to here")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"destination=RUS"))
    expect(page.locator("#table tbody tr").first).to_be_attached()
    destinations = table_column(page, 3)
    assert destinations and all("(RUS)" in d for d in destinations), destinations


def test_sort_by_a_column_and_page_through(page: Page) -> None:
    page.goto("/")
    header = page.locator("#table th[data-sort=visitor]")
    expect(page.locator("#table th[data-sort=first_reported]")).to_have_attribute(
        "aria-sort", "descending"
    )
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    expect(page).to_have_url(re.compile(r"sort=visitor&order=asc"))
    names = table_column(page, 1)
    assert names == sorted(names, key=str.casefold), names
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    expect(page).to_have_url(re.compile(r"order=desc"))
    names = table_column(page, 1)
    assert names == sorted(names, key=str.casefold, reverse=True), names
    # Paged with a total; the order holds across pages.
    total = total_of(page)
    assert total > 2 * PAGE_SIZE
    expect(page.locator("#range")).to_have_text(f"1–{PAGE_SIZE} of {total:,}")
    last_of_first = names[-1]
    page.click("#next")
    expect(page.locator("#range")).to_have_text(f"{PAGE_SIZE + 1}–{2 * PAGE_SIZE} of {total:,}")
    expect(page).to_have_url(re.compile(rf"offset={PAGE_SIZE}"))
    expect(page.locator("#table tbody tr")).to_have_count(PAGE_SIZE)
    second = table_column(page, 1)
    assert second[0].casefold() <= last_of_first.casefold()
    page.click("#prev")
    expect(page.locator("#range")).to_have_text(f"1–{PAGE_SIZE} of {total:,}")
    expect(page.locator("#prev")).to_be_disabled()
    assert shoot_top(page, "#table-view", "table", TABLE_SHOT_PX) >= MIN_COLOURS


def test_search_box_and_downloads_follow_the_view(page: Page, views_url: str) -> None:
    page.goto("/")
    page.fill("#filters input[name=q]", "Modi")
    page.press("#filters input[name=q]", "Enter")
    expect(page).to_have_url(re.compile(r"q=Modi"))
    expect(page.locator("#table tbody tr")).to_have_count(1)
    expect(page.locator("#table tbody")).to_contain_text("Narendra Modi")
    # The download links carry the filters (not the page or the order).
    page.goto("/?origin=RUS&stage=completed&sort=visitor")
    csv_href = page.locator("#download-csv").get_attribute("href") or ""
    jsonl_href = page.locator("#download-jsonl").get_attribute("href") or ""
    assert "origin=RUS" in csv_href and "stage=completed" in csv_href and "format=csv" in csv_href
    assert "sort" not in csv_href and "limit" not in csv_href
    assert "format=jsonl" in jsonl_href and "origin=RUS" in jsonl_href
    feed = page.locator("#feed").get_attribute("href") or ""
    assert feed.startswith("/api/feed.atom?") and "origin=RUS" in feed and "sort" not in feed
    r = httpx.get(views_url + feed, timeout=30)
    assert r.status_code == 200 and "<feed" in r.text, r.text[:300]
    assert "sort=visitor" in page.url
    expect(page.locator("#range")).to_contain_text("of ")
    total = total_of(page)
    assert total > 0
    r = httpx.get(views_url + csv_href, timeout=30)
    assert r.status_code == 200, r.text
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == total


def test_changed_since_field_narrows_the_view(page: Page) -> None:
    page.goto("/")
    expect(page.locator("#range")).to_contain_text("of ")
    everything = total_of(page)
    page.fill("#filters input[name=changed_since]", "2020-01-01")
    page.click("#filters button[type=submit]")
    expect(page).to_have_url(re.compile(r"changed_since=2020-01-01"))
    table_column(page, 1)  # the new rows are in
    changed = total_of(page)
    assert 0 < changed < everything


def test_a_link_with_as_of_keeps_it(page: Page) -> None:
    # Upcoming as of a day in the store's past: the synthetic planned visits after it count.
    page.goto("/?upcoming=1&as_of=2015-06-01")
    expect(page.locator("#filters input[name=upcoming]")).to_be_checked()
    stages = table_column(page, 4)
    assert stages and not {"completed", "cancelled"} & set(stages), stages
    ends = [w.split(" – ")[-1] for w in table_column(page, 5)]
    assert all(end >= "2015-06-01" for end in ends), ends
    page.locator("#table th[data-sort=when] button").click()
    expect(page).to_have_url(re.compile(r"as_of=2015-06-01.*sort=when"))
    assert "as_of=2015-06-01" in (page.locator("#download-csv").get_attribute("href") or "")


# --- phone width -------------------------------------------------------------------------------


def test_phone_width_layout_stacks(phone: Page) -> None:
    phone.goto("/")
    expect(phone.locator("#table tbody tr").first).to_be_attached()
    expect(phone.locator("#months svg g.month").first).to_be_attached()
    expect(phone.locator("#map svg path.flow").first).to_be_attached()
    expect(phone.locator("#months svg[data-split='1']")).to_be_attached()
    # 26 years of months do not fit 390 px as bars: one bar a quarter there.
    expect(phone.locator("#months svg[data-bin=quarter]")).to_be_attached()
    # Nothing wider than the screen but the table, which scrolls inside its own box.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for selector in ("#filters", "#map", "#months", "#pairs", ".table-wrap"):
        box = phone.locator(selector).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    # The charts stack: the pairs below the monthly chart, not beside it.
    months = phone.locator("#months").bounding_box()
    pairs = phone.locator("#pairs").bounding_box()
    assert months and pairs and pairs["y"] >= months["y"] + months["height"]
    # Filters wrap to two a row under a search box as wide as the screen.
    q = phone.locator("#filters input[name=q]").bounding_box()
    origin = phone.locator("#filters input[name=origin]").bounding_box()
    to = phone.locator("#filters input[name=destination]").bounding_box()
    assert q and origin and to
    assert origin["y"] > q["y"] and q["width"] > PHONE["width"] * 0.8
    assert to["y"] == origin["y"] and to["x"] > origin["x"] + origin["width"]
    phone.evaluate("window.scrollTo(0, 0)")
    assert shoot(phone, "phone", height=PHONE_SHOT_PX) >= MIN_COLOURS
