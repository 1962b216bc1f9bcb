#!/usr/bin/env bash
# `make test`: install everything from the lock, run the checks (lock in step with pyproject.toml,
# ruff check, ruff format --check, mypy), then the whole test suite (unit and browser) on SQLite,
# and again on PostgreSQL when one answers at 127.0.0.1:5432. With CI=true PostgreSQL is
# installed and started if needed, and its absence is a failure, never a skip. A failed check fails
# the run, but pytest still runs so that every result is in the summary.
# Extra arguments go to pytest (e.g. `make test PYTEST_ARGS="-x -k overview"`).
source "$(dirname "${BASH_SOURCE[0]}")/check.sh"

PG_HOST=127.0.0.1
PG_PORT=5432
PG_DATABASE="${PG_DATABASE:-tracker_test}"
CI="${CI:-false}"

ensure_browser_tools() {
    local missing=()
    command -v chromium >/dev/null 2>&1 || missing+=(chromium)
    command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
    command -v wrk >/dev/null 2>&1 || missing+=(wrk)
    # The board pack's PDF embeds DejaVu Sans (tracker/pack/pdf.py; scripts/setup.sh ensure_pdf_font).
    [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
    if [ "${#missing[@]}" -gt 0 ]; then
        apt_install "${missing[@]}"
    fi
}

postgres_answers() {
    "$VENV/bin/python" - "$PG_HOST" "$PG_PORT" <<'PY'
import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2).close()
except OSError:
    sys.exit(1)
PY
}

# CI only: install PostgreSQL from Debian, start its cluster and let local TCP connections in.
start_postgres_for_ci() {
    command -v pg_ctlcluster >/dev/null 2>&1 || apt_install postgresql
    local version hba
    version="$(ls /etc/postgresql | sort -V | tail -n 1)"
    [ -n "$version" ] || die "PostgreSQL is installed but has no cluster in /etc/postgresql."
    hba="/etc/postgresql/$version/main/pg_hba.conf"
    # First matching line wins: trust loopback TCP for this throw-away CI database.
    if ! grep -q '^host all all 127.0.0.1/32 trust' "$hba"; then
        as_root sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
    fi
    say "Starting PostgreSQL $version"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main reload || true
    for _ in $(seq 1 30); do
        postgres_answers && return 0
        sleep 1
    done
    return 1
}

# Print the URL of a dedicated test database, creating it when the server lets us.
postgres_test_url() {
    "$VENV/bin/python" - "$PG_HOST" "$PG_PORT" "$PG_DATABASE" <<'PY'
import sys
import psycopg
from psycopg import sql

host, port, name = sys.argv[1], sys.argv[2], sys.argv[3]
chosen = "test"
try:
    with psycopg.connect(host=host, port=port, user="postgres", dbname="postgres", autocommit=True,
                         connect_timeout=5) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        chosen = name
except psycopg.Error as error:
    print(f"Could not create database {name} ({error}); using 'test'.", file=sys.stderr)
print(f"postgresql+psycopg://postgres@{host}:{port}/{chosen}")
PY
}

run_pytest() {
    local label="$1"
    shift
    say "pytest on $label"
    # Exit code 5 (no tests collected) is a failure like any other non-zero code. A run that hangs
    # (a browser wait without a timeout) is stopped, and fails, rather than holding CI for ever.
    (cd "$REPO_ROOT" && env "$@" timeout --kill-after=60 "${TEST_TIMEOUT_SECONDS:-3600}" \
        "$VENV/bin/python" -m pytest ${PYTEST_ARGS:-})
}

ensure_venv test
ensure_assets
ensure_browser_tools

static_checks

if run_pytest SQLite -u TEST_DATABASE_URL; then
    results+=("SQLite: passed")
else
    results+=("SQLite: FAILED")
    status=1
fi

if ! postgres_answers; then
    if [ "$CI" = true ] || [ "$CI" = 1 ]; then
        start_postgres_for_ci || die "PostgreSQL does not answer at $PG_HOST:$PG_PORT, even after starting it (CI never skips PostgreSQL)."
    else
        say "No PostgreSQL at $PG_HOST:$PG_PORT: skipping the PostgreSQL run (CI=true installs and starts one)."
        results+=("PostgreSQL: skipped (no server at $PG_HOST:$PG_PORT)")
    fi
fi

if postgres_answers; then
    url="${TEST_DATABASE_URL:-$(postgres_test_url)}"
    if run_pytest "PostgreSQL ($url)" TEST_DATABASE_URL="$url"; then
        results+=("PostgreSQL: passed")
    else
        results+=("PostgreSQL: FAILED")
        status=1
    fi
fi

say "Summary"
printf '  %s\n' "${results[@]}"
exit "$status"
