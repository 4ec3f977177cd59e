"""Query benchmarks: a fixed set of typical DQL queries over the generated 10k-note vault.

    python bench/query.py              # 10k notes, 15 runs per query
    python bench/query.py --notes 1000 --runs 30

Prints the first (cold cache) run and the median and p95 of the following runs, in ms. The index
is built once (bench/out/), the engine is created once, as in the long-running daemon.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from gardend.daemon.index import Index  # noqa: E402
from gardend.daemon.query.engine import QueryEngine  # noqa: E402
from gardend.daemon.query.results import QueryError  # noqa: E402
from gardend.daemon.sync import Synchronizer  # noqa: E402

from bench.index import percentile, vault_for  # noqa: E402

QUERIES = [
    ("tag table", "TABLE status, rating FROM #area WHERE rating > 3 SORT priority DESC LIMIT 50"),
    ("folder list", 'LIST FROM "Projects" WHERE file.size > 1000 SORT file.mtime DESC LIMIT 20'),
    ("vault-wide tag scan", 'TABLE file.name WHERE contains(file.tags, "#inbox")'),
    ("group by folder", "TABLE length(rows) AS n GROUP BY file.folder"),
    ("open tasks", "TASK WHERE !completed LIMIT 100"),
    ("flatten tags", "TABLE length(rows) AS n FLATTEN file.etags AS tag GROUP BY tag"),
    ("backlinks", "LIST FROM [[Real summary]] SORT file.name"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--notes", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    root = vault_for(args.notes, args.seed)
    db = Path(tempfile.mkdtemp(prefix="gardend-qbench-")) / "index.sqlite"
    index = Index(db)
    Synchronizer(index, root).full_sync()
    engine = QueryEngine(index)
    print(f"{args.notes} notes; {args.runs} runs per query (first run = cold page cache)")
    for name, text in QUERIES:
        times: list[float] = []
        result = None
        for _ in range(args.runs):
            t0 = time.perf_counter()
            result = engine.run(text)
            times.append((time.perf_counter() - t0) * 1000)
        rows = "error: " + result.message[:60] if isinstance(result, QueryError) else f"{len(result.rows)} rows"
        warm = times[1:] or times
        print(
            f"{name:<22} first {times[0]:8.1f} ms | median {statistics.median(warm):8.1f} ms"
            f" | p95 {percentile(warm, 95):8.1f} ms | {rows}"
        )
    index.close()


if __name__ == "__main__":
    main()
