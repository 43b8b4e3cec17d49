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
if ! command -v apt-get >/dev/null 2>&1; then
  echo "缺少 ${missing[*]}，且本机没有 apt-get：请手动安装（多机部署测试要用）。" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
echo "正在安装多机部署测试用的服务器 ${missing[*]}（只需一次）…" >&2
$sudo apt-get update
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
