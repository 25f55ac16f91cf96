#!/usr/bin/env bash
# The Debian packages the test suite needs, installed with apt-get when run as root; otherwise the exact
# command to run, and a failing exit, so `make test` never goes on to skip the browser or PostgreSQL suites.
#
# Used by `make test` and `.ci/run`. `CAJA_TEST_SKIP=browser,postgres` (either or both) says on purpose that
# those suites are not wanted: their packages are then not required (tests/conftest.py skips them by name).
# Also installs what the HTTPS tests (caddy, libnss3-tools for certutil) and the loaded fault runs (stress-ng) use.
set -euo pipefail

skip=",${CAJA_TEST_SKIP:-},"
need=()
command -v node >/dev/null 2>&1 || need+=(nodejs npm)
python3 -c "import ensurepip, venv" >/dev/null 2>&1 || need+=(python3-venv)  # Debian splits venv out
if [[ $skip != *,browser,* ]]; then
  [ -x /usr/bin/chromium ] || need+=(chromium)
  command -v caddy >/dev/null 2>&1 || need+=(caddy)
  command -v certutil >/dev/null 2>&1 || need+=(libnss3-tools)
  command -v stress-ng >/dev/null 2>&1 || need+=(stress-ng)
fi
if [[ $skip != *,postgres,* ]]; then
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || need+=(postgresql)
fi
# weasyprint (satcfdi's CFDI PDF, server side) loads pango through cffi when it is imported.
ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || need+=(libpango-1.0-0 libpangoft2-1.0-0)
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}"
  exit 0
fi
cat >&2 <<MSG
The test suite needs Debian packages that are not installed: ${need[*]}
Install them, then run make test again:

    sudo apt-get install -y ${need[*]}

(or, to leave those suites out on purpose: CAJA_TEST_SKIP=browser,postgres make test)
MSG
exit 1
