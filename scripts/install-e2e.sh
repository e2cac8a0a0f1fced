#!/usr/bin/env bash
# Installs what the end-to-end tests drive: Debian's Chromium and a pinned code-server (VS Code),
# Neovim and Emacs with eglot. CI and developers run the same steps. Needs root for apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."
for step in scripts/install-editors.sh scripts/install-code-server.sh; do
  if [ -f "$step" ]; then
    echo "== $step"
    bash "$step"
  fi
done
