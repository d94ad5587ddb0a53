#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL cluster for the tests of the city's server:
#   scripts/testpg.sh COMMAND [ARGS…]
# It makes a cluster in a temporary folder (initdb -A trust), starts it listening only on a
# Unix socket in that folder, runs COMMAND with MOTCUA_TEST_PG set to its connection string
# (the tests create and drop one database per test there), then stops the cluster and
# removes the folder, also when COMMAND fails or is interrupted. Run as root (CI), the
# cluster belongs to the unprivileged user postgres. Without PostgreSQL installed, it says
# so and runs COMMAND without MOTCUA_TEST_PG: the PostgreSQL half of the suite is skipped.
# The cluster runs with fsync=off (it is thrown away, and the tests need speed, not
# durability); MOTCUA_TESTPG_FSYNC=on keeps PostgreSQL's durable defaults, for benchmarks.
# With MOTCUA_TEST_PG already set (a server of your own), it runs COMMAND against that.
set -euo pipefail

if [ -n "${MOTCUA_TEST_PG:-}" ]; then
  echo "motcua: the server's tests use the PostgreSQL server MOTCUA_TEST_PG names"
  exec "$@"
fi

bindir=""
if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
  bindir=$(pg_config --bindir)
else
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ]; then bindir=$d; break; fi
  done
fi
if [ -z "$bindir" ] && command -v initdb >/dev/null 2>&1; then
  bindir=$(dirname "$(command -v initdb)")
fi
if [ -z "$bindir" ]; then
  echo "motcua: PostgreSQL is not installed (no initdb): the PostgreSQL half of the server's tests is SKIPPED (install the postgresql package, e.g. ./scripts/install-deps.sh test)" >&2
  exec "$@"
fi

as=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || { echo "testpg: running as root but there is no user postgres to run PostgreSQL as" >&2; exit 1; }
  if command -v runuser >/dev/null 2>&1; then as=(runuser -u postgres --); else as=(su postgres -s /bin/sh -c); fi
fi
run_pg() {
  if [ ${#as[@]} -eq 0 ]; then "$@"; elif [ "${as[0]}" = runuser ]; then "${as[@]}" "$@"; else "${as[@]}" "$(printf '%q ' "$@")"; fi
}

# In /tmp: every user (postgres too) can reach it, and the socket's path stays short.
dir=$(mktemp -d /tmp/motcua-pg.XXXXXX)
chmod 0755 "$dir"
[ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
# A port number only names the socket file (no TCP): clusters of parallel runs don't meet.
port=$(( 20000 + RANDOM % 20000 ))
durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
[ "${MOTCUA_TESTPG_FSYNC:-off}" = on ] && durability=""
cleanup() {
  run_pg "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

run_pg "$bindir/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
  || run_pg "$bindir/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
run_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
  -o "-p $port -k $dir -c listen_addresses='' $durability -c max_connections=200" start >/dev/null \
  || { cat "$dir/postgres.log" >&2; exit 1; }

export MOTCUA_TEST_PG="postgres://postgres@/postgres?host=$dir&port=$port&sslmode=disable"
echo "motcua: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') started for the tests (MOTCUA_TEST_PG=$MOTCUA_TEST_PG)"
status=0
"$@" || status=$?
exit $status
