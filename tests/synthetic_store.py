"""A store filled with synthetic storylines and mentions, fast: rows inserted below the library.

A seeded generator (real country codes, names, stages, windows), so fills are repeatable. Used by
tests/test_load.py and by the benchmarks (scripts/bench_store.py, bench_api.py, bench_load.py).
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, text

from visitrack.records import STAGES
from visitrack.store import open_store
from visitrack.store.models import Document, Mention, VisitorName
from visitrack.store.models import Storyline as StorylineRow
from visitrack.store.search import replace_rows, search_body

# Mentions per synthetic storyline, on average: reports of one visit across outlets.
MENTIONS_PER_STORYLINE = 3
BULK_CHUNK = 20_000
# How often each stage is drawn by synthetic_rows(skewed=True): most reported visits happen.
SKEWED_STAGE_WEIGHTS = {
    "proposed": 3,
    "invited": 4,
    "in_preparation": 3,
    "announced": 10,
    "ongoing": 4,
    "completed": 60,
    "postponed": 4,
    "cancelled": 2,
}
COUNTRIES = [
    "USA",
    "RUS",
    "CHN",
    "IND",
    "FRA",
    "DEU",
    "GBR",
    "JPN",
    "BRA",
    "TUR",
    "IRN",
    "ISR",
    "UKR",
    "PRK",
    "KOR",
    "SAU",
    "ARE",
    "EGY",
    "ZAF",
    "NGA",
    "KEN",
    "MEX",
    "CAN",
    "AUS",
    "IDN",
    "VNM",
    "PAK",
    "ITA",
    "ESP",
    "POL",
    "HUN",
    "SRB",
    "KAZ",
    "UZB",
    "BLR",
    "ARM",
]


def synthetic_rows(
    n_mentions: int, seed: int = 7, *, skewed: bool = False
) -> Iterator[tuple[list[dict[str, object]], list[dict[str, object]]]]:
    """(storyline rows, mention rows) in chunks.

    ``skewed``: countries and stages drawn as real coverage has them (a few countries in most
    visits, most visits completed, more visits in later years) instead of uniformly, for
    pictures of the dashboard that look like its use (tests/test_views.py).
    """
    rng = random.Random(seed)
    people = [f"Person {i:05d}" for i in range(5_000)]
    base = date(2000, 1, 1)
    # Zipf-like: the k-th country of COUNTRIES is drawn with weight 1/k.
    country_weights = [1 / (k + 1) for k in range(len(COUNTRIES))]
    stage_weights = [SKEWED_STAGE_WEIGHTS[s] for s in STAGES]
    made = 0
    sid = 0
    while made < n_mentions:
        lines: list[dict[str, object]] = []
        mentions: list[dict[str, object]] = []
        while made < n_mentions and len(mentions) < BULK_CHUNK:
            sid += 1
            if skewed:
                visitor = rng.choices(COUNTRIES, country_weights)[0]
                dest = visitor
                while dest == visitor:
                    dest = rng.choices(COUNTRIES, country_weights)[0]
                name = rng.choice(people)
                stage = rng.choices(STAGES, stage_weights)[0]
                # the square root of a uniform draw: later days more often than earlier ones
                start = base + timedelta(days=int(9_500 * rng.random() ** 0.5))
            else:  # the original draws, in their order, so seeded fills stay as they were
                visitor, dest = rng.sample(COUNTRIES, 2)
                name = rng.choice(people)
                stage = rng.choice(STAGES)
                start = base + timedelta(days=rng.randrange(9_500))
            end = start + timedelta(days=rng.choice((0, 1, 2, 6, 30, 90)))
            key = f"{name.lower()}->{dest}"
            ident = f"{sid:012x}"
            k = rng.randint(1, 2 * MENTIONS_PER_STORYLINE - 1)
            docs = [f"doc{sid}-{j}" for j in range(k)]
            lines.append(
                {
                    "id": ident,
                    "storyline_key": key,
                    "visitor_name": name,
                    "visitor_search": name.lower(),
                    "visitor_role": "head_of_state",
                    "visitor_country": visitor,
                    "host_name": None,
                    "host_role": None,
                    "host_country": None,
                    "destination_country": dest,
                    "destination_city": None,
                    "kind": "visit",
                    "occasion": None,
                    "stage": stage,
                    "when_text": "synthetic",
                    "when_start": start,
                    "when_end": end,
                    "span_start": start,
                    "span_end": end,
                    "history": json.dumps(
                        [{"stage": stage, "first_reported": str(start), "doc_ids": docs}]
                    ),
                    "doc_ids": json.dumps(docs),
                    "mention_count": k,
                    "first_reported": start,
                    "last_reported": start,
                    "changed_on": start,
                }
            )
            for j in range(k):
                mentions.append(
                    {
                        "doc_id": None,
                        "ordinal": j,
                        "storyline_key": key,
                        "storyline_id": ident,
                        "visitor_name": name,
                        "visitor_role": "head_of_state",
                        "visitor_country": visitor,
                        "destination_country": dest,
                        "kind": "visit",
                        "stage": stage,
                        "when_text": "synthetic",
                        "when_start": start,
                        "when_end": end,
                        "confidence": 0.8,
                        "published": start,
                        "evidence": "[]",
                    }
                )
            made += k
        yield lines, mentions


def bulk_load(url: str, n_mentions: int, *, skewed: bool = False) -> float:
    with open_store(url) as store:
        engine = store._engine  # the benchmark loads rows below the library on purpose
        t0 = time.perf_counter()
        names: set[str] = set()
        for lines, mentions in synthetic_rows(n_mentions, skewed=skewed):
            with engine.begin() as conn:
                conn.execute(insert(StorylineRow), lines)
                conn.execute(insert(Mention), _with_docs(conn, mentions))
                # Search rows as the store writes them (visitrack.store.search), so `q` finds
                # synthetic storylines by visitor and destination too.
                bodies = [
                    (
                        str(row["id"]),
                        search_body(
                            [str(row["visitor_name"])],
                            None,
                            None,
                            str(row["destination_country"]),
                            [],
                        ),
                    )
                    for row in lines
                ]
                replace_rows(conn, conn.dialect.name == "postgresql", [], bodies)
                fresh = {str(row["visitor_search"]) for row in lines} - names
                if fresh:
                    conn.execute(insert(VisitorName), [{"name_search": n} for n in fresh])
                names |= fresh
        with engine.begin() as conn:
            # planner statistics, as autovacuum would gather them after a load this size
            conn.execute(text("ANALYZE"))
        return time.perf_counter() - t0


def _with_docs(conn: object, mentions: list[dict[str, object]]) -> list[dict[str, object]]:
    # mentions need a document row; one synthetic document holds each storyline's reports
    docs = {}
    for m in mentions:
        doc_id = f"syn-{m['storyline_id']}"
        m["doc_id"] = doc_id
        docs[doc_id] = {
            "doc_id": doc_id,
            "content_hash": doc_id,
            "source": "synthetic",
            "published": m["published"],
            "cleaned_text": "",
            "ingested_at": datetime.now(UTC),
        }
    conn.execute(insert(Document), list(docs.values()))  # type: ignore[attr-defined]
    return mentions
