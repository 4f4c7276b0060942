"""The screening benchmark: a synthetic watch list indexed, then flights' passenger lists
screened against it on one core; and the matcher's quality on the labelled name pairs."""

from __future__ import annotations

import csv
import gc
import os
import random
import statistics
import time
from pathlib import Path
from typing import Any

from kouan.domain.names import parse, score
from kouan.services.screening.synthetic import flight, watch_list
from kouan.services.screening.watchlist import WatchListIndex


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def _ms(samples: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in samples]
    return {"p50_ms": round(_percentile(ms, 50), 3), "p99_ms": round(_percentile(ms, 99), 3),
            "mean_ms": round(statistics.fmean(ms), 3)}  # fmt: skip


def run(passengers: int = 500, watchlist: int = 100_000, lists: int = 10,
        planted: int = 5, seed: int = 2026) -> dict[str, Any]:  # fmt: skip
    """Build the index of `watchlist` synthetic entries, screen `lists` flights of `passengers`
    (each with `planted` listed people under another spelling) and report the figures."""
    started = time.perf_counter()
    entries = watch_list(watchlist, seed)
    generated = time.perf_counter() - started
    started = time.perf_counter()
    index = WatchListIndex(entries)
    built = time.perf_counter() - started
    rng = random.Random(seed + 1)
    per_list: list[float] = []
    per_person: list[float] = []
    found = listed = other_hits = candidates = 0
    for _ in range(lists):
        people, positions = flight(rng, entries, passengers, planted)
        identities = [p.identity() for p in people]
        gc.collect()  # not inside the timed list
        list_started = time.perf_counter()
        results = []
        for identity in identities:
            one = time.perf_counter()
            results.append(index.screen(identity))
            per_person.append(time.perf_counter() - one)
        per_list.append(time.perf_counter() - list_started)
        listed += len(positions)
        found += sum(1 for n in positions if results[n])
        other_hits += sum(1 for n, r in enumerate(results) if r and n not in positions)
        candidates += sum(len(index.candidates(i)) for i in identities)
    screened = passengers * lists
    return {
        "name": "screening",
        "database": "none",
        "cores_used": 1,
        "cpu_count": os.cpu_count(),
        "watchlist": watchlist,
        "passengers": passengers,
        "lists": lists,
        "generate_s": round(generated, 2),
        "build_s": round(built, 2),
        "per_list": _ms(per_list),
        "per_person": _ms(per_person),
        "persons_per_s": round(screened / sum(per_list), 1),
        "candidates_per_person": round(candidates / screened, 2),
        "planted_found": f"{found}/{listed}",
        "other_hits_per_list": round(other_hits / lists, 1),
    }


def _name(row: dict[str, str], n: str) -> Any:
    nationality = (row.get(f"nationality{n}") or "").strip()
    return parse(row[f"name{n}"], nationality, None) if nationality else row[f"name{n}"]


def quality(path: Path, threshold: float = 0.85) -> dict[str, Any]:
    """Recall and precision of the name matcher on labelled pairs (name1,name2,match, and
    optionally nationality1 and nationality2: screening knows a passenger's nationality)."""
    tp = fp = fn = tn = 0
    wrong: list[dict[str, Any]] = []
    with path.open(encoding="utf-8", newline="") as source:
        for row in csv.DictReader(source):
            value = score(_name(row, "1"), _name(row, "2")).score
            said, truth = value >= threshold, row["match"].strip().lower() in ("1", "true", "yes")
            tp, fp = tp + (said and truth), fp + (said and not truth)
            fn, tn = fn + (truth and not said), tn + (not truth and not said)
            if said != truth:
                wrong.append({**row, "score": round(value, 3)})
    return {
        "name": "name-quality",
        "pairs": tp + fp + fn + tn,
        "matches": tp + fn,
        "threshold": threshold,
        "recall": round(tp / ((tp + fn) or 1), 4),
        "precision": round(tp / ((tp + fp) or 1), 4),
        "true_positives": tp,
        "false_positives": fp,
        "false_negatives": fn,
        "wrong": wrong,
    }
