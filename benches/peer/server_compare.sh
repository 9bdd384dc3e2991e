#!/usr/bin/env bash
# Loads LlamaIndex's own workflow server (benches/peer/server_peer.py, in
# target/peer/server-venv) with the `server` benchmark's generator, taking
# turns with ours and the hand-written server, on the same workflows and the
# same loads, and prints the ratios. Extra arguments go to the benchmark
# (e.g. --reps 3 --quick, or `run hitl` for some loads only).
#
# The peer is optional: without a Python 3 that has venv and pip, this script
# says what is missing and exits successfully.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
peer="$root/benches/peer"
venv="$root/target/peer/server-venv"

echo "server_compare.sh: LlamaIndex's workflow server (Python, in target/peer/server-venv)"
echo "                   against ours and a hand-written server, on the same loads."

# shellcheck source=benches/peer/venv.sh
source "$peer/venv.sh"
peer_venv server_compare.sh "$venv" "$peer/requirements-server.txt"

# Built first, so that the peer does not wait on the compiler.
cd "$root"
cargo bench --bench server --no-run

# A free port: the peer takes port 0 and says which it got.
log="$(mktemp)"
"$venv/bin/python" "$peer/server_peer.py" --port 0 >"$log" 2>&1 &
pid=$!
stop() {
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    rm -f "$log"
}
trap stop EXIT

url=""
for _ in $(seq 1 300); do
    url="$(sed -n 's/^listening on \(http:[^ ]*\)$/\1/p' "$log")"
    [[ -n "$url" ]] && break
    kill -0 "$pid" 2>/dev/null || { cat "$log"; echo "server_compare.sh: the peer stopped before it listened"; exit 1; }
    sleep 0.1
done
[[ -n "$url" ]] || { cat "$log"; echo "server_compare.sh: the peer did not listen within 30 s"; exit 1; }
echo "peer: $url (pid $pid)"

cargo bench --bench server -- --peer "$url" "$@"
