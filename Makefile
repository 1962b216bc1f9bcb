# The two commands of the README, and the maintainers' ones. The work is in scripts/, so CI and people
# run the same steps.
.PHONY: demo test check lock

demo:
	bash scripts/demo.sh

test:
	bash scripts/test.sh

# The checks `make test` runs before pytest: lock, ruff check, ruff format --check, mypy.
check:
	bash scripts/check.sh

# Recompile requirements/*.txt from pyproject.toml (LOCK_ARGS=--upgrade to move every pin on).
lock:
	bash scripts/lock.sh
