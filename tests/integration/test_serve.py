"""`kouan serve --workers 2` as production runs it: workers end with their master, so a master
killed outright leaves nothing serving and a restart can bind its port at once."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from kouan.adapters.db.migrate import upgrade


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(url: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "KOUAN_DATABASE_URL": url, "KOUAN_SECRET_KEY": "serve-" + "k" * 32}
    command = [sys.executable, "-m", "kouan.cli", "serve", "--port", str(port), "--workers", "2"]
    return subprocess.Popen(command, env=env)


def _until(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def _healthy(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def _children(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in found]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has ended; only its parent has not read its status yet


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_end_with_a_killed_master_and_the_server_restarts(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kouan.db'}"
    upgrade(url)
    port = _free_port()
    master = _start(url, port)
    try:
        assert _until(lambda: _healthy(port), 30), "the server did not start"
        workers = [p for p in _children(master.pid) if _alive(p)]
        assert len(workers) >= 2  # uvicorn may add a helper process beside the workers
        os.kill(master.pid, signal.SIGKILL)
        master.wait(timeout=10)
        assert _until(lambda: not any(_alive(p) for p in workers), 10), "orphan workers serve on"
        assert not _healthy(port)
    finally:
        master.kill()
    again = _start(url, port)
    try:
        assert _until(lambda: _healthy(port), 30), "the restarted server could not serve"
    finally:
        again.terminate()
        again.wait(timeout=30)
