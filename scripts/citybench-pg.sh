#!/bin/sh
# The city-scale benchmark on PostgreSQL: run it inside scripts/testpg.sh, which starts a
# throwaway cluster and sets MOTCUA_TEST_PG; each run gets a fresh database "citybench".
#   MOTCUA_TESTPG_FSYNC=on scripts/testpg.sh scripts/citybench-pg.sh
# SIZES, SCENARIOS, OUT… as for scripts/citybench.sh.
set -eu
: "${MOTCUA_TEST_PG:?run this inside scripts/testpg.sh (or set MOTCUA_TEST_PG to a server you own)}"
psql=psql
command -v psql >/dev/null 2>&1 || psql=$(ls -d /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -1)
DB=$(echo "$MOTCUA_TEST_PG" | sed 's|@/postgres?|@/citybench?|')
export DB
export DB_RESET="$psql '$MOTCUA_TEST_PG' -q -c 'DROP DATABASE IF EXISTS citybench' -c 'CREATE DATABASE citybench'"
exec "$(dirname "$0")/citybench.sh"
