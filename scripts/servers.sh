#!/usr/bin/env bash
# Servers for the multi-replica tests (tests/test_deploy.py): Debian postgresql and nginx, installed with apt only
# when missing (like scripts/browser.sh installs chromium).
set -euo pipefail
missing=()
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  missing+=(postgresql)
fi
if [ ! -x /usr/sbin/nginx ] && ! command -v nginx >/dev/null 2>&1; then
  missing+=(nginx)
fi
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
bash "$(dirname "$0")/apt_install.sh" "多机部署测试用的服务器" "${missing[@]}"
