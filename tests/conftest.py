"""Shared fixtures: the spaCy model once per session, the ../shared folder when present."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="session")
def shared() -> Path:
    if not (SHARED / "gold").is_dir():
        pytest.skip("../shared (gold sets) not present")
    return SHARED


@pytest.fixture(scope="session")
def nlp_model():  # type: ignore[no-untyped-def]
    from visitrack import nlp
    from visitrack.errors import ResourceError

    try:
        return nlp.load_model()
    except ResourceError as exc:  # pragma: no cover - only without the model package
        pytest.skip(str(exc))
