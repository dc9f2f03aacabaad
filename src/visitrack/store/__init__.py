"""Persistent storage: documents, visit mentions, linked storylines and failures.

SQLite (default, a file) or PostgreSQL, with the schema managed by Alembic migrations that
:func:`open_store` applies on first use::

    with open_store("visitrack.db") as store:
        for result in pipeline.run(raws):
            store.ingest(result)
        upcoming = store.storylines(upcoming=True)
"""

from visitrack.store.db import (
    DEFAULT_URL,
    ENV_DB,
    OUTCOMES,
    REPROCESS_BATCH,
    STATS_TOP,
    DocumentInfo,
    Ingested,
    IngestOutcome,
    JobInfo,
    Redirect,
    Store,
    StoreError,
    content_hash,
    head_revision,
    open_store,
    shorten_id,
    source_keys,
    text_hash,
    version_key,
)
from visitrack.store.models import ID_LENGTH

__all__ = [
    "DEFAULT_URL",
    "ENV_DB",
    "ID_LENGTH",
    "OUTCOMES",
    "REPROCESS_BATCH",
    "STATS_TOP",
    "DocumentInfo",
    "IngestOutcome",
    "Ingested",
    "JobInfo",
    "Redirect",
    "Store",
    "StoreError",
    "content_hash",
    "head_revision",
    "open_store",
    "shorten_id",
    "source_keys",
    "text_hash",
    "version_key",
]
