#!/usr/bin/env bash
# End-to-end publish timings through the CLI, as a user runs it: a copy of the generated vault,
# a bare "remote" and a clone, then the first publish (safe mode: compile, leak gate, one
# commit, push), `gardend status` with nothing changed, and a republish after a one-note edit
# (three times). Needs the vault from `python bench/generate_vault.py --notes N` (default 10000).
#
#   bash bench/cli_publish.sh [NOTES]
set -euo pipefail
NOTES="${1:-10000}"
HERE="$(cd "$(dirname "$0")" && pwd)"
SOURCE="$HERE/out/vault-$NOTES-1"
[ -d "$SOURCE" ] || { echo "no $SOURCE: run python bench/generate_vault.py --notes $NOTES first" >&2; exit 2; }
WORK="$(mktemp -d "${TMPDIR:-/tmp}/gardend-clipub.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
cp -r "$SOURCE" vault
git init -q --bare -b main remote.git
git init -q -b main garden
git -C garden config user.name bench
git -C garden config user.email bench@example.invalid
git -C garden remote add origin "$WORK/remote.git"

timed() {  # label, command...: prints "label N.NN s"
    local label="$1"; shift
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1
    end=$(date +%s.%N)
    awk -v l="$label" -v a="$start" -v b="$end" 'BEGIN { printf "%-34s %6.2f s\n", l, b - a }'
}

timed "first publish" gardend publish vault --repo garden --db index.sqlite -q
timed "status, nothing changed" gardend status vault --repo garden --db index.sqlite
note="$(grep -rl --include='*.md' '^dg-publish: true' vault | head -n 1 || true)"
[ -n "$note" ] || { echo "no published note to edit" >&2; exit 2; }
for i in 1 2 3; do
    echo "An edit, number $i." >> "$note"
    timed "republish after one edit ($i)" gardend publish vault --repo garden --db index.sqlite -q
done
