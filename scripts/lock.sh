#!/usr/bin/env bash
# `make lock`: compile the hashed lock files from pyproject.toml, for CPython 3.11 on Linux x86_64,
# with uv (the version pinned in the test extra, installed into .venv if it is not there):
#   requirements/test.txt   the app, the "test" extra and the build backend   (make test, make check)
#   requirements/app.txt    the app and the build backend alone, at the same versions   (make demo)
# Pins already in the files are kept unless pyproject.toml now rules them out. To move on:
#   make lock LOCK_ARGS=--upgrade                    (everything to the newest version allowed)
#   make lock LOCK_ARGS="--upgrade-package flask"    (one package)
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

COMPILE=(pip compile --quiet --generate-hashes --no-strip-markers
         --python-version 3.11 --python-platform x86_64-unknown-linux-gnu
         --custom-compile-command "make lock")

# uv at the version the test extra pins: from the current lock (with its hashes) when it has that
# version, else from PyPI by name.
ensure_uv() {
    local pin lock block
    pin="$("$VENV/bin/python" - "$REPO_ROOT/pyproject.toml" <<'PY'
import sys, tomllib
test = tomllib.load(open(sys.argv[1], "rb"))["project"]["optional-dependencies"]["test"]
print(next(r for r in test if r.replace(" ", "").lower().startswith("uv==")).replace(" ", ""))
PY
)"
    [ "uv==$("$VENV/bin/uv" --version 2>/dev/null | cut -d' ' -f2)" = "$pin" ] && return 0
    say "pip install $pin"
    lock="$(lock_file test)"
    block="$(mktemp)"
    awk -v pin="$pin" '$1 == pin { on = 1 } on && /^[^ #]/ && $1 != pin { on = 0 } on && !/^ *#/' \
        "$lock" 2>/dev/null > "$block" || true
    if [ -s "$block" ]; then
        "$VENV/bin/python" -m pip install -q --disable-pip-version-check --require-hashes --no-deps -r "$block"
    else
        "$VENV/bin/python" -m pip install -q --disable-pip-version-check "$pin"
    fi
    rm -f "$block"
}

create_venv
ensure_uv
cd "$REPO_ROOT"
mkdir -p requirements
build_requires="$("$VENV/bin/python" -c \
    'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"]))')"

say "uv pip compile pyproject.toml --extra test -> requirements/test.txt"
# shellcheck disable=SC2086  # LOCK_ARGS is a list of options
printf '%s\n' "$build_requires" | "$VENV/bin/uv" "${COMPILE[@]}" pyproject.toml - --extra test \
    ${LOCK_ARGS:-} "$@" -o requirements/test.txt
say "uv pip compile pyproject.toml -> requirements/app.txt (constrained to requirements/test.txt)"
printf '%s\n' "$build_requires" | "$VENV/bin/uv" "${COMPILE[@]}" pyproject.toml - \
    --constraint requirements/test.txt -o requirements/app.txt

"$VENV/bin/python" scripts/check_lock.py
