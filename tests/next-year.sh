#!/usr/bin/env bash
# The vitest suites with the clock moved (a year ahead unless SHIFT says otherwise), for
# the test run and the services it starts: tests must hold on any date.
#   npm run test:next-year [-- vitest args]      SHIFT=+400d npm run test:next-year
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v faketime >/dev/null; then
  echo "This needs Debian's faketime: apt-get install -y faketime" >&2
  exit 1
fi
export FAKETIME_DONT_FAKE_MONOTONIC=1
# DynamoDB Local's JVM takes about 50 s to boot under the faked clock and reads no
# clock that a test depends on (it never expires TTL items): it keeps the real one.
# Chromium drops the preload itself (tests/e2e/browser.ts).
export FAKETIME_SKIP_CMDS=java
echo "Clock moved ${SHIFT:-+365d}: $(faketime -f "${SHIFT:-+365d}" date -u +%FT%TZ)"
# The project's Node 24 and vitest from node_modules/.bin, as npm scripts find them.
export PATH="$PWD/node_modules/.bin:$PATH"
exec faketime -m -f "${SHIFT:-+365d}" vitest run "$@"
