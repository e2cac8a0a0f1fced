#!/usr/bin/env bash
# Builds async-pitfalls.vsix (production bundles, the grammar, rule pages and concept notes).
# The marketplace README (docs/marketplace.md) shows screenshots from docs/images; the marketplace
# loads them from where the repository's docs/ folder is published: set DOCS_BASE_URL to that
# address before publishing (the default is the project's GitHub location).
set -euo pipefail
cd "$(dirname "$0")/.."
base=${DOCS_BASE_URL:-https://raw.githubusercontent.com/async-pitfalls/async-pitfalls/main/docs}
npx vsce package --no-dependencies --allow-missing-repository \
  --readme-path docs/marketplace.md --baseImagesUrl "$base" --baseContentUrl "$base" \
  --out "${1:-async-pitfalls.vsix}"
