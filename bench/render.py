"""Render benchmarks: typical notes uncached and cached, and a page with embeds and queries.

    python bench/render.py               # generated 10k vault + the research vault
    python bench/render.py --notes 1000

Uncached renders use a fresh renderer per note (nothing cached); cached renders repeat the same
note. A synthetic page with 5 embeds and 2 dataview blocks measures the heavy case.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from gardend.daemon.index import Index  # noqa: E402
from gardend.daemon.query.engine import QueryEngine  # noqa: E402
from gardend.daemon.render import NoteRenderer  # noqa: E402
from gardend.daemon.sync import Synchronizer  # noqa: E402

from bench.index import percentile, vault_for  # noqa: E402

HEAVY = """# Heavy page

![[{a}]]

![[{b}]]

Some text with [[{c}]] and #tag.

![[{c}]]

![[{d}#Notes]]

![[{e}]]

```dataview
TABLE status, rating FROM #area WHERE rating > 3 SORT file.name LIMIT 20
```

```dataview
LIST FROM "Projects" SORT file.mtime DESC LIMIT 10
```
"""


def measure(root: Path, label: str, samples: int, heavy: bool) -> None:
    db = Path(tempfile.mkdtemp(prefix="gardend-rbench-")) / "index.sqlite"
    index = Index(db)
    sync = Synchronizer(index, root)
    sync.full_sync()
    engine = QueryEngine(index)
    paths = [r[0] for r in index.conn.execute("SELECT f.path FROM files f JOIN notes n ON n.file_id = f.id ORDER BY f.path")]
    rng = random.Random(1)
    picks = [rng.choice(paths) for _ in range(min(samples, len(paths)))]
    renderer = NoteRenderer(index, root, engine)
    renderer.render(picks[0])  # warm imports and the page cache of the engine
    uncached = []
    for path in picks:
        renderer._cache.clear()
        t0 = time.perf_counter()
        renderer.render(path)
        uncached.append((time.perf_counter() - t0) * 1000)
    cached = []
    for path in picks:
        renderer.render(path)
        t0 = time.perf_counter()
        renderer.render(path)
        cached.append((time.perf_counter() - t0) * 1000)
    print(
        f"{label}: typical note uncached median {statistics.median(uncached):.2f} ms (p95 {percentile(uncached, 95):.2f}),"
        f" cached median {statistics.median(cached):.3f} ms (p95 {percentile(cached, 95):.3f})"
    )
    if heavy:
        names = [Path(p).stem for p in rng.sample(paths, 5)]
        page = root / "bench-heavy-page.md"
        page.write_text(HEAVY.format(a=names[0], b=names[1], c=names[2], d=names[3], e=names[4]))
        try:
            sync.sync_paths([page.name])
            engine.apply_changes([page.name])
            times = []
            for _ in range(10):
                renderer._cache.clear()
                t0 = time.perf_counter()
                renderer.render(page.name)
                times.append((time.perf_counter() - t0) * 1000)
            print(f"{label}: page with 5 embeds + 2 queries uncached median {statistics.median(times):.1f} ms")
        finally:
            page.unlink()
            sync.sync_paths([page.name])
    index.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--notes", type=int, default=10000)
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    measure(vault_for(args.notes, 1), f"{args.notes} generated notes", args.samples, heavy=True)
    measure(HERE.parent / "examples" / "research-vault", "research vault", args.samples, heavy=False)


if __name__ == "__main__":
    main()
