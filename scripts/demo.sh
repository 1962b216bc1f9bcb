#!/usr/bin/env bash
# `make demo`: install, create the database, load the demo programme and serve it on 127.0.0.1:5000.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

ensure_venv ""
ensure_assets
ensure_pdf_font
cd "$REPO_ROOT"
export FLASK_APP=tracker
say "flask db upgrade"
"$VENV/bin/flask" db upgrade
say "flask demo load"
"$VENV/bin/flask" demo load

HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-5000}"
say "Serving the demo at http://$HOST:$PORT/ (Ctrl+C to stop)"
exec "$VENV/bin/gunicorn" --workers 2 --bind "$HOST:$PORT" --access-logfile - wsgi:app
