# Two commands for a fresh machine: `make run` (web chat) and `make test`; `make test-fast` while working.
.PHONY: run test test-fast setup browser servers

setup:
	@bash scripts/setup.sh

# The web tests drive Debian chromium; installed with apt only when /usr/bin/chromium is missing.
browser:
	@bash scripts/browser.sh

# The multi-replica tests start PostgreSQL and nginx (Debian packages), installed with apt only when missing.
servers:
	@bash scripts/servers.sh

run: setup
	.venv/bin/python app.py

test: setup browser servers
	.venv/bin/python -m pytest -q

# Everything that needs no session index, no browser and no server of its own (markers: tests/conftest.py).
test-fast: setup
	.venv/bin/python -m pytest -q -m "not slow and not index and not browser"
