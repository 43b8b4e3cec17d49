# Two commands for a fresh machine: `make run` (web chat) and `make test`.
.PHONY: run test setup browser

setup:
	@bash scripts/setup.sh

# The web tests drive Debian chromium; installed with apt only when /usr/bin/chromium is missing.
browser:
	@bash scripts/browser.sh

run: setup
	.venv/bin/python app.py

test: setup browser
	.venv/bin/python -m pytest -q
