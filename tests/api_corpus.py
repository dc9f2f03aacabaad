"""Documents for the API and dashboard tests, written for these tests (no third-party text).

Dates are relative to the real today so that "upcoming" stays upcoming whenever the tests run.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from visitrack.ingest import document_from_text
from visitrack.pipeline import run
from visitrack.store import open_store

# Hostile markup: if any of it ran in the dashboard it would set window.__pwned or open a dialog.
HOSTILE = (
    "Brazilian President Luiz Inacio Lula da Silva will visit China next week "
    '<img src=x onerror="window.__pwned=2;alert(2)">, his office said on Monday. '
    "<script>window.__pwned = 1; alert(1)</script> The trip follows months of talks on trade, "
    "and officials in both capitals said the agenda would cover farm exports, investment in "
    "railways and ports, and cooperation on climate finance, among other subjects."
)


def corpus(today: date | None = None) -> dict[str, tuple[str, date]]:
    """doc id -> (text, publication date)."""
    day = today or date.today()
    soon = day + timedelta(days=20)
    return {
        "macron-japan": (
            f"French President Emmanuel Macron will visit Japan on {soon:%B} {soon.day} for talks "
            "with Prime Minister Fumio Kishida, the Elysee said on Monday.",
            day,
        ),
        "scholz-india": (
            "German Chancellor Olaf Scholz arrived in New Delhi on Thursday for a two-day "
            "official visit to India.",
            date(2024, 10, 25),
        ),
        "modi-moscow": (
            "Indian Prime Minister Narendra Modi visited Moscow in July, meeting President "
            "Vladimir Putin.",
            date(2024, 9, 2),
        ),
    }


def build_db(path: Path, *, hostile: bool = False) -> str:
    """A SQLite store at ``path`` holding the corpus, ingested through the pipeline."""
    docs = corpus()
    if hostile:
        docs["hostile"] = (HOSTILE, date.today())
    raws = [
        document_from_text(text, doc_id=doc_id, published=published)
        for doc_id, (text, published) in docs.items()
    ]
    url = str(path)
    with open_store(url) as store:
        for result in run(raws):
            store.ingest(result)
    return url
