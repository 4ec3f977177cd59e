"""Index benchmarks on generated vaults: cold index, restart, single-note re-index, watcher latency, RSS.

    python bench/index.py                 # 1k and 10k notes
    python bench/index.py --notes 10000   # one size
    python bench/index.py --json          # machine-readable

Each size runs in its own process so peak RSS is that size's alone. Vaults are generated
deterministically (bench/generate_vault.py) into bench/out/ and reused between runs.
Numbers are printed, never asserted: they depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from gardend.daemon.index import Index  # noqa: E402
from gardend.daemon.sync import Synchronizer  # noqa: E402
from gardend.daemon.watcher import VaultWatcher, WatchOptions  # noqa: E402

from bench.generate_vault import generate  # noqa: E402


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def vault_for(notes: int, seed: int) -> Path:
    target = HERE / "out" / f"vault-{notes}-{seed}"
    marker = target / ".generated"
    if not marker.exists():
        if target.exists():
            import shutil

            shutil.rmtree(target)
        generate(target, notes=notes, seed=seed)
        marker.write_text("ok")
    return target


def run_size(notes: int, seed: int, samples: int) -> dict[str, float]:
    root = vault_for(notes, seed)
    work = Path(tempfile.mkdtemp(prefix="gardend-bench-"))
    db = work / "index.sqlite"
    out: dict[str, float] = {"notes": notes}

    index = Index(db)
    sync = Synchronizer(index, root)
    t0 = time.perf_counter()
    result = sync.full_sync()
    cold = time.perf_counter() - t0
    out["cold_seconds"] = cold
    out["cold_notes_per_s"] = result.scanned / cold
    out["files"] = result.files_total
    index.close()

    # Restart with nothing changed: a new process would open the index and reconcile.
    index = Index(db)
    sync = Synchronizer(index, root)
    t0 = time.perf_counter()
    again = sync.full_sync()
    out["restart_seconds"] = time.perf_counter() - t0
    out["restart_rescanned"] = again.scanned

    # Single-note re-index (no watcher): edit one note, sync that path.
    rng = random.Random(seed)
    paths = sorted(p for p in (r[0] for r in index.conn.execute("SELECT path FROM files WHERE is_note = 1")))
    picks = [rng.choice(paths) for _ in range(samples)]
    times: list[float] = []
    for i, rel in enumerate(picks):
        full = root / rel
        original = full.read_bytes()
        full.write_bytes(original + f"\nedit {i} [[{Path(rng.choice(paths)).stem}]] #bench\n".encode())
        t0 = time.perf_counter()
        sync.sync_paths([rel])
        times.append((time.perf_counter() - t0) * 1000)
        full.write_bytes(original)
        sync.sync_paths([rel])
    out["reindex_p50_ms"] = statistics.median(times)
    out["reindex_p99_ms"] = percentile(times, 99)

    # Save-to-indexed through the watcher: atomic save (temp file + rename), wait for the batch.
    done: dict[str, float] = {}
    seen = threading.Condition()

    def on_batch(batch: object) -> None:
        now = time.perf_counter()
        with seen:
            for p in getattr(batch, "changed_paths", []):
                done.setdefault(p, now)
            seen.notify_all()

    watcher = VaultWatcher(sync, WatchOptions(), on_batch=on_batch)
    watcher.start()
    latencies: list[float] = []
    try:
        time.sleep(0.5)
        for i, rel in enumerate(picks):
            full = root / rel
            original = full.read_bytes()
            tmp = full.with_name("." + full.name + ".tmp")
            with seen:
                done.pop(rel, None)
            t0 = time.perf_counter()
            tmp.write_bytes(original + f"\nwatched edit {i}\n".encode())
            os.replace(tmp, full)
            with seen:
                seen.wait_for(lambda rel=rel: rel in done, timeout=5)
                if rel in done:
                    latencies.append((done[rel] - t0) * 1000)
            full.write_bytes(original)
            watcher.wait_idle(5)
    finally:
        watcher.stop()
    out["save_to_indexed_p50_ms"] = statistics.median(latencies) if latencies else float("nan")
    out["save_to_indexed_p99_ms"] = percentile(latencies, 99) if latencies else float("nan")
    out["watch_samples"] = len(latencies)
    index.close()
    # Leave the vault as generated (reverts above restore bytes; mtimes differ, which is fine).
    usage = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
    out["peak_rss_mb"] = usage.ru_maxrss * scale / 1e6
    out["worker_peak_rss_mb"] = children.ru_maxrss * scale / 1e6
    out["db_mb"] = db.stat().st_size / 1e6
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--notes", type=int, action="append", help="vault size (repeatable); default 1000 and 10000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--samples", type=int, default=100, help="edits measured per latency figure")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = args.notes or [1000, 10000]
    if args.child:
        print(json.dumps(run_size(sizes[0], args.seed, args.samples)))
        return
    results = []
    for n in sizes:
        proc = subprocess.run(
            [sys.executable, __file__, "--child", "--notes", str(n), "--seed", str(args.seed), "--samples", str(args.samples)],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr)
            raise SystemExit(f"benchmark for {n} notes failed")
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for r in results:
        print(
            f"{int(r['notes']):>6} notes | cold {r['cold_seconds']:.2f} s ({r['cold_notes_per_s']:,.0f} notes/s)"
            f" | restart {r['restart_seconds'] * 1000:.0f} ms ({int(r['restart_rescanned'])} rescanned)"
            f" | re-index p50 {r['reindex_p50_ms']:.1f} ms p99 {r['reindex_p99_ms']:.1f} ms"
            f" | save->indexed p50 {r['save_to_indexed_p50_ms']:.1f} ms p99 {r['save_to_indexed_p99_ms']:.1f} ms"
            f" | peak RSS {r['peak_rss_mb']:.0f} MB (workers {r['worker_peak_rss_mb']:.0f} MB)"
            f" | db {r['db_mb']:.0f} MB"
        )


if __name__ == "__main__":
    main()
