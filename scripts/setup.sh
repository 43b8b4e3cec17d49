#!/usr/bin/env bash
# Create or update the virtualenv at .venv/ (torch CPU wheel first), only when pyproject.toml changed.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [ -f "$stamp" ]; then
  exit 0
fi
echo "正在准备运行环境 .venv/（首次约需几分钟）…" >&2
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check torch==2.13.0
.venv/bin/pip install -q --disable-pip-version-check -e '.[test]'
rm -f .venv/.installed-*
touch "$stamp"
