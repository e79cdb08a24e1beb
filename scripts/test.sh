#!/usr/bin/env bash
# Install everything into a fresh virtual environment, lint (ruff), type-check (mypy) and run the whole test suite
# (in parallel workers).
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
# The venv's own pip installs these wheels as well as a newer one would (upgrading it costs a download); nothing
# is compiled to bytecode ahead of time: Python compiles the modules a run imports, not the thousands it never does.
"$venv/bin/python" -m pip install -q --disable-pip-version-check --no-compile -r requirements-dev.txt

set +e
"$venv/bin/python" -m ruff check .
lint=$?
# mypy (one core, tens of seconds from an empty cache) runs while pytest starts its workers; its report follows
# pytest's
types_log=$(mktemp)
"$venv/bin/python" -m mypy >"$types_log" 2>&1 &
types_pid=$!
# One pytest-xdist worker per core (at most 4; WAIFUC_UI_TEST_WORKERS overrides, 0 runs in this process); tests
# sharing an expensive fixture stay in one worker (--dist loadgroup, see tests/conftest.py).
cores=$(nproc 2>/dev/null || echo 2)
workers=${WAIFUC_UI_TEST_WORKERS:-$(( cores > 4 ? 4 : cores ))}
"$venv/bin/python" -m pytest -n "$workers" --dist loadgroup "$@"
rc=$?
wait "$types_pid"
types=$?
cat "$types_log"
rm -f "$types_log"
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
