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

# apt-get that waits for another package manager (unattended-upgrades, a second `make test`) instead of
# failing. DPkg::Lock::Timeout makes apt wait for dpkg's locks; apt does not wait for the package-list
# lock (`apt-get update`) or the archive lock, so a run refused one of those is tried again until the
# same time limit. Messages are read in the C locale.
APT_LOCK_TIMEOUT="${APT_LOCK_TIMEOUT:-600}"
apt_get() {
    local deadline log rc waited=0
    deadline=$(( $(date +%s) + APT_LOCK_TIMEOUT ))
    log="$(mktemp)"
    while :; do
        rc=0
        as_root env DEBIAN_FRONTEND=noninteractive LC_ALL=C \
            apt-get -o DPkg::Lock::Timeout="$APT_LOCK_TIMEOUT" "$@" 2>&1 | tee "$log" || rc=$?
        if [ "$rc" != 0 ] && grep -q 'Could not get lock' "$log" && [ "$(date +%s)" -lt "$deadline" ]; then
            [ "$waited" = 1 ] || say "Another package manager holds apt's lock: waiting (at most ${APT_LOCK_TIMEOUT}s)"
            waited=1
            sleep 5
            continue
        fi
        rm -f "$log"
        return "$rc"
    done
}

APT_UPDATED=0
apt_install() {
    command -v apt-get >/dev/null 2>&1 || die "Missing Debian packages ($*) and no apt-get: install them by hand."
    if [ "$APT_UPDATED" = 0 ]; then
        say "apt-get update"
        apt_get update -q
        APT_UPDATED=1
    fi
    say "apt-get install $*"
    apt_get install -y -q --no-install-recommends "$@"
}

ensure_python() {
    command -v "$PYTHON" >/dev/null 2>&1 || die "$PYTHON not found: Python 3.11 or later is needed."
    "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
        || die "$PYTHON is $("$PYTHON" -V 2>&1); Python 3.11 or later is needed (set PYTHON=...)."
}

create_venv() {
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
}

# The hashed lock files made by `make lock` (scripts/lock.sh) from pyproject.toml: requirements/app.txt
# for the app alone, requirements/test.txt for the app and the "test" extra.
lock_file() { echo "$REPO_ROOT/requirements/${1:-app}.txt"; }

# Create .venv and install exactly what the lock pins (every file checked against its hash), then the
# project itself in place; $1 is the pip extra ("test") or empty for the app alone. Done again when
# the lock file or pyproject.toml changes.
ensure_venv() {
    local extra="${1:-}" lock stamp wanted
    create_venv
    lock="$(lock_file "$extra")"
    [ -f "$lock" ] || die "No lock file ${lock#"$REPO_ROOT"/}: run 'make lock'."
    stamp="$VENV/.tracker-installed${extra:+-$extra}"
    wanted="$(cat "$lock" "$REPO_ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1)"
    if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
        say "pip install --require-hashes -r ${lock#"$REPO_ROOT"/}"
        "$VENV/bin/python" -m pip install -q --disable-pip-version-check --require-hashes -r "$lock"
        # The build backend (setuptools) came from the lock too, so nothing unpinned is fetched here.
        say "pip install --no-deps -e ."
        (cd "$REPO_ROOT" && "$VENV/bin/python" -m pip install -q --disable-pip-version-check \
            --no-deps --no-build-isolation -e .)
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

# The board pack's PDF embeds DejaVu Sans (tracker/pack/pdf.py): `make demo` and `make test` both need it.
ensure_pdf_font() {
    [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || apt_install fonts-dejavu-core
}
