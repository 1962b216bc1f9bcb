# Shared set-up steps for `make demo` and `make test`; sourced by scripts/demo.sh and scripts/test.sh.
# Each step is skipped when its result is already up to date, so running again is quick.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$REPO_ROOT/.venv"
PYTHON="${PYTHON:-python3}"

say() { printf '\n==> %s\n' "$*"; }
die() { printf '\nERROR: %s\n' "$*" >&2; exit 1; }

# Run a command as root: directly when we are root, else through sudo when it exists.
as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo "$@"
    else die "'$*' needs root (or sudo); install it by hand and run again."
    fi
}

APT_UPDATED=0
apt_install() {
    command -v apt-get >/dev/null 2>&1 || die "Missing Debian packages ($*) and no apt-get: install them by hand."
    if [ "$APT_UPDATED" = 0 ]; then
        say "apt-get update"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
        APT_UPDATED=1
    fi
    say "apt-get install $*"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
}

ensure_python() {
    command -v "$PYTHON" >/dev/null 2>&1 || die "$PYTHON not found: Python 3.11 or later is needed."
    "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
        || die "$PYTHON is $("$PYTHON" -V 2>&1); Python 3.11 or later is needed (set PYTHON=...)."
}

# Create .venv and install the project; $1 is the pip extra ("test") or empty for the app alone.
ensure_venv() {
    local extra="${1:-}" target stamp wanted
    ensure_python
    if [ ! -x "$VENV/bin/python" ]; then
        say "Creating $VENV"
        if ! "$PYTHON" -m venv "$VENV" 2>/dev/null; then
            # Debian splits venv/ensurepip into python3-venv.
            rm -rf "$VENV"
            apt_install python3-venv
            "$PYTHON" -m venv "$VENV"
        fi
    fi
    target="."
    [ -n "$extra" ] && target=".[$extra]"
    stamp="$VENV/.tracker-installed${extra:+-$extra}"
    wanted="$(sha256sum "$REPO_ROOT/pyproject.toml" | cut -d' ' -f1)"
    if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
        say "pip install -e '$target'"
        (cd "$REPO_ROOT" && "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e "$target")
        echo "$wanted" > "$stamp"
    fi
}

# Install the pinned front-end packages and compile the council-branded GOV.UK Frontend assets.
ensure_assets() {
    if ! command -v npm >/dev/null 2>&1; then
        apt_install nodejs npm
    fi
    cd "$REPO_ROOT"
    if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
        say "npm ci"
        npm ci --no-audit --no-fund --loglevel=error
    fi
    say "npm run build"
    npm run --silent build
}
