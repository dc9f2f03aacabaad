"""Documents for the API and dashboard tests, written for these tests (no third-party text).

Dates are relative to the real today so that "upcoming" stays upcoming whenever the tests run.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from visitrack.ingest import document_from_text
from visitrack.pipeline import DocumentResult, run
from visitrack.records import (
    CleanDocument,
    Destination,
    Evidence,
    Party,
    RawDocument,
    Story,
    Visit,
    When,
)
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
    return fill_store(str(path), hostile=hostile)


def fill_store(url: str, *, hostile: bool = False) -> str:
    """The corpus ingested through the pipeline into the store at ``url`` (any backend)."""
    docs = corpus()
    if hostile:
        docs["hostile"] = (HOSTILE, date.today())
    raws = [
        document_from_text(text, doc_id=doc_id, published=published)
        for doc_id, (text, published) in docs.items()
    ]
    with open_store(url) as store:
        for result in run(raws):
            store.ingest(result)
    return url


# --- markup in every field a submitter controls ---------------------------------------------------
#
# Each payload, if it ever became markup in the dashboard, would set window.pwned, open a dialog
# or leave an element behind that the tests look for. (No double underscores: the cleaner reads
# a title as markdown, where __x__ is bold, and would change it.)

HOSTILE_TITLE = '<img src=x onerror="window.pwned=3;alert(3)">"><script>window.pwned=4</script>'
HOSTILE_ID = '<svg onload="window.pwned=5;alert(5)">'
HOSTILE_URLS = (
    "javascript:window.pwned=6;alert(6)",
    'https://news.example/"><script>window.pwned=7</script>',
    'https://news.example/x" onmouseover="window.pwned=8" autofocus onfocus="alert(8)',
)


def hostile_rows() -> list[dict[str, str]]:
    """JSONL rows whose id, title, URL and text carry markup; each text holds one visit."""
    rows = [{"id": HOSTILE_ID, "title": HOSTILE_TITLE, "url": HOSTILE_URLS[0], "text": HOSTILE}]
    for n, url in enumerate(HOSTILE_URLS[1:], 1):
        rows.append(
            {
                "id": f"hostile-url-{n}",
                "title": f"{HOSTILE_TITLE} {n}",
                "url": url,
                # The same visit in other words, so each row is a document of its own.
                "text": HOSTILE.replace("next week", f"in {n + 1} weeks"),
            }
        )
    return rows


HOSTILE_NAME = '<img src=x onerror="window.pwned=9;alert(9)">'
# The hand-built extraction's URL: hostile like the rows', but none of theirs, since a
# document with the same URL is the same source and would replace it.
HOSTILE_FIELDS_URL = HOSTILE_URLS[1] + "&fields"


def hostile_extraction() -> DocumentResult:
    """A pipeline result whose extracted fields are markup, built by hand.

    No article makes the extractor return such a name, city or occasion today, but the
    dashboard must not rely on that: the store keeps whatever the pipeline hands over.
    """
    soon = date.today() + timedelta(days=10)
    sentence = f"{HOSTILE_NAME} will visit <b>China</b> next week."
    text = f"<script>window.pwned=10</script> {sentence}"
    start = text.index(sentence)
    visit = Visit(
        doc_id="hostile-fields",
        published=date.today(),
        visitor=Party(HOSTILE_NAME, "head_of_state", "BRA"),
        host=Party('<iframe src="javascript:window.pwned=11">', "head_of_state", "CHN"),
        destination=Destination("CHN", "<script>window.pwned=12</script>"),
        kind="state_visit",
        occasion='<a href="javascript:window.pwned=13">summit</a>',
        stage="announced",
        when=When('<b onmouseover="window.pwned=14">next week</b>', soon, soon),
        evidence=(Evidence(start, start + len(sentence), sentence),),
        confidence=0.9,
    )
    raw = RawDocument(doc_id="hostile-fields", source="hostile-fields.txt", content=text)
    doc = CleanDocument(
        doc_id="hostile-fields",
        text=text,
        stories=(Story(0, len(text), date.today()),),
        title=HOSTILE_TITLE,
        url=HOSTILE_FIELDS_URL,
        published=date.today(),
    )
    return DocumentResult(raw, doc, (visit,))


# --- a live server ------------------------------------------------------------------------------

# Seconds uvicorn gets to start in a thread (it imports nothing new; the app already exists).
SERVER_START_S = 20.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve_in_thread(app: Any) -> Iterator[str]:
    """``app`` under uvicorn on a free loopback port; yields its base URL, stops on exit.

    Real HTTP: what a browser or an HTTP/1.1 client sends (chunked bodies, headers without a
    body) goes through uvicorn's parser, not the test client's shortcut.
    """
    import uvicorn

    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + SERVER_START_S
    try:
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the API server did not start")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
