#!/usr/bin/env bash
# Install what the tests need (Python packages; Debian's chromium and nginx for the browser tests)
# and run every test. Usage: bash scripts/test.sh [pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

python -m pip install --quiet --disable-pip-version-check -r requirements-test.txt

# Debian's chromium (the browser tests) and nginx (the replicas test: deploy/nginx.conf; without
# it that test is skipped).
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
if ! command -v chromium >/dev/null 2>&1; then
    echo "Installing Debian's chromium for the browser tests…"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
fi
if ! [ -x /usr/sbin/nginx ]; then
    echo "Installing Debian's nginx for the replicas test…"
    { $SUDO apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nginx >/dev/null; } ||
        echo "nginx could not be installed: the replicas test will be skipped"
fi

export HYPOTHESIS_PROFILE="${HYPOTHESIS_PROFILE:-ci}"
# Everything but the browser on every core, then the browser tests alone: their timings
# (a drag's pointer pauses, latency) must not compete with other tests for the CPU.
# (Exit status 5, no test selected, is fine: a run of one file may hold no browser test.)
python -m pytest -m "not browser" "$@" || [ $? -eq 5 ]
python -m pytest -m browser -n 0 "$@" || [ $? -eq 5 ]
