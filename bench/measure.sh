#!/bin/sh
# Runs the measurements of docs/benchmarks.md against one running server:
#
#	bench/measure.sh URL USERS_FILE OUT_DIR [DURATION]
#
# URL is the server's base URL (loopback only), USERS_FILE the file written
# by casebook-bench seed for the server's database. Each run lasts DURATION
# (default 20s) after a 3 s warm-up; the text results go to OUT_DIR/*.txt.
# CASEBOOK_BENCH names the binary (default: casebook-bench on the PATH) and
# CONCURRENCY the number of workers (default 16), PREPARE the size of the
# pools of confirm and relations in the mixed runs (default 6000), and
# SERVER_PID the server's process id, for its CPU time per request.
set -eu
url=$1 users=$2 out=$3 duration=${4:-20s}
bench=${CASEBOOK_BENCH:-casebook-bench}
concurrency=${CONCURRENCY:-16}
mkdir -p "$out"

run() {
	name=$1
	shift
	echo "== $name" >&2
	"$bench" run --url "$url" --users "$users" --concurrency "$concurrency" \
		--duration "$duration" --warmup 3s ${SERVER_PID:+--server-pid "$SERVER_PID"} "$@" \
		2>"$out/$name.log" | tee "$out/$name.txt"
	echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/$name.txt"
}

# ListAuthorizations alone, first, before the other runs add rows: the
# first page and the deepest full one (offset 65535, or the last full page
# of a user who sees fewer), for master users (a whole account), sub-users
# (their own tickets) and group members (listing with their group_id).
for role in master sub group; do
	for offset in 0 65535; do
		run "list-$role-offset$offset" --endpoints list --role "$role" --offset "$offset"
	done
done
# The four other endpoints without ListAuthorizations, whose cost grows
# with the data and would make them queue behind it.
run others --endpoints show,confirm,relations,urls --prepare "${PREPARE:-6000}"
# The five endpoints together, with tokens and with AK/SK signatures.
run mixed-token --prepare "${PREPARE:-6000}"
run mixed-aksk --aksk --prepare "${PREPARE:-6000}"
