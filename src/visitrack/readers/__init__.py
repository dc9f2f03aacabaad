"""The readers: every way a document gets in, in one package.

* :mod:`~visitrack.readers.files`: paths, directories (the one walker), JSONL corpora, stdin;
* :mod:`~visitrack.readers.decode`: the head sniff, binary detection, charset decoding;
* :mod:`~visitrack.readers.warc`, :mod:`~visitrack.readers.feeds`: WARC archives, RSS/Atom;
* :mod:`~visitrack.readers.web`: the polite fetcher for URLs and feed links;
* :mod:`~visitrack.readers.lang`: the English-only screen for what came from the web;
* :mod:`~visitrack.readers.dispatch`: :func:`read_sources`, the ``{kind: reader}`` table.

The names below are loaded on first use, so importing the package (or just
:mod:`~visitrack.readers.files`) does not pull in the HTTP, feed and WARC libraries.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from visitrack.readers.dispatch import (
        LANGUAGE_STAGE,
        READERS,
        SourceKind,
        read_sources,
        read_url_list,
    )
    from visitrack.readers.files import document_from_text, read_inputs
    from visitrack.readers.web import Fetcher

__all__ = [
    "LANGUAGE_STAGE",
    "READERS",
    "Fetcher",
    "SourceKind",
    "document_from_text",
    "read_inputs",
    "read_sources",
    "read_url_list",
]

_HOMES = {
    "LANGUAGE_STAGE": "dispatch",
    "READERS": "dispatch",
    "SourceKind": "dispatch",
    "read_sources": "dispatch",
    "read_url_list": "dispatch",
    "Fetcher": "web",
    "document_from_text": "files",
    "read_inputs": "files",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
