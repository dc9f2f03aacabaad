"""A throwaway PostgreSQL server for the store tests, started once per test session.

``pg_server`` finds ``initdb`` and ``pg_ctl`` (on PATH, else the newest
``/usr/lib/postgresql/*/bin``), initialises a cluster in a fresh temporary directory, starts it
on a free loopback port with its socket in that directory, and stops it and deletes the
directory at the end of the session. PostgreSQL refuses to run as root, so as root the
binaries run as the ``postgres`` user (``runuser``, else ``su``) and the directory is handed
to that user. ``pg_database`` gives each test its own empty database on that server.

``VISITRACK_TEST_PG_URL`` (an admin URL such as ``postgresql://postgres@localhost:5432/postgres``)
uses an existing server instead. Without PostgreSQL the tests that need it are skipped, unless
``VISITRACK_REQUIRE_PG=1`` (set in CI), which makes that a failure.

Load it with ``pytest_plugins = ("conftest_pg",)``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import NoReturn

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import make_url

import pgserver

REQUIRE_ENV = "VISITRACK_REQUIRE_PG"
EXTERNAL_ENV = "VISITRACK_TEST_PG_URL"


def _unavailable(reason: str) -> NoReturn:
    """Skip, or fail when CI has asked for PostgreSQL to be there."""
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason} (and {REQUIRE_ENV}=1 requires PostgreSQL)", pytrace=False)
    pytest.skip(f"PostgreSQL tests skipped: {reason}")


def _admin(url: str) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(url, autocommit=True)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """Admin URL (``postgresql://...``) of a running PostgreSQL server."""
    external = os.environ.get(EXTERNAL_ENV)
    if external:
        yield external
        return
    try:
        with pgserver.temporary_server() as url:
            yield url
    except pgserver.PgUnavailable as exc:
        _unavailable(str(exc))
    except pgserver.PgFailed as exc:
        pytest.fail(str(exc), pytrace=False)


@contextmanager
def temporary_database(admin_url: str) -> Iterator[str]:
    """URL of a fresh, empty database on the server at ``admin_url``, dropped on exit.

    For fixtures wider than one test (``pg_database`` is per test).
    """
    name = f"visitrack_test_{uuid.uuid4().hex[:12]}"
    with _admin(admin_url) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with _admin(admin_url) as conn:
            # FORCE: a test that failed mid-way may still hold connections.
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture(scope="session")
def pg_new_database(pg_server: str) -> Callable[[], AbstractContextManager[str]]:
    """Makes :func:`temporary_database` on the session's server, for fixtures of any scope."""
    return lambda: temporary_database(pg_server)


@pytest.fixture
def pg_database(pg_server: str) -> Iterator[str]:
    """URL of a fresh, empty database, dropped after the test."""
    with temporary_database(pg_server) as url:
        yield url
