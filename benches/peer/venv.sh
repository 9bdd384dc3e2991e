# Sourced by the peer scripts: `peer_venv NAME VENV REQUIREMENTS` makes (or
# brings up to date) the virtual environment VENV with the packages of
# REQUIREMENTS, or says why it cannot and exits the calling script
# successfully: the Python peer is optional.

peer_venv() {
    local name="$1" venv="$2" requirements="$3"
    skip() {
        echo "$name: $1; skipped (the Python peer is optional)."
        exit 0
    }
    command -v python3 >/dev/null || skip "python3 is not installed"
    python3 -c 'import venv' 2>/dev/null || skip "python3 has no venv module (e.g. apt-get install python3-venv)"
    python3 -c 'import ensurepip' 2>/dev/null || skip "python3 cannot install pip in a venv (no ensurepip; e.g. apt-get install python3-venv)"
    if [[ ! -x "$venv/bin/python" ]]; then
        echo "creating $venv"
        python3 -m venv "$venv"
    fi
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
}
