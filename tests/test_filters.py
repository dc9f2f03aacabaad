"""One filter vocabulary (visitrack.filters) for `visitrack visits`/`export`, /api/visits,
/api/export and /api/stats (#13): countries by ISO3, ISO2 or English name in any case; names
regardless of accents; origin, destination or either side; partial dates; unknown parameters
refused by name; the same answers from the CLI and the API, on SQLite and PostgreSQL."""

from __future__ import annotations

import importlib.util
import json
import warnings
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from api_corpus import build_db, fill_store
from test_store import result, visit
from visitrack.api import create_app
from visitrack.cli import main
from visitrack.filters import FilterError, Filters, country_code, date_bound, fold_name
from visitrack.records import Party
from visitrack.store import open_store

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

pytest_plugins = ("conftest_pg",)

LOOPBACK = "http://127.0.0.1:8000"
BACKENDS = ("sqlite", "postgresql")
ERDOGAN = Party("Recep Tayyip Erdoğan", "head_of_state", "TUR")
LATER = date(2025, 3, 1)  # after every other storyline's window


@pytest.fixture(scope="module", params=BACKENDS)
def corpus_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The API corpus (Macron FRA->JPN, Scholz DEU->IND, Modi IND->RUS) plus a visit by
    Erdoğan, in a store of each backend."""

    def fill(url: str) -> str:
        fill_store(url)
        with open_store(url) as store:
            store.ingest(
                result(
                    "erdogan",
                    [visit("erdogan", ERDOGAN, "HUN", host=None, published=LATER)],
                    published=LATER,
                )
            )
        return url

    if request.param == "sqlite":
        yield fill(str(tmp_path_factory.mktemp("filters") / "visits.db"))
        return
    with request.getfixturevalue("pg_new_database")() as url:
        yield fill(url)


@pytest.fixture(scope="module")
def api(corpus_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(corpus_url, bind_host="127.0.0.1"), base_url=LOOPBACK) as c:
        yield c


def _names(api: TestClient, **params: str) -> set[str]:
    r = api.get("/api/visits", params=params)
    assert r.status_code == 200, r.text
    return {v["visitor"]["name"] for v in r.json()["visits"]}


def _cli_names(url: str, *options: str, capsys: pytest.CaptureFixture[str]) -> set[str]:
    assert main(["visits", "--db", url, "--format", "jsonl", *options]) == 0
    out = capsys.readouterr().out
    return {json.loads(line)["visitor"]["name"] for line in out.splitlines()}


SAME_ANSWERS = [
    ({"country": "rus"}, {"Narendra Modi"}),
    ({"country": "RU"}, {"Narendra Modi"}),
    ({"country": "ru"}, {"Narendra Modi"}),
    ({"country": "Russia"}, {"Narendra Modi"}),
    ({"country": "india"}, {"Narendra Modi", "Olaf Scholz"}),
    ({"origin": "IND"}, {"Narendra Modi"}),
    ({"origin": "Germany"}, {"Olaf Scholz"}),
    ({"destination": "in"}, {"Olaf Scholz"}),
    ({"country": "Türkiye"}, {"Recep Tayyip Erdoğan"}),
    ({"country": "Turkey"}, {"Recep Tayyip Erdoğan"}),
    ({"visitor": "erdogan"}, {"Recep Tayyip Erdoğan"}),
    ({"visitor": "ERDOĞAN"}, {"Recep Tayyip Erdoğan"}),
    ({"from": "2024-10", "to": "2024"}, {"Olaf Scholz"}),
    ({"to": "2024-08"}, {"Narendra Modi"}),
    ({"stage": "Completed"}, {"Narendra Modi"}),
]


@pytest.mark.parametrize(("params", "names"), SAME_ANSWERS)
def test_the_api_and_the_cli_read_filters_alike(
    api: TestClient,
    corpus_url: str,
    capsys: pytest.CaptureFixture[str],
    params: dict[str, str],
    names: set[str],
) -> None:
    assert _names(api, **params) == names
    options = [item for name, value in params.items() for item in (f"--{name}", value)]
    assert _cli_names(corpus_url, *options, capsys=capsys) == names


@pytest.mark.parametrize("path", ["/api/visits", "/api/export", "/api/stats"])
@pytest.mark.parametrize(
    ("param", "hint"), [("contry", "did you mean 'country'?"), ("destinaton", "'destination'")]
)
def test_unknown_parameters_are_a_400_naming_them(
    api: TestClient, path: str, param: str, hint: str
) -> None:
    r = api.get(path, params={param: "RUS"})
    assert r.status_code == 400, r.text[:200]
    error = r.json()["error"]
    assert f"unknown parameter '{param}'" in error and hint in error and path in error


def test_a_parameter_given_twice_is_a_400(api: TestClient) -> None:
    r = api.get("/api/visits?country=RUS&country=IND")
    assert r.status_code == 400 and "'country' is given more than once" in r.json()["error"]


def test_stats_take_the_filters(api: TestClient) -> None:
    everything = api.get("/api/stats").json()
    assert everything["total"] == 4
    russia = api.get("/api/stats", params={"country": "Russia"}).json()
    assert russia["total"] == 1
    assert russia["pairs"] == [
        {
            "visitor_country": "IND",
            "destination_country": "RUS",
            "count": 1,
            "by_stage": {"completed": 1},
        }
    ]
    assert russia["store"]["storylines"] == 4  # what the store holds, unfiltered
    assert api.get("/api/stats", params={"stage": "nope"}).status_code == 400


def test_a_reversed_date_range_is_refused_by_both(
    api: TestClient, corpus_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    r = api.get("/api/visits", params={"from": "2025-06", "to": "2025-01"})
    assert r.status_code == 400 and "must not be after" in r.json()["error"]
    with pytest.raises(SystemExit) as exit_:
        main(["visits", "--db", corpus_url, "--from", "2025-06", "--to", "2025-01"])
    assert exit_.value.code == 2
    assert "--from: from (2025-06) must not be after to (2025-01)" in capsys.readouterr().err


@pytest.mark.parametrize("bad", ["Atlantis", "XQZ", "R", "RUSS"])
def test_a_country_that_is_none_is_refused_by_both(
    api: TestClient, corpus_url: str, capsys: pytest.CaptureFixture[str], bad: str
) -> None:
    r = api.get("/api/visits", params={"origin": bad})
    assert r.status_code == 400 and "origin must be a country" in r.json()["error"]
    with pytest.raises(SystemExit):
        main(["visits", "--db", corpus_url, "--origin", bad])
    assert "--origin: origin must be a country" in capsys.readouterr().err


def test_the_cli_export_takes_the_filters(
    corpus_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], api: TestClient
) -> None:
    assert main(["export", "--db", corpus_url, "--format", "jsonl", "--country", "RU"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["visitor"]["name"] for line in lines] == ["Narendra Modi"]
    api_lines = api.get("/api/export", params={"format": "jsonl", "country": "RU"}).text
    assert api_lines.splitlines() == lines
    out = tmp_path / "m.csv"
    args = ["export", "--db", corpus_url, "--format", "csv", "--table", "mentions"]
    assert main([*args, "--origin", "IND", "-o", str(out)]) == 0
    assert len(out.read_text().splitlines()) == 2  # the header and Modi's one mention


# --- the vocabulary itself -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ("RUS", "RUS"),
        ("rus", "RUS"),
        ("RU", "RUS"),
        ("GB", "GBR"),
        ("UK", "GBR"),
        ("the United Kingdom", "GBR"),
        ("U.S.", "USA"),
        ("united states", "USA"),
        ("Côte d'Ivoire", "CIV"),
        ("cote d'ivoire", "CIV"),
    ],
)
def test_country_codes_and_names(given: str, code: str) -> None:
    assert country_code("country", given) == code


@pytest.mark.parametrize(
    ("given", "end", "day"),
    [
        ("2025", False, date(2025, 1, 1)),
        ("2025", True, date(2025, 12, 31)),
        ("2024-02", True, date(2024, 2, 29)),
        ("2025-12", True, date(2025, 12, 31)),
        ("2025-06-03", True, date(2025, 6, 3)),
    ],
)
def test_partial_dates(given: str, end: bool, day: date) -> None:
    assert date_bound("to", given, end=end) == day


@pytest.mark.parametrize("bad", ["2025-13", "2025-02-30", "25", "June 2025", "0000", "2025-6"])
def test_bad_dates_name_the_parameter(bad: str) -> None:
    with pytest.raises(FilterError, match="to must be a date as YYYY, YYYY-MM or YYYY-MM-DD"):
        date_bound("to", bad, end=True)


def test_the_migration_folds_names_as_the_store_does() -> None:
    path = (
        Path(__file__).resolve().parents[1]
        / "src/visitrack/store/migrations/versions/0004_accent_folded_names.py"
    )
    spec = importlib.util.spec_from_file_location("m0004", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name in ("Recep Tayyip Erdoğan", "Émmanuel MACRON", "Lech Wałęsa", "Straße", ""):
        assert module._fold(name) == fold_name(name)
    assert fold_name("Erdoğan") == "erdogan"


def test_a_store_made_before_folding_finds_accented_names_after_the_upgrade(
    tmp_path: Path,
) -> None:
    # A store at revision 0003 holds casefolded names with their accents; opening it upgrades
    # it (0004), after which "erdogan" finds "Erdoğan".
    import sqlite3

    db = tmp_path / "old.db"
    with open_store(str(db)) as store:
        store.ingest(result("erdogan", [visit("erdogan", ERDOGAN, "HUN", host=None)]))
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE storylines SET visitor_search = 'recep tayyip erdoğan'")
        conn.execute("DELETE FROM visitor_names")
        conn.execute("INSERT INTO visitor_names VALUES ('recep tayyip erdoğan')")
        conn.execute("DROP INDEX ix_storylines_pair_stage")  # what 0007 adds
        conn.execute("DROP INDEX ix_storylines_span_start_stage")
        conn.execute("DROP TABLE jobs")  # what 0005 adds
        conn.execute("DROP TABLE storyline_search")  # what 0006 adds
        conn.execute("DROP INDEX ix_storylines_changed_on")
        conn.execute("ALTER TABLE storylines DROP COLUMN changed_on")
        conn.execute("UPDATE alembic_version SET version_num = '0003'")
    with open_store(str(db)) as store:
        assert [s.visitor.name for s in store.storylines(visitor="erdogan")] == [ERDOGAN.name]


def test_filters_default_to_everything() -> None:
    assert Filters().store_kwargs()["country"] is None
    assert build_db  # the corpus builder other tests share
