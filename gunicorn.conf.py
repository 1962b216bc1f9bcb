"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py wsgi:app`.

Every value can be changed through the environment without editing this file (WEB_CONCURRENCY,
PORT, BIND, GUNICORN_TIMEOUT). The app writes one JSON line per request itself
(tracker/core/request_log.py), so gunicorn's own access log is off; its error log goes to stderr.
"""

import multiprocessing
import os

# Sync workers: each request is short and database-bound. Two per core plus one keeps a core busy
# while another worker waits on the database, without the memory of many more (about 60 MiB each).
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
bind = os.environ.get("BIND") or f"0.0.0.0:{os.environ.get('PORT', '8000')}"
# The largest board pack renders in seconds; a request still running after this is stuck.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so that a slow leak cannot grow without bound.
max_requests = 2000
max_requests_jitter = 200
accesslog = None
errorlog = "-"
# Behind a reverse proxy the app trusts X-Forwarded-* through PROXY_HOPS (tracker/core/proxy.py);
# gunicorn itself needs to accept the proxy's address for them.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
