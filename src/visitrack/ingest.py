"""The plain readers' public names, kept where they have always been imported from.

The code lives in :mod:`visitrack.readers` (:mod:`~visitrack.readers.files` reads paths,
directories, JSONL corpora and stdin; :mod:`~visitrack.readers.decode` sniffs and decodes bytes).
"""

from __future__ import annotations

from visitrack.readers.decode import SNIFF_BYTES, Refusal, binary_kind, decode_text, looks_like_html
from visitrack.readers.files import (
    MAX_INPUT_BYTES,
    document_from_text,
    parse_corpus_row,
    read_inputs,
)

__all__ = [
    "MAX_INPUT_BYTES",
    "SNIFF_BYTES",
    "Refusal",
    "binary_kind",
    "decode_text",
    "document_from_text",
    "looks_like_html",
    "parse_corpus_row",
    "read_inputs",
]
