#!/usr/bin/env bash
# `make check`: the checks that `make test` runs before pytest, on their own: the lock is in step with
# pyproject.toml (scripts/check_lock.py), `ruff check`, `ruff format --check`, `mypy` and pip-audit
# (scripts/audit_dependencies.sh). Each must be clean. scripts/test.sh sources this file for check_step and static_checks.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

results=()
status=0

# Run one check from the repository root and add its result to the summary.
check_step() {
    local label="$1"
    shift
    say "$label"
    if (cd "$REPO_ROOT" && "$@"); then
        results+=("$label: passed")
    else
        results+=("$label: FAILED")
        status=1
    fi
}

static_checks() {
    check_step "Lock in step with pyproject.toml" "$VENV/bin/python" scripts/check_lock.py
    check_step "ruff check" "$VENV/bin/ruff" check .
    check_step "ruff format --check" "$VENV/bin/ruff" format --check .
    check_step "mypy" "$VENV/bin/mypy"
    check_step "pip-audit (known vulnerabilities)" env VENV="$VENV" bash scripts/audit_dependencies.sh
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    ensure_venv test
    static_checks
    say "Summary"
    printf '  %s\n' "${results[@]}"
    exit "$status"
fi
