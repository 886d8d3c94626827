#!/usr/bin/env bash
# Documentation checks, run by CI after `npm test`:
#   1. Spectral (OpenAPI ruleset + .spectral.yaml) over docs/openapi.json: zero errors;
#   2. docs/ is what `npm run docs:export` writes from the current sources;
#   3. against a live server (embedded PostgreSQL, seeded with the demo organization):
#      the served documents equal docs/, newman runs the served Postman collection top to bottom with
#      only baseUrl set (it signs up an organization of its own), and headless Chromium runs
#      "Try it out" in the explorer (screenshot: ci-results/docs-explorer.png);
#   4. the server stops cleanly on SIGTERM.
# Every step runs even when an earlier one failed; the script exits 1 if any failed.
# Needs Debian's chromium (apt-get install -y chromium) or CHROMIUM_PATH.
# DOCS_CHECK_BUILT=1 serves the dist/ already built (CI builds once) instead of running `npm run build`.
set -uo pipefail
cd "$(dirname "$0")/.."

PORT=${DOCS_CHECK_PORT:-3927}
PG_PORT=${DOCS_CHECK_PG_PORT:-54393}
DATA_DIR=${DOCS_CHECK_DATA_DIR:-.data/ci-docs}
BASE_URL="http://127.0.0.1:$PORT"
RESULTS=ci-results
TS="node -r @swc-node/register"
failures=()
server=""

log() { printf '\n== %s\n' "$*"; }
step() {
  local name=$1
  shift
  log "$name"
  if "$@"; then echo "ok: $name"; else echo "FAILED: $name" >&2; failures+=("$name"); fi
}

stop_server() {
  [ -n "$server" ] && kill -0 "$server" 2>/dev/null || return 0
  kill -TERM "$server"
  local code=0
  wait "$server" || code=$?
  server=""
  return "$code"
}
trap 'stop_server >/dev/null 2>&1 || true' EXIT

mkdir -p "$RESULTS"

step "Spectral: zero errors in docs/openapi.json" node_modules/.bin/spectral lint docs/openapi.json --ruleset .spectral.yaml --fail-severity error
step "docs/ matches the sources (npm run docs:export)" $TS scripts/docs-export.ts --check

start_server() {
  if [ "${DOCS_CHECK_BUILT:-}" != 1 ]; then
    npm run build >"$RESULTS/docs-build.log" 2>&1 || { tail -n 30 "$RESULTS/docs-build.log" >&2; return 1; }
  fi
  rm -rf "$DATA_DIR" "$DATA_DIR.password" "$DATA_DIR-demo.json"
  env -u DATABASE_URL -u REDIS_URL PORT="$PORT" EMBEDDED_PG_PORT="$PG_PORT" EMBEDDED_PG_DIR="$DATA_DIR" \
    node dist/src/main.js >"$RESULTS/docs-server.log" 2>&1 &
  server=$!
  local status=000
  for _ in $(seq 1 120); do
    status=$(curl -s -o /dev/null -w '%{http_code}' "$BASE_URL/health/ready" || true)
    [ "$status" = 200 ] && [ -s "$DATA_DIR-demo.json" ] && return 0
    kill -0 "$server" 2>/dev/null || break
    sleep 1
  done
  echo "the server never became ready (last status $status)" >&2
  tail -n 40 "$RESULTS/docs-server.log" >&2
  stop_server >/dev/null 2>&1 || true
  return 1
}

# docs/ names the default origin; this server names its own (port $PORT), so it is compared with
# the same export for its origin (the step above checked docs/ itself).
served_equals_export() {
  local file ok=0
  $TS scripts/docs-export.ts --origin="$BASE_URL" --out="$RESULTS/expected" >/dev/null || return 1
  for file in openapi.json openapi.yaml postman.json; do
    curl -fsS "$BASE_URL/docs/$file" -o "$RESULTS/served-$file" || { ok=1; continue; }
    if cmp -s "$RESULTS/served-$file" "$RESULTS/expected/$file"; then echo "/docs/$file equals the export for $BASE_URL"; else echo "/docs/$file differs from the export for $BASE_URL" >&2; ok=1; fi
  done
  return "$ok"
}

# Exits non-zero on any failed request, test script or assertion.
newman_runs() {
  node_modules/.bin/newman run "$BASE_URL/docs/postman.json" --env-var "baseUrl=$BASE_URL" --color off \
    --reporters cli,junit --reporter-junit-export "$RESULTS/newman.xml"
}

explorer() {
  local key
  key=$(node -p "require('./$DATA_DIR-demo.json').apiKey") || return 1
  $TS scripts/docs-explorer-check.ts "$BASE_URL" "$key" "$RESULTS/docs-explorer.png"
}

stop_cleanly() {
  stop_server || { echo "the server did not exit 0 after SIGTERM" >&2; tail -n 20 "$RESULTS/docs-server.log" >&2; return 1; }
}

step "Start the server (embedded PostgreSQL, demo data)" start_server
if [ -n "$server" ]; then
  step "The server serves exactly docs/" served_equals_export
  step "newman: the served Postman collection, top to bottom, with only baseUrl set" newman_runs
  step "Chromium: the explorer runs \"Try it out\"" explorer
  step "The server stops cleanly on SIGTERM" stop_cleanly
fi

log "Documentation checks"
if [ ${#failures[@]} -gt 0 ]; then
  printf 'FAILED: %s\n' "${failures[@]}" >&2
  exit 1
fi
echo "all documentation checks passed"
