#!/usr/bin/env bash
# Installs the terminal editors that test/e2e/neovim.e2e.test.ts and emacs.e2e.test.ts drive:
# Neovim and Emacs with eglot, from plain Debian 12 packages (no backports) so CI always gets the
# same versions: Neovim 0.7.2, Emacs 28.2 + elpa-eglot 1.9. Idempotent: packages already
# installed are skipped, and nothing runs apt when all are there. Run as root (apt-get).
#
# An Emacs from elsewhere (e.g. Emacs 30 from bookworm-backports, with eglot built in) is kept:
# elpa-eglot is only asked for when Emacs has no eglot of its own.
set -euo pipefail

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

missing=()
installed neovim || missing+=(neovim)
if ! command -v emacs >/dev/null 2>&1; then
  missing+=(emacs-nox elpa-eglot)
elif ! emacs --batch --eval '(kill-emacs (if (locate-library "eglot") 0 1))' >/dev/null 2>&1; then
  missing+=(elpa-eglot)
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "editors already installed: $(nvim --version | head -n1), $(emacs --version | head -n1)"
  exit 0
fi

echo "apt-get install ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "installed: $(nvim --version | head -n1), $(emacs --version | head -n1)"
