#!/usr/bin/env bash
# The whole test suite: once on SQLite, once on a real PostgreSQL server.
# Extra arguments go to pytest (e.g. -k closed_loop, --run-slow).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-system-deps.sh

export JICENG_DATA_DIR=${JICENG_DATA_DIR:-$PWD/var/test}
mkdir -p "$JICENG_DATA_DIR"
PYTEST=(.venv/bin/python -m pytest -p no:cacheprovider -n 2 "$@")

echo "== import contracts (layering, no cycles) =="
.venv/bin/lint-imports --no-cache

echo "== tests on SQLite =="
env -u DATABASE_URL "${PYTEST[@]}"

echo "== tests on PostgreSQL =="
pgdir=$(mktemp -d /tmp/jiceng-pg.XXXXXX)
trap 'scripts/pg-test-server.sh stop "$pgdir"; rm -rf "$pgdir"' EXIT
eval "$(scripts/pg-test-server.sh start "$pgdir")"
"${PYTEST[@]}"
