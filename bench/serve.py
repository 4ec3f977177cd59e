"""Serve benchmarks: cached page throughput and latency, save-to-event latency, RSS under edits.

    python bench/serve.py                       # generated 10k vault
    python bench/serve.py --notes 1000 --edit-seconds 60

Starts `gardend serve` in a subprocess on loopback (a bounded load, loopback only), then:
1. requests one published page N times with C concurrent clients (aiohttp client; uses `wrk`
   instead when it is installed) and prints requests/s and p50/p99 latency;
2. saves a note and measures save -> `changed` event on /api/events, then saves a published note
   and measures save -> `reload` on its page's live stream (/_live/events?url=);
3. edits random notes for --edit-seconds and prints the server's RSS (VmRSS) over time.
The client shares the machine's two cores with the server, so throughput is a lower bound.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import aiohttp  # noqa: E402

from bench.index import percentile, vault_for  # noqa: E402


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def start_server(vault: Path, port: int) -> subprocess.Popen[bytes]:
    db = Path(tempfile.mkdtemp(prefix="gardend-sbench-")) / "index.sqlite"
    env = dict(os.environ, GARDEND_STATE_DIR=str(db.parent / "state"))
    log = db.parent / "serve.log"
    # The server logs every request: write to a file, never to a pipe nobody drains.
    with open(log, "wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gardend.daemon.cli", "serve", str(vault), "--db", str(db), "--port", str(port)],
            stdout=subprocess.DEVNULL, stderr=sink, env=env,
        )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if b"serving" in log.read_bytes():
            break
        if proc.poll() is not None:
            raise SystemExit("server exited early:\n" + log.read_text(errors="replace"))
        time.sleep(0.1)
    time.sleep(0.5)
    return proc


async def load(url: str, total: int, concurrency: int) -> tuple[float, list[float]]:
    latencies: list[float] = []
    queue = iter(range(total))
    async with aiohttp.ClientSession() as session:

        async def worker() -> None:
            for _ in queue:
                t0 = time.perf_counter()
                async with session.get(url) as resp:
                    await resp.read()
                    assert resp.status == 200, resp.status
                latencies.append((time.perf_counter() - t0) * 1000)

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - t0
    return total / elapsed, latencies


async def save_to_event(base: str, note: Path, samples: int) -> list[float]:
    out: list[float] = []
    async with aiohttp.ClientSession() as session, session.get(base + "/api/events", timeout=None) as resp:
        for i in range(samples):
            original = note.read_bytes()
            t0 = time.perf_counter()
            note.write_bytes(original + f"\nbench edit {i}\n".encode())
            while True:
                line = await resp.content.readline()
                if line.startswith(b"data:") and b"changed" in line:
                    out.append((time.perf_counter() - t0) * 1000)
                    break
            note.write_bytes(original)
            while True:  # consume the event of the restore
                line = await resp.content.readline()
                if line.startswith(b"data:") and b"changed" in line:
                    break
    return out


async def save_to_reload(base: str, vault: Path, note: Path, samples: int) -> list[float]:
    """Save -> ``reload`` on the page's own live stream (``/_live/events?url=``): what an open
    page waits for (watcher, index, dependency check), before it fetches its new content."""
    import frontmatter
    from gardend.daemon.publish.paths import permalink_for

    rel = note.relative_to(vault).as_posix()
    url = permalink_for(rel, frontmatter.loads(note.read_text(encoding="utf-8")).metadata)
    out: list[float] = []
    async with aiohttp.ClientSession() as session, \
            session.get(base + "/_live/events", params={"url": url}, timeout=None) as resp:
        await resp.content.readline()  # retry: ...
        for i in range(samples):
            original = note.read_bytes()
            t0 = time.perf_counter()
            note.write_bytes(original + f"\nbench edit {i}\n".encode())
            while not (await resp.content.readline()).startswith(b"data:"):
                pass
            out.append((time.perf_counter() - t0) * 1000)
            note.write_bytes(original)
            while not (await resp.content.readline()).startswith(b"data:"):
                pass
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--notes", type=int, default=10000)
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--edit-seconds", type=float, default=120)
    parser.add_argument("--edit-pause", type=float, default=0.05,
                        help="seconds between the two writes of an edit and after it (an hour-long run: 0.5)")
    args = parser.parse_args()
    source = vault_for(args.notes, 1)
    work = Path(tempfile.mkdtemp(prefix="gardend-sbench-vault-"))
    vault = work / "vault"
    shutil.copytree(source, vault)
    proc = start_server(vault, args.port)
    base = f"http://127.0.0.1:{args.port}"
    try:
        print(f"server up; RSS after start {rss_mb(proc.pid):.0f} MB")
        with urllib_open(base + "/searchIndex.json") as fh:
            pages = json.loads(fh.read())
        entries = pages if isinstance(pages, list) else pages.get("pages", pages.get("notes", []))
        url = base + (entries[0].get("url") or entries[0].get("permalink") or "/" if entries else "/")
        asyncio.run(load(url, 50, 4))  # warm the render cache
        if shutil.which("wrk"):
            out = subprocess.run(["wrk", "-t2", f"-c{args.concurrency}", "-d10s", "--latency", url],
                                 capture_output=True, text=True, check=False).stdout
            print("wrk:\n" + out)
        rate, lat = asyncio.run(load(url, args.requests, args.concurrency))
        print(f"cached page: {rate:,.0f} req/s, p50 {statistics.median(lat):.1f} ms, p99 {percentile(lat, 99):.1f} ms"
              f" ({args.requests} requests, {args.concurrency} clients)")
        notes = sorted(p for p in vault.rglob("*.md") if ".obsidian" not in p.parts)
        event_lat = asyncio.run(save_to_event(base, random.Random(1).choice(notes), 30))
        print(f"save -> change event: p50 {statistics.median(event_lat):.1f} ms, p99 {percentile(event_lat, 99):.1f} ms")
        published = [n for n in notes if b"dg-publish: true" in n.read_bytes()[:500]]
        if published:
            reload_lat = asyncio.run(save_to_reload(base, vault, random.Random(3).choice(published), 30))
            print(f"save -> page reload event: p50 {statistics.median(reload_lat):.1f} ms,"
                  f" p99 {percentile(reload_lat, 99):.1f} ms")
        rng = random.Random(2)
        start = time.monotonic()
        next_report = start
        edits = 0
        while time.monotonic() - start < args.edit_seconds:
            note = rng.choice(notes)
            data = note.read_bytes()
            note.write_bytes(data + b"\nedit\n")
            time.sleep(args.edit_pause)
            note.write_bytes(data)
            time.sleep(args.edit_pause)
            edits += 1
            if edits % 10 == 0:  # keep the render cache and the page path in the loop too
                with urllib_open(url) as fh:
                    fh.read()
            if time.monotonic() >= next_report:
                print(f"  t={time.monotonic() - start:5.0f} s  RSS {rss_mb(proc.pid):.0f} MB  ({edits} edits)",
                      flush=True)
                next_report += max(5.0, args.edit_seconds / 12)
        print(f"RSS after {args.edit_seconds:.0f} s of edits: {rss_mb(proc.pid):.0f} MB")
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            print("server did not stop within 60 s of SIGINT; killing it")
            proc.kill()
            proc.wait(10)
        shutil.rmtree(work, ignore_errors=True)


def urllib_open(url: str):
    import urllib.request

    return urllib.request.urlopen(url, timeout=30)


if __name__ == "__main__":
    main()
