#!/usr/bin/env bash
# Installs what test/e2e/vscode.e2e.test.ts drives: Debian's Chromium and a pinned code-server (VS Code
# in a browser) under .e2e/code-server/. Idempotent: a marker file with the version makes a second run
# return at once. Uses only Debian apt and the npm registry (code-server's own postinstall would
# download ripgrep from GitHub, so it is replayed by hand with Debian's rg). Run as root (apt-get).
#
# Why 4.100.3: the newest code-server whose engines.node is 20 (4.101+ need node 22, later ones 24).
# Playwright (playwright-core) is not installed here: it is a devDependency of the project.
set -euo pipefail
cd "$(dirname "$0")/.."

VER=${CODE_SERVER_VERSION:-4.100.3}
ROOT=$PWD/.e2e/code-server
MARKER=$ROOT/.installed
BIN=$ROOT/node_modules/code-server/out/node/entry.js

# --- 1. Debian packages (chromium for Playwright; libkrb5-dev for the kerberos addon; rg for search)
missing=()
for pkg in chromium libkrb5-dev ripgrep; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}"
fi

# --- 2. code-server, skipped when the marker names this version and the entry point is there
if [ -f "$MARKER" ] && [ "$(cat "$MARKER")" = "$VER" ] && [ -f "$BIN" ]; then
  echo "code-server $VER already installed in .e2e/code-server"
  exit 0
fi

echo "installing code-server $VER into .e2e/code-server (about a minute)"
rm -rf "$ROOT"
mkdir -p "$ROOT"
cd "$ROOT"
printf '{"name":"e2e-code-server","private":true}\n' > package.json
# Postinstall scripts are skipped: code-server's would fetch ripgrep from api.github.com.
npm install --no-audit --no-fund --ignore-scripts "code-server@$VER"
# argon2 has no prebuilt binary reachable here; build it from source.
npm rebuild argon2 --foreground-scripts
cd node_modules/code-server/lib/vscode
npm install --no-audit --no-fund --omit=dev --ignore-scripts
# Give @vscode/ripgrep Debian's rg, so its postinstall sees bin/ and does not download.
mkdir -p node_modules/@vscode/ripgrep/bin
ln -sf "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
# Native modules (node-pty, spdlog, kerberos, ...). node-pty's postinstall runs `npx node-gyp`,
# which asks for confirmation when npm's `yes` is false.
npm_config_yes=true npm rebuild --foreground-scripts
# The rest of code-server's postinstall.sh.
ln -sfn node_modules node_modules.asar
(cd bin/remote-cli && ln -sf code-linux.sh code-server)
(cd bin/helpers && ln -sf browser-linux.sh browser.sh)
(cd extensions && npm install --no-audit --no-fund --omit=dev)

# XDG_* point at a scratch folder: code-server writes a config.yaml (with a password) on every start.
scratch=$(mktemp -d)
XDG_CONFIG_HOME=$scratch XDG_DATA_HOME=$scratch "$ROOT/node_modules/.bin/code-server" --version
rm -rf "$scratch"
echo "$VER" > "$MARKER"
echo "code-server $VER installed: .e2e/code-server/node_modules/.bin/code-server"
