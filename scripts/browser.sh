#!/usr/bin/env bash
# Browser for the web tests: Debian chromium + CJK fonts, installed with apt only when /usr/bin/chromium is missing.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
bash "$(dirname "$0")/apt_install.sh" "网页测试用的浏览器与中文字体" chromium chromium-driver fonts-noto-cjk
