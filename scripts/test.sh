#!/usr/bin/env bash
# Install everything into a fresh virtual environment, lint (ruff), type-check (mypy) and run the whole test suite.
# Browser tests use Debian's chromium; it is installed with apt-get when missing (needs root).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
    if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
        apt-get update -q
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
    else
        echo "Chromium is missing: run 'sudo apt-get install chromium' (browser tests need it)." >&2
        exit 1
    fi
fi

venv=${WAIFUC_UI_TEST_VENV:-.venv-test}
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip
"$venv/bin/python" -m pip install -q -r requirements-dev.txt

set +e
"$venv/bin/python" -m ruff check .
lint=$?
"$venv/bin/python" -m mypy
types=$?
"$venv/bin/python" -m pytest "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
    echo "pytest collected no tests: treating that as a failure" >&2
    exit 1
fi
if [ "$lint" -ne 0 ] || [ "$types" -ne 0 ]; then
    echo "ruff (exit $lint) or mypy (exit $types) found problems: see above" >&2
    [ "$rc" -ne 0 ] || rc=1
fi
exit "$rc"
