"""Publishing benchmarks on a generated vault: git status and publish, and the static site.

    python bench/publish.py                  # the 10k-note vault (~40 % dg-publish)
    python bench/publish.py --notes 1000     # another size
    python bench/publish.py --json           # machine-readable
    python bench/publish.py --site-only      # skip the git steps (1-3)

Steps, each timed end to end in-process the way ``gardend status`` / ``gardend publish`` run
them (reconcile the index with the vault, then plan or build):

1. first publish of the flagged notes into a fresh local clone (``git init``) with a bare
   remote in a temp folder: compile (while a child process cuts the unpublished notes'
   markers), the safe-mode leak gate, one commit, push;
2. status with nothing changed;
3. republish after editing one published note (compile, leak gate, commit, push);
4. static site build of the published notes into an empty folder;
5. static site re-run with nothing changed;
6. static site after editing one published note.

The generated vault (bench/generate_vault.py, reused from bench/out/) is copied into the temp
folder first, so the edits never touch it. Numbers are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from gardend.daemon.index import Index  # noqa: E402
from gardend.daemon.publish.gitsync import apply_plan, plan_publish, published_paths  # noqa: E402
from gardend.daemon.publish.leaks import cut_in_background, publish_gate  # noqa: E402
from gardend.daemon.publish.settings import load_garden_settings  # noqa: E402
from gardend.daemon.site.static_build import build_static_site  # noqa: E402
from gardend.daemon.sync import Synchronizer  # noqa: E402

from bench.index import vault_for  # noqa: E402

TARGETS = {
    "status_unchanged_s": 2.0,
    "first_publish_s": 60.0,
    "republish_one_edit_s": 2.0,
    "site_build_s": 120.0,
    "site_rerun_unchanged_s": 5.0,
}


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(cwd), *args], check=True, capture_output=True)


def make_repo(work: Path) -> Path:
    """A clone-like repository on branch main whose ``origin`` is a bare repository beside it."""
    remote = work / "remote.git"
    repo = work / "garden"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True, capture_output=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True, capture_output=True)
    _git(repo, "config", "user.name", "bench")
    _git(repo, "config", "user.email", "bench@example.invalid")
    _git(repo, "remote", "add", "origin", str(remote))
    return repo


def run(notes: int, seed: int, git_steps: bool = True) -> dict[str, float]:
    source = vault_for(notes, seed)
    work = Path(tempfile.mkdtemp(prefix="gardend-bench-publish-"))
    out: dict[str, float] = {"notes": notes}
    try:
        root = work / "vault"
        shutil.copytree(source, root)
        repo = make_repo(work)
        index = Index(work / "index.sqlite")
        sync = Synchronizer(index, root)
        t0 = time.perf_counter()
        sync.full_sync()
        out["index_cold_s"] = time.perf_counter() - t0
        flagged = published_paths(index)
        out["published"] = len(flagged)
        settings = load_garden_settings(root)

        def publish() -> tuple[float, int, float]:
            """(seconds, files written, seconds of the leak gate after the compile)."""
            t = time.perf_counter()
            sync.full_sync()
            with cut_in_background(index, root) as cutting:
                plan = plan_publish(index, root, repo, settings, "safe")
                gate_start = time.perf_counter()
                gate = publish_gate(index, root, plan, "safe", cutting)
                gate_s = time.perf_counter() - gate_start
            if not gate.ok:  # `gardend publish` would stop here; the benchmark times the rest anyway
                print(f"warning: the leak gate would refuse this publish ({len(gate.leaks)} findings)", file=sys.stderr)
            report = apply_plan(repo, plan, push=True, remote="origin", branch="main")
            written = len(plan.new) + len(plan.changed) + len(plan.deleted) if report.commit else 0
            return time.perf_counter() - t, written, gate_s

        edited = root / flagged[len(flagged) // 2]
        if git_steps:
            out["first_publish_s"], out["first_publish_files"], out["first_publish_gate_s"] = publish()

            t0 = time.perf_counter()
            sync.full_sync()
            plan = plan_publish(index, root, repo, settings, "safe")
            out["status_unchanged_s"] = time.perf_counter() - t0
            out["status_unchanged_pending"] = len(plan.new) + len(plan.changed) + len(plan.deleted)

            edited.write_text(edited.read_text(encoding="utf-8") + "\nAn edit for the benchmark.\n", encoding="utf-8")
            out["republish_one_edit_s"], out["republish_files"], out["republish_gate_s"] = publish()

        site = work / "site"
        t0 = time.perf_counter()
        sync.full_sync()
        report = build_static_site(index, root, site, base_url="https://garden.example.org")
        out["site_build_s"] = time.perf_counter() - t0
        out["site_files"] = len(report.written)
        out["site_mb"] = sum(f.stat().st_size for f in site.rglob("*") if f.is_file()) / 1e6

        t0 = time.perf_counter()
        sync.full_sync()
        report = build_static_site(index, root, site, base_url="https://garden.example.org")
        out["site_rerun_unchanged_s"] = time.perf_counter() - t0
        out["site_rerun_written"] = len(report.written)

        edited.write_text(edited.read_text(encoding="utf-8") + "\nA second edit.\n", encoding="utf-8")
        t0 = time.perf_counter()
        sync.full_sync()
        report = build_static_site(index, root, site, base_url="https://garden.example.org")
        out["site_one_edit_s"] = time.perf_counter() - t0
        out["site_one_edit_written"] = len(report.written)
        index.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--notes", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--site-only", action="store_true", help="skip the git steps")
    args = parser.parse_args()
    result = run(args.notes, args.seed, git_steps=not args.site_only)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{int(result['notes'])} notes, {int(result['published'])} published (index cold {result['index_cold_s']:.1f} s)")
    rows = [
        ("first publish (compile, gate, commit, push)", "first_publish_s",
         f"{int(result.get('first_publish_files', 0))} files, gate {result.get('first_publish_gate_s', 0):.1f} s"),
        ("status, nothing changed", "status_unchanged_s", f"{int(result.get('status_unchanged_pending', 0))} pending"),
        ("republish after editing one note", "republish_one_edit_s",
         f"{int(result.get('republish_files', 0))} files, gate {result.get('republish_gate_s', 0):.2f} s"),
        ("static site build", "site_build_s", f"{int(result['site_files'])} files, {result['site_mb']:.0f} MB"),
        ("static site re-run, nothing changed", "site_rerun_unchanged_s", f"{int(result['site_rerun_written'])} written"),
        ("static site after editing one note", "site_one_edit_s", f"{int(result['site_one_edit_written'])} written"),
    ]
    for label, key, extra in rows:
        if key not in result:
            continue
        target = TARGETS.get(key)
        verdict = "" if target is None else f"  (target < {target:g} s: {'ok' if result[key] < target else 'MISSED'})"
        print(f"  {label:40} {result[key]:8.2f} s  {extra}{verdict}")


if __name__ == "__main__":
    main()
