"""Run the unmodified ``ngf-console`` CLI with memory attribution on demand (bench only).

    python bench/traced_operator.py operator --kubeconfig K ...   # same arguments as the CLI

With ``NGF_BENCH_TRACEMALLOC=<frames>`` set, tracemalloc records allocations made after the
imports (so growth with the number of stacks, not the import-time baseline).
On SIGUSR1 the process writes ``$NGF_BENCH_MEMDUMP`` (JSON): the largest live allocations
grouped by the first non-stdlib frame that made them (when tracing), live object counts by
type, and the number of asyncio tasks. Tracing makes the process bigger and slower: its
figures are for attribution, not the RSS target.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import signal
import sys
import sysconfig
import time
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any

_STDLIB = sysconfig.get_paths()["stdlib"]


_ENTRY = ("typer/", "click/", "bench/traced_operator.py", "ngf_console/cli.py", "operator/main.py")


def _owner(frames: Any) -> str:
    """file:line of the innermost frame outside the standard library and the entry point."""
    for frame in frames:  # tracemalloc: most recent call first
        name = frame.filename
        if name.startswith(_STDLIB) and "site-packages" not in name:
            continue
        if name.startswith("<frozen") or any(e in name for e in _ENTRY):
            continue
        for marker in ("site-packages/", "src/"):
            if marker in name:
                name = name.split(marker, 1)[1]
                break
        return f"{name}:{frame.lineno}"
    last = frames[0]
    return f"(stdlib only) {Path(last.filename).name}:{last.lineno}"


def _dump(_sig: int, _frame: Any) -> None:
    started = time.perf_counter()
    out: dict[str, Any] = {}
    if tracemalloc.is_tracing():
        snapshot = tracemalloc.take_snapshot()
        by_owner: Counter[str] = Counter()
        count: Counter[str] = Counter()
        total = 0
        for stat in snapshot.statistics("traceback"):
            owner = _owner(stat.traceback)
            by_owner[owner] += stat.size
            count[owner] += stat.count
            total += stat.size
        by_file: Counter[str] = Counter()
        for owner, size in by_owner.items():
            by_file[owner.rsplit(":", 1)[0]] += size
        out["traced_mb"] = total / 2**20
        out["top_lines"] = [
            {"where": w, "mb": s / 2**20, "blocks": count[w]} for w, s in by_owner.most_common(25)
        ]
        out["top_files"] = [{"where": w, "mb": s / 2**20} for w, s in by_file.most_common(15)]
    types = Counter(type(o).__qualname__ for o in gc.get_objects())
    out["gc_objects"] = sum(types.values())
    out["top_types"] = types.most_common(20)
    try:
        out["asyncio_tasks"] = len(asyncio.all_tasks())
    except RuntimeError:
        out["asyncio_tasks"] = None
    out["dump_s"] = time.perf_counter() - started
    Path(os.environ.get("NGF_BENCH_MEMDUMP", "memdump.json")).write_text(json.dumps(out, indent=1))


def main() -> None:
    # Import first: tracing the imports would take a minute and attribute the import-time
    # baseline (the idle RSS), which the benchmark reports separately anyway.
    import kopf  # noqa: F401
    import lightkube  # noqa: F401

    import ngf_console.operator.main  # noqa: F401
    from ngf_console.cli import app

    frames = int(os.environ.get("NGF_BENCH_TRACEMALLOC", "0") or 0)
    if frames:
        tracemalloc.start(frames)
    signal.signal(signal.SIGUSR1, _dump)

    sys.argv = ["ngf-console", *sys.argv[1:]]
    app()


if __name__ == "__main__":
    main()
