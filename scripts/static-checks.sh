#!/bin/sh
# `npm test`'s first step: lint (ESLint, dependency-cruiser) and the type check side by side, since
# each keeps about one core busy. Both run to the end, so one run shows every finding; either
# failing fails the step.
npm run --silent lint &
lint=$!
npm run --silent typecheck
typecheck=$?
wait "$lint"
lint_status=$?
[ "$lint_status" -eq 0 ] && [ "$typecheck" -eq 0 ]
