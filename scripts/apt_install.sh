#!/usr/bin/env bash
# Install Debian packages with apt, once, as the test command needs them: scripts/apt_install.sh "用途" PACKAGE…
set -euo pipefail
purpose=$1
shift
if ! command -v apt-get >/dev/null 2>&1; then
  echo "缺少 $*，且本机没有 apt-get：请手动安装（${purpose}）。" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
echo "正在安装${purpose}：$*（只需一次）…" >&2
$sudo apt-get update
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "$@"
