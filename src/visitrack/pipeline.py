"""The pipeline, written out once: raw document in, visit records out.

1. ``clean``   -- boilerplate off, HTML to text, stories split, publication dates found
2. ``nlp``     -- sentences split, pre-filtered, parsed in batches (spaCy)
3. ``extract`` -- visit frames from each parsed sentence (people resolved through ``resolve``,
   times normalised through ``timex``, stages decided through ``stage``)
4. ``merge``   -- one record per distinct visit per document

Parallelism and I/O stay outside: callers feed documents in and write records out.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

from visitrack import clean as clean_stage
from visitrack import nlp, resolve
from visitrack.errors import VisitrackError
from visitrack.extract import (
    Frame,
    dateline_place,
    fill_event_times,
    fill_tour_times,
    relayed,
    sentence_frames,
    states_by_name,
    story_countries,
    written_names,
    year_hint,
)
from visitrack.extract.actors import Discourse
from visitrack.limits import DOCUMENT_TIME_LIMIT_S, TimeLimitExceeded, time_limit, within
from visitrack.merge import merge_frames
from visitrack.readers.files import document_from_text
from visitrack.records import (  # DocumentResult re-exported: it used to be defined here
    CleanDocument,
    DocumentResult,
    InputFailure,
    RawDocument,
    Visit,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc

# Documents cleaned and pre-filtered together before one nlp.pipe call: large enough to keep
# spaCy's batches full, small enough that memory stays flat on a 100k-document stream.
DOCS_PER_CHUNK = 32


def _plan(doc: CleanDocument) -> list[tuple[int, nlp.Sentence]]:
    """(story index, sentence) pairs the pre-filter keeps, in reading order."""
    out: list[tuple[int, nlp.Sentence]] = []
    for si, story in enumerate(doc.stories):
        sents = nlp.split_sentences(doc.text[story.start : story.end], offset=story.start)
        out.extend((si, s) for s in nlp.select_for_parsing(sents))
    return out


def _frames(
    doc: CleanDocument, plan: list[tuple[int, nlp.Sentence]], parsed: Iterable[Doc]
) -> list[Frame]:
    frames: list[Frame] = []
    discourses: dict[int, Discourse] = {}
    for (si, sent), spacy_doc in zip(plan, parsed, strict=True):
        disc = discourses.get(si)
        if disc is None:
            story = doc.stories[si]
            text = doc.text[story.start : story.end]
            hint = year_hint(text) if story.published is None else None
            disc = discourses[si] = Discourse(
                story.published,
                year=hint,
                home=dateline_place(text),
                countries=story_countries(text),
                named_states=states_by_name(text),
                written_names=written_names(text),
                relayed=relayed(text),
                source=resolve.country_of_url(doc.url),
            )
        frames.extend(sentence_frames(spacy_doc, sent.start, disc, story=si, source=sent.text))
    out: list[Frame] = []
    for si, disc in discourses.items():
        out.extend(
            fill_tour_times(fill_event_times([f for f in frames if f.story == si], disc), disc)
        )
    return out


def _failure(raw: RawDocument, stage: str, exc: Exception) -> DocumentResult:
    reason = (
        exc.message
        if isinstance(exc, VisitrackError)
        else (
            f"internal error in the {stage} stage ({type(exc).__name__}: {exc}); "
            "please report it with this document"
        )
    )
    return DocumentResult(raw, None, (), InputFailure(raw.source, reason, stage))


def _timed_out(raw: RawDocument, stage: str, exc: TimeLimitExceeded) -> DocumentResult:
    reason = f"the {stage} stage {exc}; the document was skipped"
    return DocumentResult(raw, None, (), InputFailure(raw.source, reason, stage))


def _parse(
    cleaned: list[tuple[int, CleanDocument, list[tuple[int, nlp.Sentence]]]], model: Any
) -> Iterator[Doc]:
    """Parse every planned sentence of these documents, in order, as one stream."""
    return nlp.parse([s.text for _, _, plan in cleaned for _, s in plan], model)


def run(
    raws: Iterable[RawDocument], *, time_limit_s: float | None = DOCUMENT_TIME_LIMIT_S
) -> Iterator[DocumentResult]:
    """Run the whole pipeline over documents, parsing many documents' sentences per batch.

    Results come out in input order. A document that breaks a stage, or keeps one stage busy
    for more than ``time_limit_s`` seconds (``None``: no limit; see :mod:`visitrack.limits`),
    becomes a failure result naming the stage; the other documents are processed as usual.
    """
    model = None
    it = iter(raws)
    while chunk := list(itertools.islice(it, DOCS_PER_CHUNK)):
        results: list[DocumentResult | None] = [None] * len(chunk)
        cleaned: list[tuple[int, CleanDocument, list[tuple[int, nlp.Sentence]]]] = []
        for k, raw in enumerate(chunk):
            try:
                with time_limit(time_limit_s):
                    doc = clean_stage.clean(raw)
                    plan = _plan(doc)
                cleaned.append((k, doc, plan))
            except TimeLimitExceeded as exc:
                results[k] = _timed_out(raw, "clean", exc)
            # A batch must survive any one bad document: the failure is reported, not raised.
            except Exception as exc:
                results[k] = _failure(raw, "clean", exc)
        if model is None and cleaned:
            model = nlp.load_model()
        # Parses are consumed as the parser yields them and only frames are kept, so memory
        # holds one batch of parses, not every parse of a large document.
        stream = _parse(cleaned, model)
        for n, (k, doc, plan) in enumerate(cleaned):
            raw = chunk[k]
            try:
                with time_limit(time_limit_s):
                    parses = itertools.islice(stream, len(plan))
                    frames = _frames(doc, plan, within(parses, time_limit_s))
                    published = {i: st.published for i, st in enumerate(doc.stories)}
                    visits = merge_frames(frames, raw.doc_id, published)
                results[k] = DocumentResult(raw, doc, tuple(visits))
                continue
            except TimeLimitExceeded as exc:
                results[k] = _timed_out(raw, "extract", exc)
            except Exception as exc:  # same reason as above
                results[k] = _failure(raw, "extract", exc)
            # The stream may have stopped anywhere in this document's sentences: the documents
            # after it are parsed afresh.
            stream = _parse(cleaned[n + 1 :], model)
        for r in results:
            assert r is not None
            yield r


def extract_visits(
    text_or_html: str, published: date | None = None, doc_id: str | None = None
) -> list[Visit]:
    """Extract the visits one text or HTML document reports.

    Args:
        text_or_html: the document, raw as scraped (boilerplate is removed here).
        published: the publication date; found in the text when omitted.
        doc_id: the id given to the records (default ``"text"``).

    Returns:
        One :class:`Visit` per distinct visit, in order of first mention.
    """
    raw = document_from_text(text_or_html, doc_id=doc_id or "text", published=published)
    result = next(run([raw]))
    return list(result.visits)
