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

skip() {
    echo "compare.sh: $1; skipped (the Python peer is optional)."
    exit 0
}

command -v python3 >/dev/null || skip "python3 is not installed"
python3 -c 'import venv' 2>/dev/null || skip "python3 has no venv module (e.g. apt-get install python3-venv)"
python3 -c 'import ensurepip' 2>/dev/null || skip "python3 cannot install pip in a venv (no ensurepip; e.g. apt-get install python3-venv)"

if [[ ! -x "$venv/bin/python" ]]; then
    echo "creating $venv"
    python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$peer/requirements.txt"

"$venv/bin/python" "$peer/llama_index.py" --json "$results" "$@"

echo
echo "ratio = LlamaIndex's cost / ours. LlamaIndex's fan_out size is kept small: its fan-out"
echo "is quadratic in the items (each tick copies every pending event; collect_events recounts)."
cd "$root"
cargo bench --bench workloads -- --peer "$results"
