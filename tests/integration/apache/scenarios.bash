# The Apache (mod_php, prefork) scenarios, sourced by .ci/apache after lib.bash.
# Each t_* function starts its own Apache on a free loopback port in a fresh
# directory with the php-fpm tests' app (tests/integration/fpm/fixtures), prints
# one line per check (ok/FAIL/skip) and stops what it started.

# One request that waits for its tasks: does the pool work at all?
t_smoke() {
	echo "--- smoke: one task from one request"
	start_apache_site || { fail "smoke: Apache start"; stop_site; return 1; }
	local ok=0
	smoke_check "a request under mod_php gets its tasks' results" apache2handler ||
		{ note "error.log: $(tail -n 3 "$SITE/log/error.log" | cut -c 1-200 | paste -sd '|')"; ok=1; }
	stop_site
	return $ok
}

t_inert() {
	echo "--- inert: no asynctask.enable"
	start_apache_site ENABLE=0 || { fail "inert: Apache start"; stop_site; return; }
	local r
	r=$(get inert.php)
	check "inert: dispatch() in a request throws AsyncTask\\Exception" test "$(json class <<< "$r")" = 'AsyncTask\Exception'
	check "inert: the message names asynctask.enable=1 and the apache2handler SAPI" \
		grep -q 'apache2handler SAPI: set asynctask.enable=1' <<< "$(json message <<< "$r")"
	check "inert: no asynctask process runs ($(site_pool_processes | tr '\n' ' '))" test -z "$(site_pool_processes)"
	stop_site
}

# One pool per Apache parent, as the children's user, shared by all children.
t_functional() {
	echo "--- functional: one pool per Apache parent, as the children's user"
	start_apache_site WORKERS=2 CHILDREN=3 || { fail "functional: Apache start"; stop_site; return; }
	local r s sup want_uid i
	want_uid=$(id -u "$FPM_USER")
	sleep 0.5
	sup=$(site_supervisors)
	check "start: one supervisor runs before any request, with no pool yet ($(site_pool_processes | tr '\n' ' '))" \
		test "$(site_pool_processes)" = "asynctask-sup"
	check "start: the supervisor ($sup) runs as the parent's user, not as a child of Apache's parent" \
		test -n "$sup" -a "$(proc_field "$sup" Uid)" = "$(proc_field "$MASTER" Uid)" -a "$(proc_field "$sup" PPid)" != "$MASTER"
	check "start: the parent's only children are Apache's 3 ($(apache_children | wc -l))" test "$(apache_children | wc -l)" -eq 3
	check "start: the supervisor holds none of Apache's listening sockets" \
		bash -c "! ss -ltnpH 'sport = :$HTTP_PORT' 2> /dev/null | grep -q 'pid=$sup,'"
	r=$(get result.php?x=7)
	check "results: a request waits and gets its results back ([7,14,21])" test "$(json values <<< "$r")" = "[7,14,21]"
	check "uid: tasks run as Apache's User $FPM_USER ($(json task_uid <<< "$r"))" \
		test "$(json task_uid <<< "$r")" = "$want_uid $want_uid"
	# many requests at once, over all children: each gets its own results, from one pool
	local got managers
	got=$(seq 60 | xargs -P 6 -I{} sh -c 'printf "%s %s\n" {} "$(curl -s --max-time 20 "$0/result.php?x={}")"' "$BASE" | tally_results)
	check "results: 60 requests, 6 at a time, each get their own results ($got)" test "$got" = "60 ok"
	managers=$(for i in $(seq 12); do json manager_pid <<< "$(stats)"; echo; done | sort -u | grep -c .)
	check "pool: every child's stats() names the same manager ($managers distinct over 12 requests)" test "$managers" -eq 1
	for i in $(seq 50); do
		s=$(stats)
		[ "$(json workers <<< "$s")" = 2 ] && break
		sleep 0.1
	done
	FPM_PIDS+=($(pool_pids))
	local mgr wpids p bad=0
	mgr=$(json manager_pid <<< "$s")
	wpids=$(json worker_pids <<< "$s" | tr -d '[]' | tr ',' ' ')
	check "pool: the manager ($mgr) runs as $FPM_USER and is the supervisor's child" \
		test -n "$mgr" -a "$(proc_field "$mgr" Uid)" = "$want_uid" -a "$(proc_field "$mgr" PPid)" = "$sup"
	for p in $wpids; do
		[ "$(proc_field "$p" Uid)" = "$want_uid" ] && [ "$(proc_field "$p" PPid)" = "$mgr" ] || bad=$((bad + 1))
	done
	check "pool: its 2 workers ($wpids) run as $FPM_USER, children of the manager" test -n "${wpids// /}" -a "$bad" -eq 0
	check "pool: one manager and 2 workers beside the supervisor ($(site_pool_processes | tr '\n' ' '))" \
		test "$(site_pool_processes | paste -sd ' ')" = "asynctask-mgr asynctask-sup asynctask-task asynctask-task"
	r=$(get control.php)
	check "control: Pool::stats() and reload() work in a request" test "$(json stats <<< "$r")" = ok -a "$(json reload <<< "$r")" = ok
	check "control: Pool::stop() throws, naming Apache" grep -q 'belongs to the Apache master' <<< "$(json stop <<< "$r")"
	check "control: tasks run after those calls" test "$(json after <<< "$r")" = 'still works'
	bootstrap_once "bootstrap"
	# fire-and-forget: the request returns at once, the tasks complete after it
	fire_and_forget_check
	stop_site
}

# opcache on (its shared memory and lock file are the parent's, inherited by
# the pool): closures of request scripts, first compiled, then cached; and
# across a graceful restart
t_opcache() {
	echo "--- opcache on"
	start_apache_site WORKERS=2 CHILDREN=2 OPCACHE=1 || { fail "opcache: Apache start"; stop_site; return; }
	local r
	r=$(get result.php)
	check "opcache: results back ([7,14,21])" test "$(json values <<< "$r")" = "[7,14,21]"
	opcache_checks
	FPM_PIDS+=($(pool_pids))
	graceful || fail "opcache: apachectl graceful"
	r=$(await_results)
	FPM_PIDS+=($(pool_pids) $(site_supervisors))
	check "opcache: results back after a graceful restart" test "$(json values <<< "$r")" = "[7,14,21]"
	closures_check "closures (opcache on, after a graceful restart)"
	check "opcache: no worker failed to start ($(grep -c 'could not start\|Cannot create lock' "$SITE/var/asynctask.log") lines)" \
		bash -c "! grep -q 'could not start\|Cannot create lock' '$SITE/var/asynctask.log'"
	stop_site
}

# apachectl graceful, three times, with slow tasks queued before the first:
# the parent shuts PHP down and starts it again, so the old pool drains and
# leaves and a new one serves the new children; nothing accumulates.
t_graceful() {
	echo "--- graceful: apachectl graceful with slow tasks queued"
	start_apache_site WORKERS=2 CHILDREN=2 || { fail "graceful: Apache start"; stop_site; return; }
	local r old_pids=() old_sup new new_sup n i fds_before fds_after round
	r=$(get result.php)
	check "graceful: results back before" test "$(json values <<< "$r")" = "[7,14,21]"
	mapfile -t old_pids < <(pool_pids | grep .)
	FPM_PIDS+=("${old_pids[@]}")
	old_sup=$(site_supervisors)
	fds_before=$(ls "/proc/$MASTER/fd" | wc -l)
	get "slow.php?tag=gr&n=4&ms=1000" > /dev/null
	graceful || { fail "graceful: apachectl graceful"; stop_site; return; }
	r=$(await_results)
	check "graceful: results back after the graceful restart" test "$(json values <<< "$r")" = "[7,14,21]"
	new=$(json manager_pid <<< "$(stats)")
	new_sup=$(site_supervisors | grep -v -x "$old_sup" | head -n 1)
	FPM_PIDS+=($(pool_pids) $new_sup)
	check "graceful: the same parent ($MASTER) runs on" alive "$MASTER"
	check "graceful: a new pool serves the new children (manager ${old_pids[0]} -> $new)" \
		test -n "$new" -a "$new" != "${old_pids[0]}"
	check "graceful: the old pool and its supervisor exit after draining" wait_gone 20 "${old_pids[@]}" "$old_sup"
	n=$(done_count gr)
	check "graceful: the 4 tasks dispatched before it completed ($n)" test "$n" -eq 4
	bootstrap_once "graceful: bootstrap"
	for round in 2 3; do
		mapfile -t old_pids < <(pool_pids | grep .)
		graceful || fail "graceful: apachectl graceful ($round)"
		r=$(await_results)
		FPM_PIDS+=($(pool_pids) $(site_supervisors))
		wait_gone 20 "${old_pids[@]}" || true
	done
	check "graceful: results back after 3 graceful restarts" test "$(json values <<< "$r")" = "[7,14,21]"
	sleep 1
	check "graceful: after 3 of them, one supervisor runs ($(site_supervisors | paste -sd ' '))" \
		test "$(site_supervisors | wc -l)" -eq 1
	check "graceful: one pool: a manager and 2 workers ($(site_pool_processes | paste -sd ' '))" \
		test "$(site_pool_processes | paste -sd ' ')" = "asynctask-mgr asynctask-sup asynctask-task asynctask-task"
	fds_after=$(ls "/proc/$MASTER/fd" | wc -l)
	check "graceful: the parent holds no more descriptors than before ($fds_before -> $fds_after)" \
		test "$fds_after" -le "$fds_before"
	# apachectl restart (SIGHUP: the children are killed at once, PHP restarts)
	mapfile -t old_pids < <(pool_pids | grep .)
	old_sup=$(site_supervisors)
	APACHE_ARGUMENTS="-f $SITE/httpd.conf" "$APACHECTL_BIN" restart > "$SITE/log/apachectl.out" 2>&1 ||
		fail "graceful: apachectl restart ($(cat "$SITE/log/apachectl.out"))"
	r=$(await_results)
	FPM_PIDS+=($(pool_pids) $(site_supervisors))
	check "restart: results back after apachectl restart" test "$(json values <<< "$r")" = "[7,14,21]"
	check "restart: the old pool and supervisor leave" wait_gone 20 "${old_pids[@]}" "$old_sup"
	check "restart: one supervisor runs ($(site_supervisors | paste -sd ' '))" test "$(site_supervisors | wc -l)" -eq 1
	grep -q 'PHP Warning.*asynctask' "$SITE/log/error.log" && note "error.log: $(grep -m1 'PHP Warning.*asynctask' "$SITE/log/error.log")"
	stop_site
}

# The first request of a fresh server, still running when Apache restarts
# gracefully, dispatches for the first time (so its old child asks the old
# supervisor for a pool) only after the restart: it gets its pool and its
# results. (The old supervisor lets its pools go only once the old children
# are gone too.)
t_graceful_inflight() {
	echo "--- graceful_inflight: a request in flight across apachectl graceful"
	start_apache_site WORKERS=2 CHILDREN=2 || { fail "graceful_inflight: Apache start"; stop_site; return; }
	local out=$SITE/log/late.out late_pid r i
	curl -s --max-time 30 "$BASE/late.php?ms=2500" > "$out" 2>&1 &
	late_pid=$!
	sleep 0.5
	graceful || fail "graceful_inflight: apachectl graceful"
	wait "$late_pid"
	check "graceful_inflight: its first dispatch, after the restart, gets a pool and the results ($(head -c 300 "$out"))" \
		test "$(json values.0 < "$out")" = 42 -a -n "$(json values.1 < "$out")"
	r=$(await_results)
	FPM_PIDS+=($(pool_pids) $(site_supervisors))
	check "graceful_inflight: the new children get results" test "$(json values <<< "$r")" = "[7,14,21]"
	for i in $(seq 100); do [ "$(site_supervisors | wc -l)" -eq 1 ] && break; sleep 0.2; done
	check "graceful_inflight: then the old supervisor leaves: one runs ($(site_supervisors | paste -sd ' '))" \
		test "$(site_supervisors | wc -l)" -eq 1
	stop_site
}

# lifecycle HOW: a warm pool with 4 slow tasks queued; stop Apache (HOW: stop
# = -k stop, SIGTERM; graceful-stop = -k graceful-stop; KILL = SIGKILL of the
# parent); the tasks complete, and nothing of the server remains, its port free.
lifecycle() {
	local how=$1 label="lifecycle $1"
	start_apache_site WORKERS=2 CHILDREN=2 SHUTDOWN_TIMEOUT=10 || { fail "$label: Apache start"; stop_site; return; }
	local r pids=() kids=() n left t0
	r=$(get result.php)
	check "$label: results back" test "$(json values <<< "$r")" = "[7,14,21]"
	mapfile -t pids < <(pool_pids | grep .)
	pids+=($(site_supervisors))
	mapfile -t kids < <(apache_children)
	FPM_PIDS+=("${pids[@]}" "${kids[@]}")
	get "slow.php?tag=st&n=4&ms=1000" > /dev/null
	t0=$SECONDS
	case $how in
	stop | graceful-stop) apache_ctl -k "$how" > /dev/null 2>&1 ;;
	KILL) kill -KILL "$MASTER" ;;
	esac
	check "$label: the parent exits" wait_gone 30 "$MASTER"
	pool_gone_check "$label" 20 "$t0" "the pool and its supervisor (${pids[*]}) are" after "${pids[@]}"
	n=$(done_count st)
	check "$label: the 4 tasks queued before it completed ($n)" test "$n" -eq 4
	if [ "$how" = KILL ]; then
		# Apache's own behaviour: the children of a killed parent live on, and serve
		note "$label: Apache children left by the killed parent (Apache's own behaviour): $(alive_pids "${kids[@]}")"
		orphan_dispatch_check "$label" "a child"
	fi
	left=$(for p in $(pgrep -f -- "$SITE/" 2> /dev/null); do alive "$p" && echo "$p"; done |
		grep -v -x -F -f <(printf '%s\n' "${kids[@]}") | paste -sd ' ')
	check "$label: no other process of this server remains ($left)" test -z "$left"
	[ "$how" != KILL ] && check "$label: its port $HTTP_PORT is free" port_free "$HTTP_PORT"
	for p in "${kids[@]}"; do alive "$p" && kill -KILL "$p" 2> /dev/null; done
	MASTER=""
	stop_site
}
t_lifecycle() {
	echo "--- lifecycle: -k stop, -k graceful-stop, SIGKILL of the parent"
	local how
	for how in stop graceful-stop KILL; do
		lifecycle "$how"
	done
}

# Two Apache servers of two users at once: a pool each, each as its own user;
# neither's children reach the other's pool (never a pool shared across users).
t_users() {
	echo "--- users: two Apache servers, two users"
	if [ "$(id -u)" -ne 0 ]; then
		skip "users: needs root (Apache's User)"
		return
	fi
	local other=nobody
	[ "$other" = "$FPM_USER" ] && other=daemon
	SITE_NAME=apache-a start_apache_site USER="$FPM_USER" || { fail "users: Apache A start"; stop_site; return; }
	local site_a=$SITE base_a=$BASE master_a=$MASTER
	SITE_NAME=apache-b start_apache_site USER="$other" || { fail "users: Apache B start"; stop_site; SITE=$site_a MASTER=$master_a stop_site; return; }
	local site_b=$SITE base_b=$BASE master_b=$MASTER
	local ra rb ma mb
	BASE=$base_a SITE=$site_a ra=$(get result.php)
	BASE=$base_b SITE=$site_b rb=$(get result.php)
	ma=$(BASE=$base_a SITE=$site_a stats | json manager_pid)
	mb=$(BASE=$base_b SITE=$site_b stats | json manager_pid)
	FPM_PIDS+=($(BASE=$base_a SITE=$site_a pool_pids) $(BASE=$base_b SITE=$site_b pool_pids))
	check "users: A's tasks run as $FPM_USER ($(json task_uid <<< "$ra"))" \
		test "$(json task_uid <<< "$ra")" = "$(id -u "$FPM_USER") $(id -u "$FPM_USER")"
	check "users: B's tasks run as $other ($(json task_uid <<< "$rb"))" \
		test "$(json task_uid <<< "$rb")" = "$(id -u "$other") $(id -u "$other")"
	check "users: two managers ($ma as $(proc_field "$ma" Uid), $mb as $(proc_field "$mb" Uid))" \
		test -n "$ma" -a -n "$mb" -a "$ma" != "$mb" -a "$(proc_field "$ma" Uid)" = "$(id -u "$FPM_USER")" \
		-a "$(proc_field "$mb" Uid)" = "$(id -u "$other")"
	SITE=$site_b MASTER=$master_b stop_site
	SITE=$site_a MASTER=$master_a stop_site
	SITE=$site_a
}

# load LABEL GRACEFUL(0|1): FPM_LOAD_CLIENTS clients x FPM_LOAD_SECONDS of fire.php
# (5 fire-and-forget tasks each, into SQLite), with `apachectl graceful` half-way
# when GRACEFUL=1; every task of every request Apache answered is recorded
# exactly once.
apache_load() {
	local label=$1 graceful_too=$2
	load_site "$label" Apache start_apache_site || return
	local old_mgr out=$SITE/log/wrk.out t0 drain
	old_mgr=$(json manager_pid <<< "$(stats)")
	# (--timeout 10s: on a loaded 2-CPU machine a response may take over wrk's
	# default 2 s while Apache replaces its children; it is a late response, not
	# a lost one)
	wrk_run "$out" "$BASE/fire.php" -t2 -c"$FPM_LOAD_CLIENTS" -d"${FPM_LOAD_SECONDS}s" --timeout 10s &
	local wrk_pid=$!
	if [ "$graceful_too" = 1 ]; then
		sleep "$((FPM_LOAD_SECONDS / 2))"
		note "apachectl graceful at t=$((FPM_LOAD_SECONDS / 2)) s"
		graceful || fail "$label: apachectl graceful"
	fi
	wait "$wrk_pid"
	t0=$SECONDS
	if [ "$graceful_too" = 1 ]; then
		new_pool_checks "$label" "$old_mgr" "a new pool serves after the graceful restart"
		FPM_PIDS+=($(pool_pids) $(site_supervisors))
	fi
	local served aborted rps errors c rows distinct requests incomplete missing extra
	fire_figures "$out" "$t0"
	note "$label: $(wrk_summary "$out"); Apache answered $served with 200; drained ${drain} s after the load"
	note "$label: rows $rows, distinct (req,n) $distinct, requests with rows $requests, stats $(stats)"
	check "$label: requests were served ($served)" test "$served" -gt 0
	if [ "$graceful_too" = 1 ]; then
		# a graceful restart closes the old children's keep-alive connections
		# (Apache's own behaviour): wrk counts each as a read or write error, once
		# per connection at most; no connection is refused, none times out
		local non2xx other closed refused
		non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")
		closed=$(awk '/Socket errors:/ { gsub(/,/, ""); print $6 + $8 }' "$out")
		refused=$(awk '/Socket errors:/ { gsub(/,/, ""); print $4 + $10 }' "$out")
		other=$(awk '$1 != 200' "$SITE/log/access.log" | wc -l)
		check "$label: every response was a 200 (${non2xx:-0} others; Apache logged $other others; ${refused:-0} connections refused or timed out); ${closed:-0} keep-alive connections closed by the restart (at most $FPM_LOAD_CLIENTS)" \
			test "${non2xx:-0}" -eq 0 -a "$other" -eq 0 -a "${refused:-0}" -eq 0 -a "${closed:-0}" -le "$FPM_LOAD_CLIENTS"
	else
		check "$label: every request answered 200 ($errors errors)" test "$errors" -eq 0
	fi
	exactly_once_checks "$label" "$rows" "$distinct" "$requests" "$incomplete"
	check "$label: every request answered 200 has its 5 rows ($missing without), and no other has rows ($extra)" \
		test "$missing" -eq 0 -a "$extra" -eq 0
	stop_site
}
t_load() { apache_load "load" 0; }
t_graceful_load() { apache_load "load + graceful" 1; }
