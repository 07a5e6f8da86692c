# The `redis` scenario (t_redis): php-fpm children that only dispatch, to a real
# redis-server, and Pool::serve() nodes that run the tasks (README "Several
# machines: nodes"): the site's own user story, on one machine. Sourced by .ci/fpm.
#
# Checks: no FPM child or master starts a pool (asynctask.enable=0, backend set);
# fire-and-forget tasks dispatched before any node runs wait in Redis for the
# first node; results come back to the waiting request from a node's worker
# running as the pool user; under load with a second node started half-way and
# the first SIGKILLed (its whole tree) after that, every task of every request
# answered 200 runs, none is lost, and the only tasks that ran twice are ones
# the killed node had in hand (at-least-once delivery: DESIGN.md section 4).

# redis_cli ARG...: redis-cli against the scenario's server
redis_cli() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" -a "$REDIS_PASSWORD" --no-auth-warning "$@"; }

# start_redis: a private redis-server on a free loopback port, in $SITE/redis
start_redis() {
	REDIS_PORT=$(free_port) REDIS_PASSWORD="fpm-$RANDOM$RANDOM-password"
	mkdir -p "$SITE/redis"
	cat > "$SITE/redis/redis.conf" <<- CONF
		bind 127.0.0.1
		port $REDIS_PORT
		dir $SITE/redis
		daemonize no
		save ""
		appendonly no
		logfile $SITE/redis/redis.log
		requirepass $REDIS_PASSWORD
	CONF
	redis-server "$SITE/redis/redis.conf" < /dev/null > /dev/null 2>&1 &
	REDIS_PID=$!
	disown "$REDIS_PID"
	FPM_PIDS+=("$REDIS_PID")
	local i
	for i in $(seq 100); do
		[ "$(redis_cli ping 2> /dev/null)" = PONG ] && return 0
		sleep 0.05
	done
	echo "redis-server did not start:"; tail -n 20 "$SITE/redis/redis.log"
	return 1
}

# start_node NAME: a Pool::serve() node as the pool user, in a session of its own; sets NODE_PID
start_node() {
	local name=$1 as=()
	[ "$(id -u)" -eq 0 ] && as=(setpriv --reuid="$FPM_USER" --regid="$FPM_GROUP" --init-groups)
	# the site's php.ini (extensions, backend, prefix), with the node's own copy of the secret
	setsid "${as[@]}" "$PHP_BIN" -n -c "$SITE/php.ini" -d asynctask.secret_file="$SITE/var/node-secret" \
		-d asynctask.node="$name" -d asynctask.workers=4 "$SITE/app/node.php" \
		> "$SITE/log/node-$name.out" 2>&1 < /dev/null &
	NODE_PID=$!
	disown "$NODE_PID"
	FPM_PIDS+=("$NODE_PID")
}

# kill_tree PID: SIGKILL to PID and all its descendants (a machine that dies)
kill_tree() {
	local pids=()
	mapfile -t pids < <(descendants "$1")
	kill -KILL "$1" "${pids[@]}" 2> /dev/null
	wait_gone 10 "$1" "${pids[@]}"
}

# redis_backlog [STREAM]: entries not yet acknowledged (waiting + in hand) in a stream
# (default: the redis scenario's default queue)
redis_backlog() {
	redis_cli xinfo groups "${1:-fpmtest:q:default}" 2> /dev/null |
		awk 'prev == "pending" || prev == "lag" { n += $1 } { prev = $1 } END { print n + 0 }'
}

# wait_backlog SECONDS [STREAM]: until the stream has nothing waiting or in hand
wait_backlog() {
	local deadline=$((SECONDS + $1))
	while [ $SECONDS -lt $deadline ]; do
		[ "$(redis_backlog "${2:-}")" = 0 ] && return 0
		sleep 0.2
	done
	return 1
}

# redis_site LABEL NAME: a new site NAME with a private redis-server, its secret
# in $SITE/secret and a copy in $SITE/var/node-secret, and app/node.php, a
# Pool::serve() node; returns 1 after a skip when the build has no Redis
# backend or redis-server is missing, after a failure when it did not start
redis_site() {
	local label=$1 info
	info=$("$PHP_BIN" -n -d extension="$FPM_SO" -i 2> /dev/null)
	if ! grep -q '^Redis backend => compiled in' <<< "$info"; then
		skip "$label: this asynctask.so is built without the Redis backend"
		return 1
	fi
	command -v redis-server > /dev/null && command -v redis-cli > /dev/null ||
		{ skip "$label: redis-server is not installed"; return 1; }
	new_site "$2"
	start_redis || { fail "$label: redis-server start"; stop_site; return 1; }
	# the master reads its secret as root at startup (its children keep that copy);
	# a node reads its own copy as the pool user
	head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$SITE/secret"
	chmod 600 "$SITE/secret"
	cp "$SITE/secret" "$SITE/var/node-secret"
	chown "$FPM_USER:$FPM_GROUP" "$SITE/var/node-secret"
	chmod 600 "$SITE/var/node-secret"
	printf '%s\n' '<?php AsyncTask\Pool::serve(); echo "serve() returned\n";' > "$SITE/app/node.php"
}

# stop_redis: ends the site's redis-server
stop_redis() {
	kill -TERM "$REDIS_PID" 2> /dev/null
	wait_gone 10 "$REDIS_PID" || kill -KILL "$REDIS_PID" 2> /dev/null
}

t_redis() {
	echo "--- redis: php-fpm children dispatch to a real redis-server, Pool::serve() nodes run the tasks"
	redis_site redis redis || return
	configure ENABLE=0 WORKERS=2 CHILDREN=8 EXTRA_INI="asynctask.backend=redis://:$REDIS_PASSWORD@127.0.0.1:$REDIS_PORT
asynctask.secret_file=$SITE/secret
asynctask.prefix=fpmtest
asynctask.visibility_timeout=2
asynctask.dispatch_timeout=5"
	start_fpm && start_nginx || { fail "redis: php-fpm + nginx start"; stop_site; return; }
	check "redis: database ready" test "$(get setup.php)" = ready

	# before any node: the request returns, its tasks wait in Redis
	local early
	early=$(get fire.php)
	check "redis: a fire-and-forget request answers 200 while no node runs" test "$(status)" = 200
	check "redis: its 5 tasks wait in the stream" test "$(redis_cli xlen fpmtest:q:default)" = 5
	check "redis: no FPM process started a pool" \
		bash -c "! for p in \$(pgrep -P $MASTER) $MASTER; do cat /proc/\$p/comm; done 2> /dev/null | grep -q '^asynctask'"

	start_node n1
	local node1=$NODE_PID r
	r=$(GET_TIMEOUT=30 get result.php)
	check "redis: results come back to the waiting request from a node" test "$(json values <<< "$r")" = "[7,14,21]"
	check "redis: the tasks ran as the pool user ($(json task_uid <<< "$r"))" \
		test "$(json task_uid <<< "$r")" = "$(id -u "$FPM_USER") $(id -u "$FPM_USER")"
	wait_backlog 30
	local c
	c=$(get count.php)
	check "redis: the 5 tasks dispatched before any node ran once each ($(json rows <<< "$c") rows)" \
		test "$(json rows <<< "$c")" = 5 -a "$(json distinct <<< "$c")" = 5
	get setup.php > /dev/null

	# load; a second node half-way, then the first dies with tasks in hand
	local secs=${FPM_LOAD_SECONDS:-10} out=$SITE/log/wrk.out t0
	: > "$SITE/log/access.log"
	# 2 clients: the two cores are shared by nginx, FPM, Redis and both nodes; more
	# clients only queue more for the nodes to drain afterwards
	wrk_run "$out" "$BASE/fire.php?ms=1" -t1 -c2 -d"${secs}s" &
	local wrk_pid=$!
	sleep "$((secs / 3))"
	start_node n2
	local node2=$NODE_PID
	sleep "$((secs / 3))"
	note "redis: SIGKILL node n1's whole tree at t=$((2 * secs / 3)) s"
	kill_tree "$node1"
	wait "$wrk_pid"
	t0=$SECONDS
	local backlog
	backlog=$(redis_backlog)
	check "redis: the stream drained through node n2 alone" wait_backlog 180
	note "redis: $backlog entries waiting or in hand when the load ended, drained in $((SECONDS - t0)) s (backlog now $(redis_backlog))"
	local served errors rows distinct requests missing extra aborted dups
	served=$(served_ok /fire.php)
	aborted=$(access_log_field 499 /fire.php 1 | wc -l)
	errors=$(wrk_field "$out" errors)
	c=$(get count.php)
	rows=$(json rows <<< "$c") distinct=$(json distinct <<< "$c") requests=$(json requests <<< "$c")
	dups=$((rows - distinct))
	get reqs.php | sort > "$SITE/log/db-reqs"
	access_log_field 200 /fire.php 3 | sort > "$SITE/log/ok-reqs"
	missing=$(comm -23 "$SITE/log/ok-reqs" "$SITE/log/db-reqs" | wc -l)
	extra=$(comm -13 "$SITE/log/ok-reqs" "$SITE/log/db-reqs" | wc -l)
	note "redis: wrk $(wrk_field "$out" requests) requests, $(wrk_field "$out" rps) req/s, p50 $(wrk_field "$out" p50) ms, p99 $(wrk_field "$out" p99) ms, $errors errors; nginx: $served answered 200, $aborted cut off by wrk (499)"
	note "redis: rows $rows, distinct (req,n) $distinct, requests with rows $requests, worker pids $(json pids <<< "$c"), dead stream $(redis_cli xlen fpmtest:dead)"
	check "redis: requests were served ($served) with no error ($errors)" test "$served" -gt 0 -a "$errors" -eq 0
	check "redis: every request answered 200 has its tasks recorded ($missing without)" test "$missing" -eq 0
	check "redis: every task of every request recorded: distinct (req,n) = 5 x requests ($distinct = 5 x $requests)" \
		test "$distinct" -eq $((5 * requests))
	check "redis: rows only of requests answered 200 or cut off by wrk ($extra others, $aborted cut off)" test "$extra" -le "$aborted"
	# at-least-once: only what n1 held when it died runs again: a task on each of its 4 workers,
	# and a result each it may have finished without its acknowledgement reaching Redis
	check "redis: tasks that ran twice ($dups) are at most the 8 n1 could hold" test "$dups" -le 8
	check "redis: nothing was dead-lettered" test "$(redis_cli xlen fpmtest:dead)" = 0
	check "redis: node n2 is still serving" alive "$node2"
	kill -TERM "$node2"
	check "redis: node n2 ends on SIGTERM (serve() returns)" wait_gone 30 "$node2"
	grep -q 'serve() returned' "$SITE/log/node-n2.out" || note "node n2's output: $(tail -n 5 "$SITE/log/node-n2.out")"
	stop_site
	stop_redis
}
