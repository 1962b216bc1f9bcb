#!/usr/bin/env bash
# Known vulnerabilities in the app's locked dependencies, from PyPI's advisory data, through pip-audit.
# pip-audit asks https://pypi.org/pypi/<name>/<version>/json for each pin. Where that cannot be
# reached (a registry mirror without PyPI's JSON API, no network), the check says so and passes:
# the audit is then the deployer's to run (README, "Checks and the lock"). Where it can be reached,
# any known vulnerability, or any pin it could not audit (--strict), fails.
set -euo pipefail
VENV="${VENV:-.venv}"
if ! "$VENV/bin/python" - <<'PY'
import sys
import urllib.request

try:
    # The same kind of address pip-audit asks for each pin (a name and its version).
    urllib.request.urlopen("https://pypi.org/pypi/flask/3.1.3/json", timeout=5).close()
except Exception as error:  # DNS, TLS, 404 from a mirror: all mean "no advisory data here"
    print(f"pip-audit not run: PyPI's advisory data cannot be reached from this machine ({error}).")
    sys.exit(1)
PY
then
    exit 0
fi
exec "$VENV/bin/pip-audit" --requirement requirements/app.txt --require-hashes --disable-pip --strict \
    --progress-spinner off
