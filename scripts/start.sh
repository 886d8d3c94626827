#!/bin/sh
# Starts Atrium as production runs it: `npm start`, the container image and the bench all start it here.
# V8's old generation is capped at ATRIUM_MAX_HEAP_MB megabytes (default 192; 0 leaves V8's own limit,
# about 2 GB here). Without a cap V8 collects lazily and the process grows to 300-350 MB under load
# although its live data is far smaller; with it the RSS stays near 210 MB (bench/README.md, "Memory").
# The org-sized documents (the closure export, the audit export) are read and written batch by batch,
# so the heap holds one batch of rows, not the organization.
set -eu
heap="${ATRIUM_MAX_HEAP_MB:-192}"
case "$heap" in
  '' | *[!0-9]*)
    echo "ATRIUM_MAX_HEAP_MB must be a whole number of megabytes (0 for no cap); it is '$heap'" >&2
    exit 64
    ;;
esac
cd "$(dirname "$0")/.."
if [ "$heap" -eq 0 ]; then exec node dist/src/main.js "$@"; fi
exec node --max-old-space-size="$heap" dist/src/main.js "$@"
