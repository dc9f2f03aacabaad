"""Language identification for the reader layer: only English reaches the pipeline.

The pipeline's rules and its spaCy model are English-only; a French or Chinese page would cost
a parse and yield nothing (or, worse, noise). ``langid`` ships its model inside the package, so
this works offline and never downloads anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

__all__ = ["ENGLISH", "LanguageGuess", "detect_language", "visible_text"]

ENGLISH = "en"

# The head of a document is plenty to tell its language, and classifying costs time linear in
# the length: two thousand characters take about a millisecond.
SAMPLE_CHARS = 2000
# HTML is stripped before sampling, so this much raw markup is looked at to find that text.
HTML_SAMPLE_CHARS = 200_000
# Below this many letters the guess is close to noise (a headline, a caption): keep the
# document rather than drop an English one by mistake.
MIN_LETTERS = 40
# A document is refused only when the identifier is this sure it is not English; mixed pages
# (an English story under a foreign menu) come out with low confidence and are kept.
MIN_CONFIDENCE = 0.9

_SCRIPT_STYLE_RE = re.compile(r"<(script|style|noscript|svg)\b.*?</\1\s*>", re.I | re.S)
_COMMENT_RE = re.compile(r"<!--.*?-->", re.S)
_TAG_RE = re.compile(r"<[^>]*>")
_ENTITY_RE = re.compile(r"&[#\w]+;")
_SPACE_RE = re.compile(r"\s+")
_LETTER_RE = re.compile(r"[^\W\d_]")


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    """An ISO 639-1 code and the identifier's confidence (0..1)."""

    lang: str
    confidence: float

    @property
    def is_english(self) -> bool:
        # Unsure guesses count as English: dropping a real story is worse than one wasted parse.
        return self.lang == ENGLISH or self.confidence < MIN_CONFIDENCE


def visible_text(content: str, *, is_html: bool) -> str:
    """The first few thousand characters of readable text (markup, scripts and styles removed)."""
    if not is_html:
        return content[:SAMPLE_CHARS]
    html = content[:HTML_SAMPLE_CHARS]
    # The <head> holds titles and metadata that are often generic or in another language.
    body_at = html.lower().find("<body")
    if body_at >= 0:
        html = html[body_at:]
    html = _COMMENT_RE.sub(" ", _SCRIPT_STYLE_RE.sub(" ", html))
    text = _SPACE_RE.sub(" ", _ENTITY_RE.sub(" ", _TAG_RE.sub(" ", html))).strip()
    return text[:SAMPLE_CHARS]


def detect_language(content: str, *, is_html: bool = False) -> LanguageGuess:
    """Guess the language of a document from its head; short texts are taken as English."""
    sample = visible_text(content, is_html=is_html)
    if len(_LETTER_RE.findall(sample)) < MIN_LETTERS:
        return LanguageGuess(ENGLISH, 0.0)
    lang, confidence = _identifier().classify(sample)
    return LanguageGuess(str(lang), float(confidence))


@lru_cache(maxsize=1)
def _identifier() -> Any:
    # Unpickling the bundled model takes a few seconds, so it happens once per process and only
    # when a document actually needs checking.
    from langid.langid import LanguageIdentifier, model  # type: ignore[import-untyped]

    return LanguageIdentifier.from_modelstring(model, norm_probs=True)
