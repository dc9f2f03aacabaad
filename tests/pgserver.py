"""A throwaway PostgreSQL server on loopback, for the store's tests and benchmarks.

:func:`temporary_server` finds ``initdb`` and ``pg_ctl`` (on PATH, else the newest
``/usr/lib/postgresql/*/bin``), initialises a cluster in a fresh temporary directory, starts it
on a free loopback port with its socket in that directory, and stops it and deletes the
directory on exit. PostgreSQL refuses to run as root, so as root the binaries run as the
``postgres`` user (``runuser``, else ``su``) and the directory is handed to that user.

Plain Python (no pytest): ``tests/conftest_pg.py`` turns its errors into skips or failures,
and ``scripts/bench_store.py`` uses it as it is.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shlex
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

SERVICE_USER = "postgres"
# pg_ctl start/stop wait this long (seconds); a cold start on a slow CI box takes a few.
PG_CTL_TIMEOUT_S = 60
# The last lines of the server log shown when start-up fails.
LOG_TAIL_LINES = 30


class PgUnavailable(RuntimeError):
    """No PostgreSQL server binaries (or no user to run them as) on this machine."""


class PgFailed(RuntimeError):
    """The binaries are there but the server could not be set up or started."""


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
        raise PgUnavailable(
            f"running as root and there is no {SERVICE_USER!r} user to run the server"
        ) from None
    if shutil.which("runuser"):
        return ["runuser", "-u", SERVICE_USER, "--"], user
    if shutil.which("su"):
        return ["su", SERVICE_USER, "-s", "/bin/sh", "-c"], user
    raise PgUnavailable("running as root and neither runuser nor su is available")


def _run(prefix: list[str], argv: list[str]) -> subprocess.CompletedProcess[str]:
    # su -c takes one shell string; runuser and the non-root case take argv as is.
    command = [*prefix, shlex.join(argv)] if prefix[:1] == ["su"] else [*prefix, *argv]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextlib.contextmanager
def temporary_server() -> Iterator[str]:
    """Admin URL (``postgresql://...``) of a PostgreSQL server that lives as long as the
    ``with`` block."""
    bindir = _bindir()
    if bindir is None:
        raise PgUnavailable("initdb/pg_ctl not found on PATH or in /usr/lib/postgresql/*/bin")
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
            raise PgFailed(f"initdb failed:\n{init.stdout}\n{init.stderr}")
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
            raise PgFailed(
                f"pg_ctl start failed:\n{start.stdout}\n{start.stderr}\n" + "\n".join(tail)
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
