"""`visitrack serve` as a user starts it: the console script, a real port, several workers."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from api_corpus import build_db

# Server processes started and stopped: `make test` runs it, `make test-quick` not.
pytestmark = pytest.mark.slow

EXE = str(Path(sys.executable).parent / "visitrack")
# Two processes import the app and open the store; a cold start on the CI box takes seconds.
START_TIMEOUT_S = 60.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_serve_with_two_workers_answers(tmp_path: Path) -> None:
    db = tmp_path / "visits.db"
    build_db(db)
    port = _free_port()
    proc = subprocess.Popen(
        [EXE, "serve", "--db", str(db), "--port", str(port), "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        response = None
        while time.monotonic() < deadline:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/api/visits", timeout=5)
                break
            except httpx.TransportError:
                time.sleep(0.3)
        assert response is not None, "the server did not start"
        assert response.status_code == 200
        assert response.json()["visits"]
        assert httpx.get(f"http://127.0.0.1:{port}/", timeout=5).status_code == 200
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert b"Traceback" not in err
