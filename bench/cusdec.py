"""kouan bench cusdec: declarations per second through the whole CUSDEC path (parse, validate,
risk-assess with the default rule set, store, answer with CUSRES) for one interchange of many
declarations, against pydifact's bare parse of the same text measured in the same run."""

from __future__ import annotations

import cProfile
import gc
import os
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common
from kouan.adapters import cusdec
from kouan.domain.declaration import Declaration
from kouan.services.cargo import cusdec_import, declarations
from kouan.services.platform.unit_of_work import UnitOfWork

SEED = 2026


@contextmanager
def _timed(stages: dict[str, list[float]], owner: Any, name: str, stage: str) -> Iterator[None]:
    """Wrap owner.name so each call's wall and CPU time are added to stages[stage]; unwrapped
    after."""
    original: Callable[..., Any] = getattr(owner, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        t0, cpu0 = time.perf_counter(), time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            spent = stages.setdefault(stage, [0.0, 0.0])
            spent[0] += time.perf_counter() - t0
            spent[1] += time.process_time() - cpu0

    setattr(owner, name, timed)
    try:
        yield
    finally:
        setattr(owner, name, original)


def _import_timed(
    ctx: Any, actor: Any, text: str
) -> tuple[float, float, dict[str, list[float]], Any]:
    """The whole path's wall and CPU time, with the times of each stage inside it."""
    stages: dict[str, list[float]] = {}
    with (
        _timed(stages, cusdec, "parse_cusdec", "parse"),
        _timed(stages, cusdec, "validate_messages", "validate"),
        _timed(stages, declarations, "file_batch", "file_batch"),
        _timed(stages, declarations, "_store", "file_batch.store"),
        _timed(stages, UnitOfWork, "commit", "commit"),
        _timed(stages, cusdec, "write_cusres", "cusres_write"),
    ):
        started, cpu0 = time.perf_counter(), time.process_time()
        result = cusdec_import.import_interchange(ctx, actor, text)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu0
    stages["other"] = [
        total - sum(spent[n] for stage, spent in stages.items() if "." not in stage)
        for n, total in enumerate((elapsed, cpu))
    ]
    return elapsed, cpu, stages, result


def main(
    declarations_: Annotated[
        int, typer.Option("--declarations", help="Declarations in the interchange.")
    ] = 10_000,
    traders: Annotated[int, typer.Option(help="Traders registered before filing.")] = 300,
    database_url: common.DatabaseUrl = None,
    profile: Annotated[
        Path | None, typer.Option(help="Write cProfile stats of the whole path here.")
    ] = None,
    as_json: common.AsJson = False,
) -> None:
    url, dialect = common.scratch_database(database_url)
    ctx = common.context(url)
    rng = random.Random(SEED)
    registered = common.register_traders(ctx, rng, traders)
    broker = common.broker(ctx)
    goods = common.subheadings()
    batch = [
        Declaration.model_validate(common.declaration_data(rng, n, registered, goods))
        for n in range(declarations_)
    ]
    now = common.utcnow()
    text = cusdec.write_cusdec(batch, broker.org_name[:35], "KOUAN", "BENCH1", now)
    items = sum(len(d.items) for d in batch)

    t0, cpu0 = time.perf_counter(), time.process_time()
    segments = cusdec.bare_parse(text)
    bare_s, bare_cpu_s = time.perf_counter() - t0, time.process_time() - cpu0
    # The import pauses the garbage collector (the collector finds nothing among the parse's
    # objects); pydifact's parse paused the same way shows what is left of the baseline.
    gc.disable()
    t0 = time.perf_counter()
    cusdec.bare_parse(text)
    bare_paused_s = time.perf_counter() - t0
    gc.enable()
    if profile is None:
        whole_s, whole_cpu_s, stages, result = _import_timed(ctx, broker, text)
    else:
        profiler = cProfile.Profile()
        whole_s, whole_cpu_s, stages, result = profiler.runcall(_import_timed, ctx, broker, text)
        profiler.dump_stats(profile)

    summary = result.summary
    lanes = Counter(d["lane"] for d in summary["declarations"] if d["lane"])
    statuses = Counter(d["status"] for d in summary["declarations"])
    throughput, baseline = declarations_ / whole_s, declarations_ / bare_s
    common.emit(
        {
            "name": "cusdec",
            "database": dialect,
            "declarations": declarations_,
            "items": items,
            "segments": segments,
            "interchange_bytes": len(text.encode()),
            "accepted": summary["accepted"],
            "rejected": summary["rejected"],
            "throughput_per_s": round(throughput, 1),
            # One interchange is one call: its latency is the whole import.
            "p50_ms": round(whole_s * 1000, 1),
            "p99_ms": round(whole_s * 1000, 1),
            "latency": "the whole interchange, parse to CUSRES (one call)",
            "whole_path_s": round(whole_s, 3),
            "baseline_per_s": round(baseline, 1),
            "bare_parse_s": round(bare_s, 3),
            "bare_parse_gc_paused_s": round(bare_paused_s, 3),
            "ratio_against_gc_paused_parse": round(bare_paused_s / whole_s, 3),
            # CPU time of this process: steadier than wall time on a busy machine (the database
            # server's own time is not in it).
            "whole_path_cpu_s": round(whole_cpu_s, 3),
            "bare_parse_cpu_s": round(bare_cpu_s, 3),
            "ratio": round(throughput / baseline, 3),
            "ratio_against": "pydifact bare parse",
            "stages_s": {stage: round(spent[0], 3) for stage, spent in stages.items()},
            "stages_cpu_s": {stage: round(spent[1], 3) for stage, spent in stages.items()},
            "load_average": [round(n, 2) for n in os.getloadavg()],
            "lanes": dict(sorted(lanes.items())),
            "statuses": dict(sorted(statuses.items())),
        },
        as_json,
    )


if __name__ == "__main__":
    typer.run(main)
