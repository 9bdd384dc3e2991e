#!/usr/bin/env bash
# Measures the five benchmark workloads in LlamaIndex Workflows, then ours at
# the same sizes, and prints the ratios. Extra arguments go to llama_index.py
# (e.g. --reps 5 --size chain=4000).
#
# The peer is optional: without a Python 3 that has venv and pip, this script
# says what is missing and exits successfully.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
peer="$root/benches/peer"
venv="$root/target/peer/venv"
results="$root/target/peer/llama_index.json"

echo "compare.sh: LlamaIndex Workflows (Python, in target/peer/venv) against workflows,"
echo "            on the same five workloads at the same sizes."

# shellcheck source=benches/peer/venv.sh
source "$peer/venv.sh"
peer_venv compare.sh "$venv" "$peer/requirements.txt"

"$venv/bin/python" "$peer/llama_index.py" --json "$results" "$@"

echo
echo "ratio = LlamaIndex's cost / ours. LlamaIndex's fan_out size is kept small: its fan-out"
echo "is quadratic in the items (each tick copies every pending event; collect_events recounts)."
cd "$root"
cargo bench --bench workloads -- --peer "$results"
