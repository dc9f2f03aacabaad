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

import glob
import os
import pwd
import shlex
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import make_url

REQUIRE_ENV = "VISITRACK_REQUIRE_PG"
EXTERNAL_ENV = "VISITRACK_TEST_PG_URL"
SERVICE_USER = "postgres"
# pg_ctl start/stop wait this long (seconds); a cold start on a slow CI box takes a few.
PG_CTL_TIMEOUT_S = 60
# The last lines of the server log shown when start-up fails.
LOG_TAIL_LINES = 30


def _unavailable(reason: str) -> NoReturn:
    """Skip, or fail when CI has asked for PostgreSQL to be there."""
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason} (and {REQUIRE_ENV}=1 requires PostgreSQL)", pytrace=False)
    pytest.skip(f"PostgreSQL tests skipped: {reason}")


def _bindir() -> Path | None:
    """The directory holding initdb and pg_ctl, or None."""
    on_path = [shutil.which(tool) for tool in ("initdb", "pg_ctl")]
    if all(on_path):
        return Path(str(on_path[0])).resolve().parent

    def major(path: str) -> float:
        version = Path(path).parent.name
        return float(version) if version.replace(".", "", 1).isdigit() else 0.0

    for bindir in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=major, reverse=True):
        if (Path(bindir) / "initdb").exists() and (Path(bindir) / "pg_ctl").exists():
            return Path(bindir)
    return None


def _as_service_user() -> tuple[list[str], pwd.struct_passwd | None]:
    """The command prefix that runs a program as a user PostgreSQL accepts, and that user."""
    if os.geteuid() != 0:
        return [], None
    try:
        user = pwd.getpwnam(SERVICE_USER)
    except KeyError:
        _unavailable(f"running as root and there is no {SERVICE_USER!r} user to run the server")
    if shutil.which("runuser"):
        return ["runuser", "-u", SERVICE_USER, "--"], user
    if shutil.which("su"):
        return ["su", SERVICE_USER, "-s", "/bin/sh", "-c"], user
    _unavailable("running as root and neither runuser nor su is available")


def _run(prefix: list[str], argv: list[str]) -> subprocess.CompletedProcess[str]:
    # su -c takes one shell string; runuser and the non-root case take argv as is.
    command = [*prefix, shlex.join(argv)] if prefix[:1] == ["su"] else [*prefix, *argv]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _admin(url: str) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(url, autocommit=True)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """Admin URL (``postgresql://...``) of a running PostgreSQL server."""
    external = os.environ.get(EXTERNAL_ENV)
    if external:
        yield external
        return
    bindir = _bindir()
    if bindir is None:
        _unavailable("initdb/pg_ctl not found on PATH or in /usr/lib/postgresql/*/bin")
    prefix, user = _as_service_user()
    # Not pytest's tmp_path: its parent is private to root, so postgres could not enter it.
    base = Path(tempfile.mkdtemp(prefix="visitrack-pg-"))
    data, sockets, log = base / "data", base / "sock", base / "server.log"
    sockets.mkdir()
    if user is not None:
        for path in (base, sockets):
            os.chown(path, user.pw_uid, user.pw_gid)
    port = _free_port()
    started = False
    try:
        init = _run(
            prefix,
            [
                str(bindir / "initdb"),
                "-D", str(data),
                "-U", SERVICE_USER,
                "--auth=trust",
                "--encoding=UTF8",
                "--no-locale",
                "--no-sync",
            ],
        )  # fmt: skip
        if init.returncode != 0:
            pytest.fail(f"initdb failed:\n{init.stdout}\n{init.stderr}", pytrace=False)
        # fsync off: a test cluster is thrown away, durability only costs time.
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {sockets} -c fsync=off"
        start = _run(
            prefix,
            [
                str(bindir / "pg_ctl"),
                "-D", str(data),
                "-l", str(log),
                "-o", options,
                "-w", "-t", str(PG_CTL_TIMEOUT_S),
                "start",
            ],
        )  # fmt: skip
        if start.returncode != 0:
            lines = log.read_text(errors="replace").splitlines() if log.exists() else []
            tail = lines[-LOG_TAIL_LINES:]
            pytest.fail(
                f"pg_ctl start failed:\n{start.stdout}\n{start.stderr}\n" + "\n".join(tail),
                pytrace=False,
            )
        started = True
        yield f"postgresql://{SERVICE_USER}@127.0.0.1:{port}/postgres"
    finally:
        if started:
            _run(
                prefix,
                [str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
            )
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def pg_database(pg_server: str) -> Iterator[str]:
    """URL of a fresh, empty database, dropped after the test."""
    name = f"visitrack_test_{uuid.uuid4().hex[:12]}"
    with _admin(pg_server) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield make_url(pg_server).set(database=name).render_as_string(hide_password=False)
    finally:
        with _admin(pg_server) as conn:
            # FORCE: a test that failed mid-way may still hold connections.
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
