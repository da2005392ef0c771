#!/usr/bin/env bash
# Make sure the tests can start a throwaway PostgreSQL server (tests/postgres.py): find
# initdb and pg_ctl, or install them from Debian's packages when running as root.
# Never fails the build: without PostgreSQL its tests are skipped and pytest says why.
set -uo pipefail

find_initdb() {
    command -v initdb 2>/dev/null && return 0
    ls -1 /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 | grep .
}

if initdb=$(find_initdb); then
    echo "PostgreSQL for the tests: $("$initdb" --version) ($initdb)"
    exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "PostgreSQL is not installed and cannot be installed here (needs root and apt-get):"
    echo "  its tests will be skipped. To run them: sudo apt-get install postgresql"
    exit 0
fi
echo "PostgreSQL is not installed: installing it from Debian's packages for the tests"
echo "  (apt-get update && apt-get install -y postgresql; about a minute)..."
export DEBIAN_FRONTEND=noninteractive
if apt-get update -qq && apt-get install -y -qq postgresql >/dev/null; then
    initdb=$(find_initdb) && echo "PostgreSQL installed: $("$initdb" --version)"
else
    echo "Installing PostgreSQL failed (see above): its tests will be skipped."
fi
exit 0
