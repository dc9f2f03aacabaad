"""visitrack: evidence-backed records of high-level diplomatic visits, from raw news text.

The public surface is small: :func:`extract_visits` for one document, :func:`run` for a stream
of documents, and the record types. Everything else is internal and may change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from visitrack.records import Destination, DocumentResult, Evidence, Party, Visit, When

if TYPE_CHECKING:
    from visitrack.pipeline import extract_visits, run

__version__ = "0.1.0"

__all__ = [
    "Destination",
    "DocumentResult",
    "Evidence",
    "Party",
    "Visit",
    "When",
    "__version__",
    "extract_visits",
    "run",
]

_PIPELINE_NAMES = frozenset({"extract_visits", "run"})


def __getattr__(name: str) -> Any:
    # The pipeline pulls in spaCy; importing it lazily keeps `import visitrack.records` (and the
    # CLI's --help) fast.
    if name in _PIPELINE_NAMES:
        from visitrack import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'visitrack' has no attribute {name!r}")
