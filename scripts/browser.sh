#!/usr/bin/env bash
# Browser for the web tests: Debian chromium + CJK fonts, installed with apt only when /usr/bin/chromium is missing.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "缺少 /usr/bin/chromium，且本机没有 apt-get：请手动安装 chromium 与中文字体（fonts-noto-cjk）。" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
echo "正在安装网页测试用的浏览器 chromium 与中文字体（只需一次）…" >&2
$sudo apt-get update
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends chromium chromium-driver fonts-noto-cjk
