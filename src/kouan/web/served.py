"""The application as `kouan serve --workers N` runs it in each worker process.

Uvicorn's workers are children of its master process. Killed outright (SIGKILL, the OOM killer),
the master cannot stop them: they would go on serving on the shared socket, unsupervised, and a
restarted master could not bind its port. A worker here is tied to the master that started it:
it is told to end when the master does, and ends at once if the master is already gone.
"""

from __future__ import annotations

import ctypes
import gc
import os
import signal
import sys
import threading

from fastapi import FastAPI

from kouan.web.app import create_app

# Set by `kouan serve` to its own process id before it starts the workers.
MASTER_ENV = "KOUAN_SERVE_MASTER"
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
_WATCH_EVERY_S = 1.0


def create_served_app() -> FastAPI:
    master = os.environ.get(MASTER_ENV)
    if master and int(master) != os.getpid():
        die_with(int(master))
    app = create_app()
    # What is loaded now (modules, templates, catalogues, reference data) lives as long as the
    # worker: taken out of the collector's generations, a full collection no longer walks it,
    # which was the slowest answers' pause under load.
    gc.collect()
    gc.freeze()
    return app


def die_with(master: int) -> None:
    """End this process when `master` ends: at once on Linux, within a second elsewhere."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    # The master may have died before the line above; and the signal is not given everywhere.
    if os.getppid() != master:
        os._exit(1)
    threading.Thread(target=_watch, args=(master,), name="kouan-master-watch", daemon=True).start()


def _watch(master: int) -> None:
    while os.getppid() == master:
        threading.Event().wait(_WATCH_EVERY_S)
    os.kill(os.getpid(), signal.SIGTERM)
