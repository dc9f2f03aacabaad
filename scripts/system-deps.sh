#!/usr/bin/env bash
# Debian packages the test suite uses beyond Python: a PostgreSQL server (the store's tests)
# and Chromium (the dashboard's tests). Installs what is missing; needs root or sudo. Without
# either, it says so and the tests that need a missing program are skipped (CI makes them
# mandatory with VISITRACK_REQUIRE_PG=1 and VISITRACK_REQUIRE_BROWSER=1).
set -euo pipefail

want=()
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || want+=(postgresql)
[ -x /usr/bin/chromium ] || want+=(chromium)
[ ${#want[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo)
else
  echo "system-deps: cannot install ${want[*]} (not root, no sudo); their tests will be skipped"
  exit 0
fi
echo "system-deps: installing ${want[*]}"
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq "${want[@]}" >/dev/null
