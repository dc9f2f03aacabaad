"""The analyst's views, data side (#14): free-text search, changed-since, as-of, sorting with a
total, country names. Each store test runs on a SQLite file and on a real PostgreSQL server;
the API tests run the real app over such a store. The visits are written for these tests."""

from __future__ import annotations

import csv
import io
import json
import warnings
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from xml.etree import ElementTree

import icalendar
import pytest
from alembic import command
from sqlalchemy import create_engine, make_url, text

from test_store import ERDOGAN, MACRON, MODI, XI, result, visit
from visitrack.api import create_app
from visitrack.cli import main
from visitrack.filters import (
    INTERNATIONAL,
    SORT_KEYS,
    FilterError,
    country_name,
    parse_filters,
    parse_sort,
    search_words,
)
from visitrack.records import STAGES, Party, Storyline
from visitrack.store import Store, open_store
from visitrack.store.db import _alembic_config

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

pytest_plugins = ("conftest_pg",)

BACKENDS = ("sqlite", "postgresql")
LOOPBACK = "http://127.0.0.1:8000"
UN_CHIEF = Party("António Guterres", "intl_org", None)


def _fill(store: Store) -> None:
    """Five storylines (Xi's two reports are one), each found by words of its own; Xi's
    changes stage a month after it began."""
    store.ingest(
        result(
            "xi-1",
            [visit("xi-1", XI, "RUS", sentence="Xi Jinping will visit Moscow for a summit.")],
            published=date(2023, 3, 1),
        )
    )
    store.ingest(
        result(
            "xi-2",
            [
                visit(
                    "xi-2",
                    XI,
                    "RUS",
                    stage="completed",
                    published=date(2023, 4, 10),
                    sentence="Xi Jinping left Moscow after the summit ended.",
                )
            ],
            published=date(2023, 4, 10),
        )
    )
    store.ingest(
        result(
            "erdogan",
            [
                visit(
                    "erdogan",
                    ERDOGAN,
                    "HUN",
                    host=None,
                    city="Budapest",
                    published=date(2023, 3, 20),
                    window=(date(2023, 5, 2), date(2023, 5, 3)),
                    sentence="Erdoğan is expected in Budapest to discuss gas pipelines.",
                )
            ],
            published=date(2023, 3, 20),
        )
    )
    store.ingest(
        result(
            "modi",
            [
                visit(
                    "modi",
                    MODI,
                    "USA",
                    host=Party("Joseph Biden", "head_of_state", "USA"),
                    city="Washington",
                    published=date(2023, 3, 15),
                    window=(date(2023, 6, 21), date(2023, 6, 24)),
                    sentence="Modi will travel to Washington for a state dinner.",
                )
            ],
            published=date(2023, 3, 15),
        )
    )
    store.ingest(
        result(
            "macron",
            [
                visit(
                    "macron",
                    MACRON,
                    "CHN",
                    host=XI,
                    city="Beijing",
                    published=date(2023, 3, 10),
                    sentence="Macron flies to Beijing with a business delegation.",
                )
            ],
            published=date(2023, 3, 10),
        )
    )
    store.ingest(
        result(
            "guterres",
            [
                visit(
                    "guterres",
                    UN_CHIEF,
                    "UKR",
                    host=None,
                    city="Kyiv",
                    published=date(2023, 3, 8),
                    sentence="The secretary-general arrived in Kyiv on a surprise trip.",
                )
            ],
            published=date(2023, 3, 8),
        )
    )


@pytest.fixture(scope="module", params=BACKENDS)
def filled_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    def fill(url: str) -> str:
        with open_store(url) as store:
            _fill(store)
        return url

    if request.param == "sqlite":
        yield fill(str(tmp_path_factory.mktemp("views") / "views.db"))
        return
    with request.getfixturevalue("pg_new_database")() as url:
        yield fill(url)


@pytest.fixture(scope="module")
def filled(filled_url: str) -> Iterator[Store]:
    with open_store(filled_url) as store:
        yield store


def _who(lines: list[Storyline]) -> set[str | None]:
    return {s.visitor.name for s in lines}


# --- free-text search ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "names"),
    [
        ("erdogan", {ERDOGAN.name}),  # no accent typed
        ("ERDOĞAN", {ERDOGAN.name}),  # accent and capitals typed
        ("pipelines gas", {ERDOGAN.name}),  # evidence, every word, any order
        ("biden", {MODI.name}),  # the host
        ("washington", {MODI.name}),  # the place
        ("hungary", {ERDOGAN.name}),  # the destination country's name
        ("summit", {XI.name}),  # evidence of either report
        ("jinping", {XI.name, MACRON.name}),  # visitor of one, host of the other
        ("guterres kyiv", {UN_CHIEF.name}),
        ("summit pipelines", set()),  # no storyline holds both words
        ("budapes", set()),  # whole words, not prefixes
    ],
)
def test_search_finds_storylines_by_their_words(
    filled: Store, q: str, names: set[str | None]
) -> None:
    lines = filled.storylines(q=q)
    assert _who(lines) == names
    assert filled.count_storylines(q=q) == len(lines)


@pytest.mark.parametrize(
    "hostile",
    [
        '"erdogan',
        "erdogan*",
        "NEAR(erdogan budapest)",
        "erdogan AND OR NOT",
        "erdogan' OR 1=1 --",
        "^erdogan:budapest",
        "{erdogan} (budapest)",
        "erdogan & | ! budapest",
    ],
)
def test_search_syntax_in_the_text_is_read_as_plain_words(filled: Store, hostile: str) -> None:
    # Every one holds the word "erdogan"; words like NEAR/AND/OR are words to find, so only
    # those that hold no other word find Erdoğan.
    found = _who(filled.storylines(q=hostile))
    extra = [w for w in search_words(hostile) if w not in ("erdogan", "budapest")]
    assert found == (set() if extra else {ERDOGAN.name})


def test_search_without_a_word_matches_nothing(filled: Store) -> None:
    assert filled.storylines(q="*** \"\" ''") == []
    assert filled.stats(q="***")["total"] == 0


def test_search_combines_with_other_filters_and_stats(filled: Store) -> None:
    assert _who(filled.storylines(q="jinping", origin="FRA")) == {MACRON.name}
    assert filled.stats(q="jinping")["total"] == 2
    assert _who(filled.stream_storylines(q="summit")) == {XI.name}


def test_search_follows_every_write(store_url: str) -> None:
    with open_store(store_url) as store:
        store.ingest(
            result("doc", [visit("doc", sentence="Xi Jinping will visit Moscow in spring.")])
        )
        assert _who(store.storylines(q="spring")) == {XI.name}
        # The same source with new content: the old words are gone, the new ones found.
        replaced = result(
            "doc",
            [visit("doc", MACRON, "JPN", host=None, city="Tokyo", sentence="Macron in Tokyo.")],
            content="Text of doc, replaced. Macron goes to Tokyo.",
        )
        assert store.ingest(replaced) == "replaced"
        assert store.storylines(q="spring") == []
        assert _who(store.storylines(q="tokyo")) == {MACRON.name}
        assert _who(store.storylines(q="japan")) == {MACRON.name}
        assert store.count_storylines() == 1
        assert store.check() == []
    # A storyline written behind the store's back (no search row) is what `check` reports.
    engine = create_engine(store_url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM storyline_search"))
    finally:
        engine.dispose()
    with open_store(store_url) as store:
        [problem] = store.check()
        assert "missing from the search index" in problem


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    url: str = request.getfixturevalue("pg_database")
    return url


def test_the_migration_fills_search_and_change_dates(store_url: str) -> None:
    """A store at 0005 (before search) upgraded on opening: its storylines are found by their
    words and their change dates are filled."""
    with open_store(store_url) as store:
        _fill(store)
    url = make_url(store_url)
    if url.get_backend_name() == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    command.downgrade(_alembic_config(url), "0005")
    with open_store(store_url) as store:
        assert _who(store.storylines(q="pipelines")) == {ERDOGAN.name}
        assert _who(store.storylines(changed_since=date(2023, 4, 1))) == {XI.name}


STATS_INDEXES = {"ix_storylines_pair_stage", "ix_storylines_span_start_stage"}


def test_the_stats_indexes_come_with_0007_and_go_with_its_downgrade(store_url: str) -> None:
    """Upgrading a store at 0006 adds the two indexes the stats group by; on an analysed
    SQLite store it gives them statistics too, so the planner weighs them like the rest."""
    with open_store(store_url) as store:
        _fill(store)
        before = store.stats()
    url = make_url(store_url)
    sqlite = url.get_backend_name() == "sqlite"
    if not sqlite:
        url = url.set(drivername="postgresql+psycopg")
    engine = create_engine(url)

    def indexes() -> set[str]:
        with engine.connect() as conn:
            names = conn.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'index'")
                if sqlite
                else text("SELECT indexname FROM pg_indexes WHERE tablename = 'storylines'")
            )
            return set(names.scalars())

    try:
        assert indexes() >= STATS_INDEXES
        command.downgrade(_alembic_config(url), "0006")
        assert not STATS_INDEXES & indexes()
        if sqlite:
            with engine.begin() as conn:
                conn.execute(text("ANALYZE"))
        with open_store(store_url) as store:
            assert store.stats() == before
        assert indexes() >= STATS_INDEXES
        if sqlite:
            with engine.connect() as conn:
                analysed = set(conn.execute(text("SELECT idx FROM sqlite_stat1")).scalars())
            assert analysed >= STATS_INDEXES
    finally:
        engine.dispose()


# --- changed since, as of -------------------------------------------------------------------------


def test_changed_since_keeps_new_storylines_and_stage_changes(filled: Store) -> None:
    # Xi's visit was announced on 1 March and completed on 10 April: a change on 10 April.
    assert _who(filled.storylines(changed_since=date(2023, 4, 1))) == {XI.name}
    assert _who(filled.storylines(changed_since=date(2023, 3, 15))) == {
        XI.name,
        ERDOGAN.name,
        MODI.name,
    }
    assert filled.storylines(changed_since=date(2023, 4, 11)) == []
    assert filled.stats(changed_since=date(2023, 3, 15))["total"] == 3


def test_as_of_sets_the_day_upcoming_counts_from(filled: Store) -> None:
    before_may = parse_filters({"upcoming": "true", "as_of": "2023-04-30"})
    assert _who(filled.storylines(**before_may.store_kwargs(today=date(2030, 1, 1)))) == {
        ERDOGAN.name,
        MODI.name,
    }
    june = parse_filters({"upcoming": "true", "as_of": "2023-06"})
    assert _who(filled.storylines(**june.store_kwargs())) == {MODI.name}
    # Without as_of, the day given (today) counts.
    plain = parse_filters({"upcoming": "true"})
    assert filled.storylines(**plain.store_kwargs(today=date(2030, 1, 1))) == []


def test_the_international_code_filters_international_bodies(filled: Store) -> None:
    assert _who(filled.storylines(origin=INTERNATIONAL)) == {UN_CHIEF.name}
    assert _who(filled.storylines(country=INTERNATIONAL, limit=10)) == {UN_CHIEF.name}
    assert parse_filters({"origin": "intl"}).origin == INTERNATIONAL


# --- sorting and the total ---------------------------------------------------------------


def _key(s: Storyline, sort: str) -> object:
    return {
        "first_reported": s.first_reported,
        "last_reported": s.last_reported,
        "when": s.when.start if s.when else None,
        "visitor": (s.visitor.name or "").casefold() or None,
        "origin": s.visitor.country,
        "destination": s.destination.country,
        "kind": s.kind,
        "stage": STAGES.index(s.stage),
        "mentions": s.mentions,
        "id": s.id,
    }[sort]


@pytest.mark.parametrize("sort", SORT_KEYS)
@pytest.mark.parametrize("descending", [False, True])
def test_every_sort_key_orders_with_unknowns_last_and_ids_breaking_ties(
    filled: Store, sort: str, descending: bool
) -> None:
    lines = filled.storylines(sort=sort, descending=descending)
    assert len(lines) == 5
    known = [s for s in lines if _key(s, sort) is not None]
    unknown = [s for s in lines if _key(s, sort) is None]
    assert lines == known + unknown
    expected = sorted(known, key=lambda s: (_key(s, sort), s.id), reverse=descending)
    assert [s.id for s in known] == [s.id for s in expected]
    # Pages of a sorted list put together are the list.
    paged = [
        s
        for offset in range(0, 5, 2)
        for s in filled.storylines(sort=sort, descending=descending, limit=2, offset=offset)
    ]
    assert [s.id for s in paged] == [s.id for s in lines]


def test_sort_names_and_aliases() -> None:
    assert parse_sort(None, None) == (None, True)
    assert parse_sort("visitor", None) == ("visitor", False)
    assert parse_sort("start", "desc") == ("when", True)
    assert parse_sort("last_report", "ASC") == ("last_reported", False)
    with pytest.raises(FilterError) as err:
        parse_sort("colour", None)
    assert err.value.param == "sort"
    with pytest.raises(FilterError) as err:
        parse_sort("id", "sideways")
    assert err.value.param == "order"


def test_country_names() -> None:
    assert country_name("RUS") == "Russia"
    assert country_name(None) == country_name(INTERNATIONAL) == "International body"


# --- counts split by stage ----------------------------------------------------------------


def test_stats_split_months_and_pairs_by_stage(filled: Store) -> None:
    stats = filled.stats()
    # Xi's storyline completed; the other four are announced (the visits' default stage).
    assert {
        (r["visitor_country"], r["destination_country"]): r["by_stage"] for r in stats["pairs"]
    } == {
        ("CHN", "RUS"): {"completed": 1},
        ("TUR", "HUN"): {"announced": 1},
        ("IND", "USA"): {"announced": 1},
        ("FRA", "CHN"): {"announced": 1},
        (None, "UKR"): {"announced": 1},
    }
    months = {r["month"]: r["by_stage"] for r in stats["over_time"]}
    assert sum(n for split in months.values() for n in split.values()) == 5
    assert months["2023-06"] == {"announced": 1}  # Modi's window
    # Ties (every count is one) by code, an international body's last, on both backends.
    assert [r["visitor_country"] for r in stats["pairs"]] == ["CHN", "FRA", "IND", "TUR", None]
    assert [r["country"] for r in stats["by_visitor_country"]][-1] is None
    filtered = filled.stats(q="jinping")
    assert [(r["month"], r["by_stage"]) for r in filtered["over_time"]] == [
        ("2023-03", {"announced": 1, "completed": 1})
    ]


def test_the_api_gives_months_and_pairs_by_stage(api: TestClient) -> None:
    body = api.get("/api/stats").json()
    for row in body["pairs"] + body["over_time"]:
        assert sum(row["by_stage"].values()) == row["count"]
    assert sum(n for r in body["over_time"] for n in r["by_stage"].values()) == body["total"]


# --- the API and the CLI -----------------------------------------------------------------


@pytest.fixture(scope="module")
def api(filled_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(filled_url, bind_host="127.0.0.1"), base_url=LOOPBACK) as c:
        yield c


def test_the_list_is_sorted_paged_and_totalled(api: TestClient) -> None:
    r = api.get("/api/visits", params={"sort": "visitor", "order": "asc", "limit": 2})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == 5 and body["count"] == 2 and body["next"]
    assert [v["visitor"]["name"] for v in body["visits"]] == [UN_CHIEF.name, MACRON.name]
    last = api.get("/api/visits", params={"sort": "visitor", "limit": 2, "offset": 3}).json()
    assert last["total"] == 5 and last["next"] is None
    assert [v["visitor"]["name"] for v in last["visits"]] == [ERDOGAN.name, XI.name]
    beyond = api.get("/api/visits", params={"offset": 50}).json()
    assert beyond["total"] == 5 and beyond["visits"] == []
    searched = api.get("/api/visits", params={"q": "jinping", "sort": "origin"}).json()
    assert searched["total"] == 2
    assert [v["visitor"]["country"] for v in searched["visits"]] == ["CHN", "FRA"]


@pytest.mark.parametrize(
    ("params", "total"),
    [
        ({"q": "jinping", "offset": 50}, 2),  # past the end of a filter matching fewer
        ({"q": "jinping", "offset": 2}, 2),  # just past its end
        ({"stage": "completed", "offset": 1, "limit": 5}, 1),
        ({"q": "jinping", "offset": 1, "limit": 5}, 2),  # a last page with rows on it
        ({"q": "nobody-matches-this", "offset": 0}, 0),
    ],
)
def test_the_total_past_the_last_page_is_the_filters_total_not_the_offset(
    api: TestClient, params: dict[str, object], total: int
) -> None:
    body = api.get("/api/visits", params=params).json()
    assert body["total"] == total, body
    assert body["count"] == max(0, min(total - int(str(params["offset"])), body["limit"]))


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"sort": "colour"}, "sort"),
        ({"order": "up"}, "order"),
        ({"q": "x" * 201}, "q"),
        ({"q": "erdogan\x07"}, "q"),
        ({"changed_since": "last week"}, "changed_since"),
        ({"as_of": "2023-13"}, "as_of"),
    ],
)
def test_bad_list_parameters_are_a_400_naming_them(
    api: TestClient, params: dict[str, str], named: str
) -> None:
    r = api.get("/api/visits", params=params)
    assert r.status_code == 400
    assert named in r.json()["error"]


@pytest.mark.parametrize("q", ['"', "*", "NEAR(a b", "a OR", "'; DROP TABLE storylines; --", "-"])
def test_search_syntax_is_never_a_server_error(api: TestClient, q: str) -> None:
    for path in ("/api/visits", "/api/stats", "/api/export"):
        r = api.get(path, params={"q": q})
        assert r.status_code == 200, (path, r.text)


def test_the_filters_reach_stats_and_exports(api: TestClient) -> None:
    stats = api.get("/api/stats", params={"q": "summit"}).json()
    assert stats["total"] == 1
    rows = api.get("/api/export", params={"format": "jsonl", "changed_since": "2023-04"}).text
    assert [json.loads(line)["visitor"]["name"] for line in rows.splitlines()] == [XI.name]
    upcoming = api.get("/api/visits", params={"upcoming": "true", "as_of": "2023-06-01"}).json()
    assert [v["visitor"]["name"] for v in upcoming["visits"]] == [MODI.name]


def test_countries_lists_codes_names_and_the_international_code(api: TestClient) -> None:
    r = api.get("/api/countries")
    assert r.status_code == 200
    listed = {c["code"]: c for c in r.json()["countries"]}
    assert listed["RUS"] == {"code": "RUS", "iso2": "RU", "name": "Russia"}
    assert listed["GBR"]["iso2"] == "GB"
    assert listed[INTERNATIONAL]["iso2"] is None
    assert len(listed) > 240
    assert api.get("/api/countries", params={"x": "1"}).status_code == 400


def test_the_cli_takes_the_new_filters(filled_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    def names(*options: str) -> set[str]:
        assert main(["visits", "--db", filled_url, "--format", "jsonl", *options]) == 0
        return {
            json.loads(line)["visitor"]["name"] for line in capsys.readouterr().out.splitlines()
        }

    assert names("--q", "Erdogan") == {ERDOGAN.name}
    assert names("--changed-since", "2023-04-01") == {XI.name}
    assert names("--upcoming", "--as-of", "2023-06-01") == {MODI.name}
    assert main(["visits", "--db", filled_url, "--sort", "visitor", "--order", "desc"]) == 0
    table = capsys.readouterr().out
    assert "Russia (RUS)" in table and "China (CHN)" in table
    assert "International body (XIO)" in table
    with pytest.raises(SystemExit):
        main(["visits", "--db", filled_url, "--sort", "colour"])
    assert "--sort" in capsys.readouterr().err


# --- the feed and the exports through the API ---------------------------------------------------

ATOM = "{http://www.w3.org/2005/Atom}"


def test_the_feed_tells_new_storylines_and_stage_changes(api: TestClient) -> None:
    r = api.get("/api/feed.atom")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(r.content)
    entries = root.findall(f"{ATOM}entry")
    # Five storylines begun, and Xi's completed a month after it was announced.
    assert len(entries) == 6
    first = entries[0]
    assert first.findtext(f"{ATOM}updated") == "2023-04-10T00:00:00Z"
    assert "announced → completed" in (first.findtext(f"{ATOM}title") or "")
    link = first.find(f"{ATOM}link")
    assert link is not None
    href = link.get("href") or ""
    assert href.startswith(f"{LOOPBACK}/storyline/")
    sid = href.rsplit("/", 1)[1]
    assert api.get(f"/api/visits/{sid}").json()["visitor"]["name"] == XI.name
    days = [e.findtext(f"{ATOM}updated") or "" for e in entries]
    assert days == sorted(days, reverse=True)

    searched = ElementTree.fromstring(api.get("/api/feed.atom", params={"q": "budapest"}).content)
    assert len(searched.findall(f"{ATOM}entry")) == 1
    recent = api.get("/api/feed.atom", params={"changed_since": "2023-04-01"}).content
    assert len(ElementTree.fromstring(recent).findall(f"{ATOM}entry")) == 2  # Xi's two steps
    assert api.get("/api/feed.atom", params={"stage": "nope"}).status_code == 400
    assert api.get("/api/feed.atom", params={"limit": "5"}).status_code == 400


def test_api_exports_carry_sources_and_links(api: TestClient) -> None:
    rows = api.get("/api/export", params={"format": "jsonl", "q": "budapest"}).text
    [row] = [json.loads(line) for line in rows.splitlines()]
    assert row["source_urls"] == ["https://news.example/erdogan"]
    table = api.get("/api/export", params={"format": "csv", "origin": "IND"}).text
    [line] = list(csv.DictReader(io.StringIO(table)))
    assert line["source_urls"] == "https://news.example/modi"
    ics = api.get("/api/export", params={"format": "ics", "q": "washington"}).text
    [event] = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    assert str(event["URL"]).startswith(f"{LOOPBACK}/storyline/")
    assert str(event["LOCATION"]) == "Washington, United States"
    panel = api.get("/api/export", params={"format": "panel"}).text
    cells = list(csv.DictReader(io.StringIO(panel)))
    assert {c["visitor_country"] for c in cells} == {"CHN", "FRA", "IND", "TUR", "XIO"}
    assert len(cells) == 5  # one year observed: 2023


def test_the_cli_exports_mentions_with_their_sources(
    filled_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "mentions.csv"
    args = ["export", "--db", filled_url, "--format", "csv", "--table", "mentions"]
    assert main([*args, "-o", str(out), "--q", "summit"]) == 0
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert sorted(r["source_url"] for r in rows) == [
        "https://news.example/xi-1",
        "https://news.example/xi-2",
    ]
    ics = ["export", "--db", filled_url, "--format", "ics", "--base-url", "http://visits.example"]
    assert main(ics) == 0
    events = icalendar.Calendar.from_ical(capsys.readouterr().out).walk("VEVENT")
    assert events and all(
        str(e["URL"]).startswith("http://visits.example/storyline/") for e in events
    )
