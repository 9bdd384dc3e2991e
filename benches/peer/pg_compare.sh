#!/usr/bin/env bash
# Durable two-step runs per second on the same PostgreSQL (DATABASE_URL):
# ours (`cargo bench --bench pg_workers -- two-step`, TwoSteps of
# benches/pg/flows.rs) against LlamaIndex Workflows on DBOS
# (benches/peer/dbos_peer.py, `llama-agents-dbos`, in target/peer/dbos-venv),
# the same workflow, the same number of runs in flight. The two take turns,
# REPS times (3 by default); each prints its median and the ratio of the
# medians follows. Each side makes its schemas and drops them after.
#
#   benches/peer/pg_compare.sh [REPS] [CONCURRENCY] [OUR_RUNS] [PEER_RUNS]
#
# The peer is optional: without a Python 3 that has venv and pip, this script
# says what is missing and exits successfully.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
peer="$root/benches/peer"
venv="$root/target/peer/dbos-venv"
reps="${1:-3}" concurrency="${2:-32}" ours_runs="${3:-2000}" peer_runs="${4:-200}"
export DATABASE_URL="${DATABASE_URL:-postgres://workflows:workflows@127.0.0.1:5432/workflows}"

echo "pg_compare.sh: durable two-step runs/s on $(sed 's/:[^:@/]*@/:***@/' <<<"$DATABASE_URL"),"
echo "               ours against LlamaIndex on DBOS (target/peer/dbos-venv), $concurrency at once, $reps turns."

# shellcheck source=benches/peer/venv.sh
source "$peer/venv.sh"
peer_venv pg_compare.sh "$venv" "$peer/requirements-dbos.txt"

# Built first, so that the peer does not wait on the compiler.
cd "$root"
cargo bench --bench pg_workers --no-run

rate() { sed -n 's/^two-step: \([0-9.]*\) runs\/s.*/\1/p'; }
ours=() theirs=()
for rep in $(seq 1 "$reps"); do
    line="$(cargo bench --bench pg_workers -- two-step --reps 1 --runs "$ours_runs" --concurrency "$concurrency" 2>/dev/null | grep '^two-step:')"
    echo "turn $rep, ours: $line"
    ours+=("$(rate <<<"$line")")
    line="$("$venv/bin/python" "$peer/dbos_peer.py" --reps 1 --runs "$peer_runs" --concurrency "$concurrency" | grep '^two-step:')"
    echo "turn $rep, dbos: $line"
    theirs+=("$(rate <<<"$line")")
done

python3 - "${ours[*]}" "${theirs[*]}" <<'PY'
import statistics, sys
ours = statistics.median(map(float, sys.argv[1].split()))
theirs = statistics.median(map(float, sys.argv[2].split()))
print()
print("| durable two-step runs on Postgres | runs/s (median) | ours / it | target |")
print("|---|---:|---:|---:|")
print(f"| ours (PostgresStore) | {ours:.1f} | | |")
print(f"| LlamaIndex on DBOS (llama-agents-dbos) | {theirs:.1f} | {ours / theirs:.1f}x | >= 20x |")
PY
