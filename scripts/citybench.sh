#!/bin/sh
# City-scale benchmark of motcua-central (docs/BENCHMARKS.md, "The city at scale"): for each
# number of workstations and each scenario, a fresh server is started, `motcua-central
# loadtest` runs against it with --server-pid (the server's VmRSS is sampled from /proc),
# and the server is stopped. Each run's report goes to $OUT/<store>-<scenario>-<n>.txt and
# one Markdown row per run to $OUT/rows.md.
#
# Settings (environment):
#   BIN        the server binary (default bin/motcua-central)
#   SIZES      workstations per run (default "50 500 2000")
#   SCENARIOS  default "morning storm"
#   DURATION   length of a morning run (default 60s); FACTOR its clock factor (default 10)
#   BACKLOG    events per workstation in a storm (default 2000)
#   DB         empty: SQLite in a fresh folder; postgres://…: that database (serve --db),
#              emptied before each run by $DB_RESET (a shell command) when given
#   OUT        where reports go (default citybench-out)
#   EXTRA      more loadtest flags (e.g. --no-pull)
set -eu
BIN=${BIN:-bin/motcua-central}
SIZES=${SIZES:-"50 500 2000"}
SCENARIOS=${SCENARIOS:-"morning storm"}
DURATION=${DURATION:-60s}
FACTOR=${FACTOR:-10}
BACKLOG=${BACKLOG:-2000}
DB=${DB:-}
OUT=${OUT:-citybench-out}
EXTRA=${EXTRA:-}
PORT=${PORT:-18787}
store=sqlite
[ -n "$DB" ] && store=postgresql
mkdir -p "$OUT"
work=$(mktemp -d)
trap 'if [ -f "$work/pid" ]; then kill "$(cat "$work/pid")" 2>/dev/null || true; fi; rm -rf "$work"' EXIT
head -c 24 /dev/urandom | base64 > "$work/token"
chmod 600 "$work/token"
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), load: $(uptime | sed 's/.*load average: //')" | tee -a "$OUT/rows.md"
for scenario in $SCENARIOS; do
	for n in $SIZES; do
		rm -rf "$work/data"
		if [ -n "$DB" ]; then
			[ -n "${DB_RESET:-}" ] && sh -c "$DB_RESET"
			set -- --db "$DB"
		else
			set -- --data "$work/data"
		fi
		"$BIN" serve --addr "127.0.0.1:$PORT" "$@" --admin-token-file "$work/token" --enroll-per-minute 1000000 \
			>"$work/serve.out" 2>"$work/serve.err" &
		echo $! > "$work/pid"
		i=0
		until curl -sf "http://127.0.0.1:$PORT/api/v1/ping" >/dev/null 2>&1; do
			i=$((i + 1))
			if [ $i -gt 300 ]; then cat "$work/serve.err" >&2; exit 1; fi
			sleep 0.1
		done
		report="$OUT/$store-$scenario-$n.txt"
		echo "== $store $scenario $n workstations (load: $(uptime | sed "s/.*load average: //"))" > "$report"
		# shellcheck disable=SC2086
		"$BIN" loadtest --url "http://127.0.0.1:$PORT" --admin-token-file "$work/token" --scenario "$scenario" \
			--workstations "$n" --backlog "$BACKLOG" --duration "$DURATION" --time-factor "$FACTOR" \
			--server-pid "$(cat "$work/pid")" --row "$store" $EXTRA >>"$report" 2>"$work/loadtest.err" || { cat "$work/loadtest.err" >&2; exit 1; }
		cat "$report"
		tail -1 "$report" >> "$OUT/rows.md"
		kill "$(cat "$work/pid")"
		wait "$(cat "$work/pid")" 2>/dev/null || true
		rm -f "$work/pid"
	done
done
