# The php-fpm scenarios (sourced by .ci/fpm after lib.bash). Each t_* function
# starts its own php-fpm + nginx on free loopback ports in a fresh directory,
# prints one line per check (ok/FAIL/skip) and stops what it started.
#
# FPM_LOAD_SECONDS (default 10) is how long each load test runs, with
# FPM_LOAD_CLIENTS (20) clients (../common.bash).

# percentile P: of the numbers on stdin
percentile() { sort -g | awk -v p="$1" '{ v[NR] = $1 } END { i = int(NR * p / 100 + 0.999); if (i < 1) i = 1; print v[i] }'; }

# pool_processes: pids of live processes that belong to $SITE's asynctask pool
# or FPM (the recorded pool pids, and any process whose title names $SITE)
site_processes() {
	local p
	for p in "$@"; do alive "$p" && echo "$p"; done
	pgrep -f -- "$SITE/" 2> /dev/null || true
}

# ---------------------------------------------------------------------------------
# One request that waits for one task: does the pool work at all?
t_smoke() {
	echo "--- smoke: one task from one request"
	start_site WORKERS=2 CHILDREN=2 || { fail "smoke: php-fpm + nginx start"; stop_site; return 1; }
	local ok=0
	smoke_check "a request gets its tasks' results" || { note "stats: $(stats)"; ok=1; }
	stop_site
	return $ok
}

t_inert() {
	echo "--- inert: no asynctask.enable"
	start_site ENABLE=0 CHILDREN=2 || { fail "inert: php-fpm + nginx start"; stop_site; return; }
	get ping.php > /dev/null
	local r kids titles
	r=$(get inert.php)
	check "inert: dispatch() in a request throws AsyncTask\\Exception" \
		test "$(json class <<< "$r")" = 'AsyncTask\Exception'
	check "inert: the message names asynctask.enable=1" grep -q 'asynctask.enable=1' <<< "$(json message <<< "$r")"
	note "message: $(json message <<< "$r")"
	# the master's only children are FPM's own: 2 of [a] and 1 of [b]
	get ping.php > /dev/null; get b/ping.php > /dev/null
	kids=$(descendants "$MASTER" | wc -l)
	titles=$(for p in $(descendants "$MASTER"); do tr '\0' ' ' < "/proc/$p/cmdline"; echo; done | sort | uniq -c | tr -s ' ' | paste -sd ';')
	check "inert: no process besides FPM's 3 children ($kids: $titles)" test "$kids" -eq 3
	r=$(get stats.php)
	note "Pool::stats() when inert: $r"
	stop_site
}

# Functional checks on one server: results, sections, uid, output, bootstrap,
# closures (opcache off), control, fire-and-forget returns at once.
t_functional() {
	echo "--- functional (opcache off, 2 workers, daemonize=no)"
	start_site WORKERS=2 CHILDREN=3 || { fail "functional: php-fpm + nginx start"; stop_site; return; }
	local r s i workers before_first
	# before any request: FPM's 3 + 1 children, and the pools' supervisor (not the master's
	# child: a short-lived intermediate forked it), no pool yet
	sleep 0.5
	before_first=$(descendants "$MASTER" | while read -r p; do tr '\0' ' ' < "/proc/$p/cmdline"; echo; done | sort | uniq -c | tr -s ' ' | paste -sd ';')
	check "start: before the first request the master has only FPM's children ($before_first)" \
		test "$(descendants "$MASTER" | wc -l)" -eq 4
	check "start: the pools' supervisor runs, with no pool yet ($(site_pool_processes | tr '\n' ' '))" \
		test "$(site_pool_processes)" = "asynctask-sup"
	r=$(get result.php?x=7)
	check "results: a request waits and gets its results back ([7,14,21])" test "$(json values <<< "$r")" = "[7,14,21]"
	check "results: tasks ran in another process than the request" \
		test -n "$(json worker_pids <<< "$r")" -a "$(json worker_pids <<< "$r")" != "[$(json request_pid <<< "$r")]"
	r=$(get b/result.php?x=5)
	check "results: pool section [b] dispatches to a pool of its own ([5,10,15])" test "$(json values <<< "$r")" = "[5,10,15]"
	local mgr_a mgr_b
	mgr_a=$(json manager_pid <<< "$(stats)") mgr_b=$(json manager_pid <<< "$(get b/stats.php)")
	check "results: sections [a] and [b] have a manager each ($mgr_a, $mgr_b)" \
		test "$mgr_a" -gt 0 -a "$mgr_b" -gt 0 -a "$mgr_a" != "$mgr_b"
	# many requests at once, in both sections: each gets its own results
	local got
	got=$(seq 200 | xargs -P 10 -I{} sh -c 'sec=""; [ $(({} % 3)) -eq 0 ] && sec=b/; printf "%s %s\n" {} "$(curl -s --max-time 20 "$0/${sec}result.php?x={}")"' "$BASE" | tally_results)
	check "results: 200 requests, 10 at a time, in both sections, each get their own results ($got)" test "$got" = "200 ok"
	for i in $(seq 50); do
		s=$(stats)
		workers=$(json workers <<< "$s")
		[ "$workers" = 2 ] && break
		sleep 0.1
	done
	check "stats: workers reaches asynctask.workers=2 after the first request ($workers)" test "$workers" = 2
	FPM_PIDS+=($(pool_pids))
	note "stats: $s"

	# every task sees the pool section's user, never root
	local want_uid
	want_uid=$(id -u "$FPM_USER")
	check "uid: tasks run as the pool section's user $FPM_USER ($(json task_uid <<< "$r"))" \
		test "$(json task_uid <<< "$r")" = "$want_uid $want_uid"
	local p bad=0 mgr wpids
	mgr=$(json manager_pid <<< "$s")
	wpids=$(json worker_pids <<< "$s" | tr -d '[]' | tr ',' ' ')
	for p in $wpids; do
		[ "$(awk '/^Uid:/ { print $2 }' "/proc/$p/status" 2> /dev/null)" = "$want_uid" ] || bad=$((bad + 1))
	done
	check "uid: every worker process ($wpids) runs as uid $want_uid" test -n "${wpids// /}" -a "$bad" -eq 0
	if [ -n "$mgr" ] && [ "$mgr" != 0 ]; then
		note "manager pid $mgr ppid $(awk '/^PPid:/ { print $2 }' "/proc/$mgr/status" 2> /dev/null) uid $(awk '/^Uid:/ { print $2 }' "/proc/$mgr/status" 2> /dev/null), title: $(tr '\0' ' ' < "/proc/$mgr/cmdline" 2> /dev/null)"
	fi
	for p in $wpids; do
		note "worker pid $p ppid $(awk '/^PPid:/ { print $2 }' "/proc/$p/status" 2> /dev/null), title: $(tr '\0' ' ' < "/proc/$p/cmdline" 2> /dev/null)"
	done

	# task output goes to asynctask.log, never to the response
	local hdr body
	hdr=$(mktemp)
	body=$(curl -s -S --max-time 30 -D "$hdr" "$BASE/output.php?m=Q7x")
	check "output: the response is only the request's own output" test "$body" = "request got returned-Q7x"
	check "output: no header set by a task reaches the response (HTTP $(head -n 1 "$hdr" | tr -d '\r'))" \
		bash -c "grep -q '^HTTP/1.1 200' '$hdr' && ! grep -qi 'X-Task-Header' '$hdr'"
	rm -f "$hdr"
	local m
	for m in ECHO PRINT ERRORLOG WARNING; do
		check "output: the task's $m line is in asynctask.log" grep -q "TASK-$m-Q7x" "$SITE/var/asynctask.log"
	done
	for m in STDOUT STDERR; do
		if grep -q "TASK-$m-Q7x" "$SITE/var/asynctask.log"; then note "fwrite($m) in a task: in asynctask.log"
		elif grep -q "TASK-$m-Q7x" "$SITE/log/fpm.log" "$SITE/log/fpm.out"; then note "fwrite($m) in a task: in FPM's log"
		else note "fwrite($m) in a task: found nowhere"; fi
	done
	# (php://stderr is the worker's inherited stderr, i.e. the master's: reported above, not checked)
	check "output: no other task output in FPM's logs" bash -c "! grep -v 'TASK-STDERR-' '$SITE/log/fpm.log' '$SITE/log/fpm.out' | grep -q 'TASK-'"

	# bootstrap: autoloading inside a closure; each worker includes it once
	r=$(get autoload.php)
	check "bootstrap: a class used in a closure is autoloaded in the worker" \
		test "$(json result <<< "$r")" = 'hello fpm from FpmTest\Greeter'
	check "bootstrap: the request itself never loaded that class" test "$(json loaded_in_request <<< "$r")" = false
	bootstrap_once "bootstrap"

	# closures defined in request scripts, opcache off
	closures_check "closures (opcache off)"

	# Pool control from a request
	local before after
	before=$(json worker_pids <<< "$(stats)")
	r=$(get control.php)
	check "control: Pool::stats() works in a request" test "$(json stats <<< "$r")" = ok
	check "control: Pool::reload() works in a request" test "$(json reload <<< "$r")" = ok
	check "control: Pool::stop() throws AsyncTask\\Exception" grep -q '^AsyncTask\\Exception: ' <<< "$(json stop <<< "$r")"
	check "control: Pool::start() throws AsyncTask\\Exception" grep -q '^AsyncTask\\Exception: ' <<< "$(json start <<< "$r")"
	check "control: tasks run after those calls" test "$(json after <<< "$r")" = 'still works'
	note "stop(): $(json stop <<< "$r")"
	note "start(): $(json start <<< "$r")"
	for i in $(seq 100); do
		after=$(json worker_pids <<< "$(stats)")
		[ "$after" != "$before" ] && [ "$(json workers <<< "$(stats)")" = 2 ] && break
		sleep 0.1
	done
	check "control: reload() replaced the workers ($before -> $after)" test "$after" != "$before"
	FPM_PIDS+=($(pool_pids))
	get autoload.php > /dev/null
	bootstrap_once "bootstrap after reload()"

	# fire-and-forget: the request returns at once, the tasks complete after it
	fire_and_forget_check
	stop_site
}

t_opcache() {
	echo "--- closures with opcache on"
	start_site WORKERS=2 CHILDREN=2 OPCACHE=1 || { fail "opcache: php-fpm + nginx start"; stop_site; return; }
	opcache_checks
	FPM_PIDS+=($(pool_pids))
	stop_site
}

# load_test LABEL RELOAD(0|1): 20 clients x FPM_LOAD_SECONDS of fire.php (5 tasks
# each into SQLite); every task of every served request recorded exactly once.
load_test() {
	local label=$1 reload=$2
	load_site "$label" "php-fpm + nginx" start_site || return
	local old_mgr out=$SITE/log/wrk.out t0 drain
	old_mgr=$(json manager_pid <<< "$(stats)")
	wrk_run "$out" "$BASE/fire.php" -t2 -c"$FPM_LOAD_CLIENTS" -d"${FPM_LOAD_SECONDS}s" &
	local wrk_pid=$!
	if [ "$reload" = 1 ]; then
		sleep "$((FPM_LOAD_SECONDS / 2))"
		note "kill -USR2 $MASTER (reload) at t=$((FPM_LOAD_SECONDS / 2)) s"
		kill -USR2 "$MASTER"
	fi
	wait "$wrk_pid"
	t0=$SECONDS
	if [ "$reload" = 1 ]; then
		wait_listening "$PORT_A"
		new_pool_checks "$label" "$old_mgr" "the re-executed master started a new pool"
		FPM_PIDS+=($(pool_pids))
	fi
	local served aborted rps errors c rows distinct requests incomplete missing extra
	fire_figures "$out" "$t0"
	note "$label: $(wrk_summary "$out"); nginx: $served answered 200, $aborted closed by wrk at the end (499); drained ${drain} s after the load"
	note "$label: rows $rows, distinct (req,n) $distinct, requests with rows $requests, worker pids $(json pids <<< "$c"), stats $(stats)"
	check "$label: requests were served ($served)" test "$served" -gt 0
	check "$label: every request answered 200 ($errors errors)" test "$errors" -eq 0
	exactly_once_checks "$label" "$rows" "$distinct" "$requests" "$incomplete"
	check "$label: every request answered 200 has its 5 rows ($missing without)" test "$missing" -eq 0
	check "$label: rows only of requests answered 200, or cut off by wrk at the end ($extra others, $aborted cut off)" \
		test "$extra" -le "$aborted"
	check "$label: rows = 5 x requests served ($rows = 5 x ($served + $extra cut off))" test "$rows" -eq $((5 * (served + extra)))
	LOAD_RPS=$rps
	stop_site
}
t_load() { load_test "load" 0; }
t_reload_load() { load_test "load + reload" 1; }

# Latency with and without dispatch: one client (so that latency is not queueing),
# fire.php?n=0, ?n=5 (5 SQLite tasks) and ?n=5&noop (5 empty tasks), in turn,
# 3 rounds each; each variant's p50/p99 is the median over its rounds.
t_latency() {
	local secs=${FPM_LATENCY_SECONDS:-3}
	echo "--- latency: 1 client, fire.php?n=0 vs ?n=5 vs ?n=5&noop (3 rounds x $secs s each)"
	start_site WORKERS=2 CHILDREN=4 || { fail "latency: php-fpm + nginx start"; stop_site; return; }
	get setup.php > /dev/null
	get result.php > /dev/null
	FPM_PIDS+=($(pool_pids))
	local round v out
	local -A P50 P99 RPS
	local variants=("n=0" "n=5" "n=5&noop")
	for round in 1 2 3; do
		for v in "${variants[@]}"; do
			out=$SITE/log/lat-${v//&/-}-$round.out
			wrk_run "$out" "$BASE/fire.php?$v" -t1 -c1 -d"${secs}s"
			P50[$v]+="$(wrk_field "$out" p50) " P99[$v]+="$(wrk_field "$out" p99) " RPS[$v]+="$(wrk_field "$out" rps) "
			wait_drained 120 > /dev/null
		done
	done
	median() { tr ' ' '\n' | grep . | percentile 50; }
	for v in "${variants[@]}"; do
		note "latency fire.php?$v: p50 $(median <<< "${P50[$v]}") ms, p99 $(median <<< "${P99[$v]}") ms; per round: p50 ${P50[$v]}| p99 ${P99[$v]}| req/s ${RPS[$v]}"
	done
	# throughput at 20 clients, for the record (not checked: the tasks share the 2 cores)
	for v in "n=0" "n=5"; do
		out=$SITE/log/tput-${v//&/-}.out
		wrk_run "$out" "$BASE/fire.php?$v" -t2 -c"$FPM_LOAD_CLIENTS" -d"${secs}s"
		note "throughput fire.php?$v at $FPM_LOAD_CLIENTS clients: $(wrk_field "$out" rps) req/s, p50 $(wrk_field "$out" p50) ms, p99 $(wrk_field "$out" p99) ms"
		wait_drained 120 > /dev/null
	done
	local us
	us=$(access_log_field 200 /fire.php 4 | grep -v -x -e '-' -e 0)
	note "latency: time inside the request for its 5 dispatch() calls: p50 $(percentile 50 <<< "$us") µs, p99 $(percentile 99 <<< "$us") µs ($(wc -l <<< "$us") requests)"
	# bound: p50 may grow by 1 ms or 20 %, whichever is larger (tests/integration/fpm/README.md says why)
	local b50 d50 bound
	b50=$(median <<< "${P50[n=0]}") d50=$(median <<< "${P50[n=5]}")
	bound=$(awk -v b="$b50" 'BEGIN { x = b * 1.2; y = b + 1; printf "%.3f", (x > y ? x : y) }')
	check "latency: p50 with 5 dispatches ($d50 ms) <= max(p50 without ($b50 ms) + 1 ms, x1.2) = $bound ms" \
		awk -v d="$d50" -v b="$bound" 'BEGIN { exit !(d <= b) }'
	stop_site
}

# lifecycle DAEMONIZE SIGNAL: a warm pool with 4 slow tasks queued/running;
# signal the master; the tasks complete and no pool process remains within
# shutdown_timeout (10 s) + 5 s.
lifecycle() {
	local daemonize=$1 sig=$2 label="lifecycle daemonize=$1 SIG$2"
	start_site WORKERS=2 CHILDREN=2 DAEMONIZE="$daemonize" SHUTDOWN_TIMEOUT=10 ||
		{ fail "$label: php-fpm + nginx start"; stop_site; return; }
	local r pids=() fpm_kids=() i n
	r=$(get result.php)
	check "$label: results back" test "$(json values <<< "$r")" = "[7,14,21]"
	mapfile -t pids < <(pool_pids | grep .)
	mapfile -t fpm_kids < <(descendants "$MASTER")
	FPM_PIDS+=("${pids[@]}" "${fpm_kids[@]}")
	if [ "$daemonize" = yes ]; then
		check "$label: the master is daemonized (ppid $(awk '/^PPid:/ { print $2 }' /proc/$MASTER/status))" \
			test "$(awk '/^PPid:/ { print $2 }' "/proc/$MASTER/status")" != "$$"
	fi
	get "slow.php?tag=sig&n=4&ms=1000" > /dev/null
	kill "-$sig" "$MASTER"
	local t0=$SECONDS
	if [ "$sig" != KILL ]; then
		check "$label: the master exits" wait_gone 30 "$MASTER"
	fi
	pool_gone_check "$label" 15 "$t0" "the pool (${pids[*]}) is" "after the signal" "${pids[@]}"
	n=$(done_count sig)
	check "$label: the 4 tasks queued before the signal completed ($n)" test "$n" -eq 4
	local left
	left=$(site_processes | grep -v -x -F -f <(printf '%s\n' "${fpm_kids[@]}" "$MASTER" "$NGINX") | tr '\n' ' ')
	if [ "$sig" = KILL ]; then
		note "$label: FPM children left by the killed master (FPM's own behaviour): $(alive_pids "${fpm_kids[@]}")"
		orphan_dispatch_check "$label" "an FPM child"
	fi
	check "$label: no other process of this server remains ($left)" test -z "${left// /}"
	stop_site
	for p in "${fpm_kids[@]}"; do alive "$p" && kill -KILL "$p" 2> /dev/null; done
	true
}
t_lifecycle() {
	echo "--- lifecycle: daemonize on/off x SIGQUIT, SIGTERM, SIGKILL of the master"
	local d s
	for d in no yes; do
		for s in QUIT TERM KILL; do
			lifecycle "$d" "$s"
		done
	done
}

# Named queues (asynctask.queues in the php.ini php-fpm loads): each section's
# pool has every queue with its workers; a task runs on its queue's workers.
t_queues() {
	echo "--- queues: asynctask.queues in each section's pool"
	start_site WORKERS=1 CHILDREN=2 EXTRA_INI='asynctask.queues="default:1,mail:2"' \
		|| { fail "queues: php-fpm + nginx start"; stop_site; return; }
	local r section path
	for section in a b; do
		path=queues.php
		[ "$section" = b ] && path=b/queues.php
		r=$(GET_TIMEOUT=20 get "$path")
		FPM_PIDS+=($(pool_pids))
		check "queues [$section]: each task ran in its queue ($(json queues <<< "$r"))" \
			test "$(json queues <<< "$r")" = '["mail","mail","default","mail","default"]'
		check "queues [$section]: the pool has both queues with their workers ($(json workers <<< "$r"))" \
			test "$(json workers <<< "$r")" = '{"default":1,"mail":2}'
		check "queues [$section]: mail's and default's workers are different processes" \
			"$PHP_BIN" -n -r 'exit(array_intersect(json_decode($argv[1]), json_decode($argv[2])) ? 1 : 0);' \
			"$(json mail_pids <<< "$r")" "$(json default_pids <<< "$r")"
		check "queues [$section]: an undeclared queue is refused, naming the declared ones" \
			grep -q 'the queue "nope" is not declared: the pool.s queues (asynctask.queues) are "default", "mail"' <<< "$(json refused <<< "$r")"
	done
	stop_site
}

# Reload without load: tasks dispatched before SIGUSR2 are run by the old pool.
t_reload() {
	echo "--- reload (SIGUSR2) with slow tasks queued"
	start_site WORKERS=2 CHILDREN=2 || { fail "reload: php-fpm + nginx start"; stop_site; return; }
	get result.php > /dev/null
	local old new old_pids=() i n
	mapfile -t old_pids < <(pool_pids | grep .)
	FPM_PIDS+=("${old_pids[@]}")
	old=${old_pids[0]}
	get "slow.php?tag=usr2&n=4&ms=1000" > /dev/null
	# delayed tasks the old pool holds: 3 due in 2 s (within shutdown_timeout, 10 s: the old
	# pool runs them before it leaves), 2 due in 60 s (they fail when it leaves, logged)
	check "reload: database ready" test "$(get setup.php)" = ready
	local soon later
	soon=$(get "fire.php?n=3&delay=2" | cut -d' ' -f1)
	later=$(get "fire.php?n=2&delay=60" | cut -d' ' -f1)
	kill -USR2 "$MASTER"
	sleep 0.5
	wait_listening "$PORT_A"
	r=$(await_results)
	check "reload: results back after the reload" test "$(json values <<< "$r")" = "[7,14,21]"
	new=$(json manager_pid <<< "$(stats)")
	FPM_PIDS+=($(pool_pids))
	check "reload: a new pool serves the re-executed master ($old -> $new)" test -n "$new" -a "$new" != "$old"
	check "reload: the old pool exits after draining" wait_gone 20 "${old_pids[@]}"
	n=$(done_count usr2)
	check "reload: the 4 tasks dispatched before the reload completed ($n)" test "$n" -eq 4
	local rows
	rows=$("$PHP_BIN" -n -d extension=pdo -d extension=pdo_sqlite -r '$db = new PDO("sqlite:" . $argv[1]);
		foreach ([$argv[2], $argv[3]] as $req) { $q = $db->prepare("SELECT COUNT(*) FROM tasks WHERE req = ?");
		$q->execute([$req]); echo $q->fetchColumn(), " "; }' "$SITE/var/test.sqlite" "$soon" "$later" 2> /dev/null)
	check "reload: the old pool ran the 3 tasks delayed 2 s before it left, not the 2 delayed 60 s (rows: $rows)" \
		test "$rows" = "3 0 "
	check "reload: the old pool said it dropped the 2 not yet due" \
		grep -q 'the pool stopped with 2 delayed task(s) not yet due' "$SITE/var/asynctask.log"
	bootstrap_once "reload: bootstrap"
	grep -q 'unknown child' "$SITE/log/fpm.log" && note "reload: fpm.log: $(grep -m1 'unknown child' "$SITE/log/fpm.log")"
	stop_site
}

# FPM children recycled by pm.max_requests=5 while their tasks are queued
t_recycle() {
	echo "--- pm.max_requests=5: children recycled with fire-and-forget tasks queued"
	start_site WORKERS=2 CHILDREN=2 MAX_REQUESTS=5 || { fail "recycle: php-fpm + nginx start"; stop_site; return; }
	get setup.php > /dev/null
	local i out=$SITE/log/recycle.out
	# requests that wait for their results, in children that pm.max_requests then recycles
	for i in $(seq 20); do get "result.php?x=$i" > /dev/null; done
	: > "$out"
	for i in $(seq 60); do
		get "fire.php?n=5&ms=40" >> "$out"
		echo >> "$out"
	done
	local children served c rows distinct requests
	children=$(awk 'NF == 2 { print $2 }' "$out" | sort -u | wc -l)
	local queued
	queued=$(json queued <<< "$(stats)")
	check "recycle: tasks still queued after their children were recycled ($queued queued after the 60th response)" \
		test "$queued" -gt 0
	FPM_PIDS+=($(pool_pids))
	wait_drained 120
	served=$(served_ok /fire.php)
	c=$(get count.php)
	rows=$(json rows <<< "$c") distinct=$(json distinct <<< "$c") requests=$(json requests <<< "$c")
	check "recycle: 60 requests served by at least 12 FPM children ($children)" test "$served" -eq 60 -a "$children" -ge 12
	check "recycle: no task lost: rows = 5 x 60 ($rows), all distinct ($distinct), $requests requests" \
		test "$rows" -eq 300 -a "$distinct" -eq 300 -a "$requests" -eq 60
	note "recycle: stats $(stats)"
	# the pool's processes do not keep the deleted pipes of the children that left open
	# (an idle worker looks at least once a second, the manager once a second)
	local p open_fifos=0 i
	for i in $(seq 30); do
		open_fifos=0
		for p in $(pool_pids | grep .); do
			open_fifos=$((open_fifos + $(ls -l "/proc/$p/fd" 2> /dev/null | grep -c 'fifo (deleted)')))
		done
		[ "$open_fifos" -eq 0 ] && break
		sleep 0.2
	done
	check "recycle: no pool process keeps a pipe of a child that left open ($open_fifos)" test "$open_fifos" -eq 0

	# a child killed (SIGKILL) right after it dispatched: its tasks still run
	local held req child i n
	rm -f "$SITE/var/held"
	curl -s --max-time 30 "$BASE/fire.php?n=5&ms=300&hold=30" > /dev/null 2>&1 &
	local curl_pid=$!
	for i in $(seq 100); do [ -s "$SITE/var/held" ] && break; sleep 0.1; done
	read -r req child < "$SITE/var/held"
	kill -KILL "$child"
	wait "$curl_pid" 2> /dev/null
	wait_drained 60
	n=$(get reqs.php | grep -c -x "$req")
	c=$(get count.php)
	check "recycle: the 5 tasks of a child killed (SIGKILL) right after dispatching all ran (request $req: $(($(json rows <<< "$c") - 300)) rows)" \
		test "$n" -eq 1 -a "$(json rows <<< "$c")" -eq 305 -a "$(json incomplete_requests <<< "$c")" -eq 0
	stop_site
}
