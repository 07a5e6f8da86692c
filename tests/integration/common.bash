# What the php-fpm tests (.ci/fpm) and the Apache tests (.ci/apache) share,
# sourced by fpm/lib.bash and apache/lib.bash: one result line per check and
# its counters, a private temp dir per site with the test app of fpm/fixtures,
# the asynctask part of its php.ini, HTTP requests with curl, the pool's stats,
# waits for processes, wrk's figures, the checks both suites make the same way,
# and a cleanup that ends every process these tests started. (The FPM_ prefix of
# the names is historical: the php-fpm suite came first.)
#
# Needs: FPM_SO (path of asynctask.so), FPM_ROOT (the repository).

PHP_BIN=${PHP_BIN:-$(command -v php)}

FPM_PASSED=0 FPM_FAILED=0 FPM_SKIPPED=0
FPM_PIDS=()      # every process we started or saw started for us (masters, pools)

pass() { FPM_PASSED=$((FPM_PASSED + 1)); echo "ok   $*"; }
fail() { FPM_FAILED=$((FPM_FAILED + 1)); echo "FAIL $*"; }
skip() { FPM_SKIPPED=$((FPM_SKIPPED + 1)); echo "skip $*"; }
note() { echo "     $*"; }
# check NAME COMMAND...: passes when COMMAND succeeds
check() {
	local name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name"; fi
}

# The unprivileged user FPM's pool sections and Apache's children (and so the
# task workers) run as.
if [ "$(id -u)" -eq 0 ]; then
	if getent passwd www-data > /dev/null; then FPM_USER=www-data; else FPM_USER=nobody; fi
	FPM_GROUP=$(id -gn "$FPM_USER")
else
	FPM_USER=$(id -un) FPM_GROUP=$(id -gn)
fi

free_port() {
	"$PHP_BIN" -n -r '$s = stream_socket_server("tcp://127.0.0.1:0", $e, $m) or exit(1);
		echo substr(strrchr(stream_socket_get_name($s, false), ":"), 1), "\n";'
}

# render TEMPLATE OUT VAR=value...: replaces @VAR@ in TEMPLATE
render() {
	local template=$1 out=$2 kv script=()
	shift 2
	for kv in "$@"; do
		local k=${kv%%=*} v=${kv#*=}
		v=${v//\\/\\\\}; v=${v//|/\\|}; v=${v//&/\\&}
		v=${v//$'\n'/\\n}
		script+=(-e "s|@$k@|$v|g")
	done
	sed "${script[@]}" "$template" > "$out"
}

# render_php_ini ENABLE WORKERS OPCACHE SHUTDOWN_TIMEOUT EXTRA_INI: $SITE/php.ini
# from fpm/templates/php.ini.in: the built extension, opcache when OPCACHE=1,
# asynctask.enable=1 when ENABLE=1, the workers, the site's bootstrap and log,
# and EXTRA_INI's lines (asynctask settings) after them
render_php_ini() {
	local enable=$1 workers=$2 opcache=$3 shutdown_timeout=$4 extra_ini=$5
	local ini="asynctask.workers=$workers
asynctask.bootstrap=$SITE/app/bootstrap.php
asynctask.log=$SITE/var/asynctask.log
asynctask.shutdown_timeout=$shutdown_timeout"
	[ "$enable" = 1 ] && ini="asynctask.enable=1
$ini"
	[ -n "$extra_ini" ] && ini="$ini
$extra_ini"
	local opcache_line=";"
	[ "$opcache" = 1 ] && opcache_line="zend_extension=opcache"
	render "$FPM_ROOT/tests/integration/fpm/templates/php.ini.in" "$SITE/php.ini" SO="$FPM_SO" OPCACHE="$opcache" \
		OPCACHE_LINE="$opcache_line" ASYNCTASK="$ini"
}

# new_site [NAME]: a fresh directory $SITE with the test app in $SITE/app,
# writable state in $SITE/var (owned by the pool user), logs, run, nginx temp.
new_site() {
	SITE=$(mktemp -d "${FPM_TMP:-/tmp}/asynctask-fpm-${1:-site}.XXXXXX")
	chmod 755 "$SITE"
	mkdir -p "$SITE"/{app,var,log,run,nginx}
	cp -r "$FPM_ROOT"/tests/integration/fpm/fixtures/. "$SITE/app/"
	chmod -R a+rX "$SITE/app"
	: > "$SITE/var/asynctask.log"
	chown -R "$FPM_USER:$FPM_GROUP" "$SITE/var"
	FPM_SITES+=("$SITE")
}

wait_listening() {
	local i
	for i in $(seq 100); do
		(exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null && return 0
		sleep 0.05
	done
	return 1
}

# listening_by PORT NAME: the socket listening on PORT is a process called NAME
# (free_port's port may have been taken by another program before ours bound it:
# then ours failed, and the requests would go to that program)
listening_by() {
	local who
	who=$(ss -ltnpH "sport = :$1" 2> /dev/null)
	[ -z "$who" ] && return 0   # (ss cannot tell: no check)
	grep -q "\"$2" <<< "$who" && return 0
	echo "port $1 is not $2's: $who"
	return 1
}

# get PATH: body of GET $BASE/PATH on stdout; its HTTP status then by `status`
# (a file, since get usually runs in a $(...) subshell)
get() {
	local out
	out=$(curl -s -S --max-time "${GET_TIMEOUT:-15}" -w '\n%{http_code}' "$BASE/$1" 2>&1) || { echo 000 > "$SITE/run/status"; echo "$out"; return 1; }
	echo "${out##*$'\n'}" > "$SITE/run/status"
	printf '%s' "${out%$'\n'*}"
}
status() { cat "$SITE/run/status" 2> /dev/null; }

# json FIELD < json: one field of a JSON object (nested with dots: a.b)
json() {
	"$PHP_BIN" -n -r '$v = json_decode(stream_get_contents(STDIN), true);
		foreach (explode(".", $argv[1]) as $k) { $v = is_array($v) && array_key_exists($k, $v) ? $v[$k] : null; }
		echo is_array($v) ? json_encode($v) : (is_bool($v) ? ($v ? "true" : "false") : $v);' "$1"
}

# stats: Pool::stats() as JSON through the app
stats() { get stats.php; }

# wait_drained [SECONDS]: until the pool has nothing queued or running
wait_drained() {
	local deadline=$((SECONDS + ${1:-60})) s
	while [ $SECONDS -lt $deadline ]; do
		s=$(stats) || true
		if [ "$(json queued <<< "$s")" = 0 ] && [ "$(json running <<< "$s")" = 0 ]; then
			return 0
		fi
		sleep 0.2
	done
	echo "the pool did not drain: $s"
	return 1
}

# pool_pids: manager and worker pids of the pool serving $BASE (from stats)
pool_pids() {
	local s
	s=$(stats) || return 1
	json manager_pid <<< "$s"
	echo
	json worker_pids <<< "$s" | tr -d '[]' | tr ',' '\n'
	echo
}

alive() { kill -0 "$1" 2> /dev/null && ! grep -q '^State:.*Z' "/proc/$1/status" 2> /dev/null; }

# site_pool_processes: the process names (asynctask-mgr, asynctask-task) of the
# live pool processes of $SITE, sorted: they carry the master's command line
site_pool_processes() {
	local p
	for p in $(pgrep -f -- "$SITE/" 2> /dev/null); do
		alive "$p" || continue
		case "$(cat "/proc/$p/comm" 2> /dev/null)" in
			asynctask-*) cat "/proc/$p/comm" ;;
		esac
	done | sort
}

# wait_gone SECONDS PID...: until none of the pids is alive
wait_gone() {
	local deadline=$((SECONDS + $1)) p left
	shift
	while :; do
		left=()
		for p in "$@"; do [ -n "$p" ] && alive "$p" && left+=("$p"); done
		[ ${#left[@]} -eq 0 ] && return 0
		[ $SECONDS -ge $deadline ] && { GONE_LEFT="${left[*]}"; return 1; }
		sleep 0.1
	done
}

# descendants PID: every live descendant of PID
descendants() {
	local c
	for c in $(pgrep -P "$1" 2> /dev/null); do
		echo "$c"
		descendants "$c"
	done
}

# Kills whatever of ours is left: known pids, their descendants, and any process
# whose command line or open files name one of our site directories.
cleanup_all() {
	local p pids=() site
	for p in "${FPM_PIDS[@]}"; do
		alive "$p" && pids+=("$p") && mapfile -t -O "${#pids[@]}" pids < <(descendants "$p")
	done
	for site in "${FPM_SITES[@]}"; do
		mapfile -t -O "${#pids[@]}" pids < <(pgrep -f -- "$site/" 2> /dev/null)
	done
	[ ${#pids[@]} -gt 0 ] && kill -KILL "${pids[@]}" 2> /dev/null
	if [ -z "${FPM_KEEP:-}" ]; then
		for site in "${FPM_SITES[@]}"; do rm -rf "$site"; done
	fi
	true
}
FPM_SITES=()

# --- load and the figures of wrk ------------------------------------------------

# the load tests' length (s) and clients
FPM_LOAD_SECONDS=${FPM_LOAD_SECONDS:-10}
FPM_LOAD_CLIENTS=${FPM_LOAD_CLIENTS:-20}

# wrk_run OUT URL ARGS...: wrk with --latency into OUT
wrk_run() {
	local out=$1 url=$2
	shift 2
	wrk --latency "$@" "$url" > "$out" 2>&1
}
# wrk_field OUT what: p50 | p99 (in ms), rps, requests, errors (non-2xx + socket errors)
wrk_field() {
	local out=$1 what=$2
	case $what in
	p50 | p99)
		awk -v p="${what#p}%" '$1 == p { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
			if (u == "us") v /= 1000; else if (u == "s") v *= 1000; else if (u == "m") v *= 60000;
			printf "%.3f\n", v }' "$out" ;;
	rps) awk '/^Requests\/sec:/ { print $2 }' "$out" ;;
	requests) awk '/ requests in / { print $1 }' "$out" ;;
	errors) awk '/Non-2xx or 3xx responses:/ { n += $NF } /Socket errors:/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 } END { print n + 0 }' "$out" ;;
	esac
}

# access_log_field STATUS PATH FIELD: FIELD (3 = request id, 4 = dispatch µs,
# 5 = request time) of the requests the server (nginx or Apache: both log in
# that order) answered with STATUS for PATH
access_log_field() {
	awk -v s="$1" -v p="$2" -v f="$3" '{ split($2, u, "?") } $1 == s && u[1] == p { print $f }' "$SITE/log/access.log"
}
# served_ok PATH: requests the server answered with 200 for PATH (any query)
served_ok() { access_log_field 200 "$1" 1 | wc -l; }

# --- checks both suites make ------------------------------------------------------

# bootstrap_once LABEL: every current worker logged its bootstrap exactly once,
# and no worker ran it as root when the pool user is not root
bootstrap_once() {
	local s p c bad=0 list
	s=$(stats)
	list=$(json worker_pids <<< "$s" | tr -d '[]' | tr ',' ' ')
	for p in $list; do
		c=$(awk -v p="$p" '$1 == p' "$SITE/var/bootstrap.log" | wc -l)
		[ "$c" -eq 1 ] || { note "worker $p included the bootstrap $c times"; bad=$((bad + 1)); }
	done
	check "$1: each worker ($list) included asynctask.bootstrap exactly once" test -n "$list" -a "$bad" -eq 0
	if [ "$(id -u)" -eq 0 ]; then
		check "$1: no bootstrap ran as root" bash -c "test -s '$SITE/var/bootstrap.log' && ! awk '\$2 == 0' '$SITE/var/bootstrap.log' | grep -q ."
	fi
}

# closures_check LABEL: every closure case of closures.php comes back right
closures_check() {
	local r cases bad
	r=$(get closures.php)
	cases=$(json cases <<< "$r")
	bad=$("$PHP_BIN" -n -r '$c = json_decode($argv[1], true); if (!is_array($c) || count($c) < 10) { echo "no cases: ", $argv[1]; exit; }
		foreach ($c as $k => $v) if ($v !== "ok") echo "[$k] $v; ";' "$cases")
	check "$1: closures of 10 shapes defined in a request script run in the workers" test -z "$bad"
	[ -n "$bad" ] && note "$bad"
	note "$1: a class declared in the request script itself: $(json info <<< "$r")"
	R_CLOSURES=$r
}

# smoke_check WHAT [SAPI]: one request that waits for its tasks (result.php) gets
# their results (under SAPI, when given); else notes the head of asynctask.log
# and returns 1. The pool's processes are then left to the cleanup.
smoke_check() {
	local r ok=0
	r=$(GET_TIMEOUT=20 get result.php)
	if [ "$(json values <<< "$r")" = "[7,14,21]" ] && { [ -z "${2:-}" ] || [ "$(json sapi <<< "$r")" = "$2" ]; }; then
		pass "smoke: $1"
	else
		fail "smoke: $1 (HTTP $(status): $(head -c 300 <<< "$r"))"
		note "asynctask.log: $(head -n 3 "$SITE/var/asynctask.log" | cut -c 1-200 | paste -sd '|')"
		ok=1
	fi
	FPM_PIDS+=($(pool_pids))
	return $ok
}

# await_results: GETs result.php until it answers [7,14,21] (10 s at most: a
# server that restarts); prints its last answer
await_results() {
	local i r
	for i in $(seq 100); do
		r=$(get result.php)
		[ "$(json values <<< "$r")" = "[7,14,21]" ] && break
		sleep 0.1
	done
	printf '%s' "$r"
}

# tally_results: reads lines "X ANSWER" (ANSWER: the body of result.php?x=X)
# and prints "N ok", then the first wrong answers
tally_results() {
	"$PHP_BIN" -n -r '$ok = 0; $bad = [];
		while (($l = fgets(STDIN)) !== false) { [$x, $j] = explode(" ", rtrim($l), 2) + [1 => ""]; $v = json_decode($j, true)["values"] ?? null;
			if ($v === [(int) $x, 2 * $x, 3 * $x]) $ok++; else $bad[] = "$x: " . substr($j, 0, 80); }
		echo $ok, " ok", $bad ? "; wrong: " . implode(" | ", array_slice($bad, 0, 3)) : "", "\n";'
}

# done_count TAG: how many tasks of slow.php?tag=TAG completed (their files in $SITE/var/done)
done_count() { ls "$SITE/var/done" 2> /dev/null | grep -c "^$1-"; }

# fire_and_forget_check: a request dispatching 2 tasks of 1.5 s returns at
# once, and both tasks complete after the response
fire_and_forget_check() {
	local r t0 ms n=0 i
	t0=$(date +%s%N)
	r=$(get "slow.php?tag=ff&n=2&ms=1500")
	ms=$((($(date +%s%N) - t0) / 1000000))
	check "fire-and-forget: a request dispatching 2 tasks of 1.5 s returns at once (${ms} ms)" \
		test "$ms" -lt 1000 -a "$r" = "dispatched 2" -a "$(status)" = 200
	for i in $(seq 150); do
		n=$(done_count ff)
		[ "$n" -eq 2 ] && break
		sleep 0.1
	done
	check "fire-and-forget: both tasks completed after the response" test "$n" -eq 2
}

# opcache_checks: with opcache on, closures of request scripts run in the
# workers (first compiled, then from opcache), and a class autoloaded in a closure
opcache_checks() {
	closures_check "closures (opcache on, first request)"
	check "opcache: opcache is on in the request" test "$(json opcache <<< "$R_CLOSURES")" = true
	closures_check "closures (opcache on, script cached)"
	check "opcache: the request script was served from opcache" test "$(json cached <<< "$R_CLOSURES")" = true
	local r
	r=$(get autoload.php)
	check "opcache: autoloaded class in a closure" test "$(json result <<< "$r")" = 'hello fpm from FpmTest\Greeter'
}

# alive_pids PID...: the live ones, each followed by a space
alive_pids() {
	local p
	for p in "$@"; do alive "$p" && echo -n "$p "; done
}

# orphan_dispatch_check LABEL WHO: in WHO, a server child its killed parent left
# behind (it still accepts requests), dispatch() throws at once, never hangs
orphan_dispatch_check() {
	local r t1 ms
	t1=$(date +%s%N)
	r=$(GET_TIMEOUT=20 get inert.php)
	ms=$((($(date +%s%N) - t1) / 1000000))
	check "$1: dispatch() in $2 left behind throws AsyncTask\Exception at once (${ms} ms)" \
		test "$(json class <<< "$r")" = 'AsyncTask\Exception' -a "$ms" -lt 5000
	note "$1: its message: $(json message <<< "$r")"
}

# new_manager OLD: the pid of the pool's manager once it is not OLD (10 s at
# most: after a reload); else what stats() said last
new_manager() {
	local i m
	for i in $(seq 100); do
		m=$(json manager_pid <<< "$(stats)")
		[ -n "$m" ] && [ "$m" != "$1" ] && break
		sleep 0.1
	done
	echo "$m"
}

# load_site LABEL SERVER START: the title of a load test on fire.php, then a
# site started by the function START (SERVER names what it starts) with 2 task
# workers and 8 children, its database ready and its pool warm
load_site() {
	local label=$1 server=$2 start=$3
	echo "--- $label: $FPM_LOAD_CLIENTS clients x ${FPM_LOAD_SECONDS} s, 5 fire-and-forget tasks per request"
	"$start" WORKERS=2 CHILDREN=8 || { fail "$label: $server start"; stop_site; return 1; }
	check "$label: database ready" test "$(get setup.php)" = ready
	get result.php > /dev/null
	FPM_PIDS+=($(pool_pids))
}

# new_pool_checks LABEL OLD WHAT: after a reload, a new pool (WHAT says whose)
# serves instead of the one of manager OLD, which drains and exits
new_pool_checks() {
	local label=$1 old=$2 new
	new=$(new_manager "$old")
	check "$label: $3 (manager $old -> $new)" test -n "$new" -a "$new" != "$old"
	check "$label: the old pool drained and exited" wait_gone 60 "$old"
}

# pool_gone_check LABEL SECONDS T0 WHAT AFTER PID...: passes when the pool's
# processes PID... are gone within SECONDS, saying "LABEL: WHAT gone N s AFTER"
# (N: seconds since T0); else lists those left
pool_gone_check() {
	local label=$1 secs=$2 t0=$3 what=$4 after=$5
	shift 5
	if wait_gone "$secs" "$@"; then
		pass "$label: $what gone $((SECONDS - t0)) s $after"
	else
		fail "$label: pool process(es) still alive $secs s $after: $GONE_LEFT"
		ps -o pid,ppid,user,etime,args -p "$(echo "$GONE_LEFT" | tr ' ' ',')" | sed 's/^/     /'
	fi
}

# fire_figures OUT T0: waits until the pool ran the tasks of a load on fire.php
# (wrk's output in OUT; the load ended at T0), then sets these variables its
# caller declared local: drain (seconds from T0), served (requests the server
# answered 200), aborted (499: cut off by wrk at its end), rps and errors
# (wrk's), c (count.php), rows, distinct (req,n), requests (with rows),
# incomplete (requests with fewer than 5 rows), missing (requests answered 200
# without rows) and extra (rows of requests not answered 200)
fire_figures() {
	wait_drained 180
	drain=$((SECONDS - $2))
	served=$(served_ok /fire.php)
	# 499: wrk closed these connections when its time was up; PHP may still have run them
	aborted=$(access_log_field 499 /fire.php 1 | wc -l)
	rps=$(wrk_field "$1" rps)
	errors=$(wrk_field "$1" errors)
	c=$(get count.php)
	rows=$(json rows <<< "$c") distinct=$(json distinct <<< "$c") requests=$(json requests <<< "$c")
	incomplete=$(json incomplete_requests <<< "$c")
	get reqs.php | sort > "$SITE/log/db-reqs"
	access_log_field 200 /fire.php 3 | sort > "$SITE/log/ok-reqs"
	missing=$(comm -23 "$SITE/log/ok-reqs" "$SITE/log/db-reqs" | wc -l)
	extra=$(comm -13 "$SITE/log/ok-reqs" "$SITE/log/db-reqs" | wc -l)
}

# wrk_summary OUT: wrk's requests, rate, latency and errors, for a note
wrk_summary() {
	echo "wrk $(wrk_field "$1" requests) requests, $(wrk_field "$1" rps) req/s, p50 $(wrk_field "$1" p50) ms, p99 $(wrk_field "$1" p99) ms, $(wrk_field "$1" errors) errors"
}

# exactly_once_checks LABEL ROWS DISTINCT REQUESTS INCOMPLETE: count.php's
# figures after a load on fire.php: every task recorded once, 5 per request
exactly_once_checks() {
	local label=$1 rows=$2 distinct=$3 requests=$4 incomplete=$5
	check "$label: every task recorded exactly once ($distinct distinct (req,n) of $rows rows)" test "$distinct" -eq "$rows"
	check "$label: rows = 5 x requests that dispatched ($rows = 5 x $requests, $incomplete with fewer)" \
		test "$rows" -eq $((5 * requests)) -a "$incomplete" -eq 0
}
