# The `redis_fpm_node` scenario (t_redis_fpm_node): php-fpm with asynctask.enable=1
# and a Redis backend, where each FPM pool section's own pool is a node (README
# "php-fpm nodes"): requests dispatch to Redis, the sections' pools take the tasks
# from it. Sourced by .ci/fpm after redis.bash (redis_site, redis_cli, start_node,
# redis_backlog, wait_backlog, stop_redis).
#
# Checks: each section's pool joins the consumer group as asynctask.node/section
# at the section's first request; a request's tasks go through the stream (not the
# local queue) and come back from the section's workers, running as the pool user;
# fire-and-forget tasks run once each; the sections serve the named queues of
# asynctask.queues ("default,mail:1"): a task onQueue('mail') goes through mail's
# stream and runs on a section's mail worker; Pool::stats() in a request shows the node's
# figures; a SIGUSR2 reload keeps serving (the old pools drain, the new ones take
# over, no task lost or run twice; tasks delayed on a named queue before the
# reload run after it, once); stopping php-fpm drains: the tasks running
# finish and are acknowledged, nothing stays in hand of a gone node, what was not
# taken waits in Redis for the next node.

# redis_entries_read [QUEUE]: entries the group of QUEUE's stream (default) has handed out so far (0 before the first)
redis_entries_read() {
	local n
	n=$(redis_cli xinfo groups "fpmnode:q:${1:-default}" 2> /dev/null | awk 'prev == "entries-read" { print $1 } { prev = $1 }')
	echo "${n:-0}"
}

# node_backlog: entries of the scenario's stream waiting or in hand (redis.bash)
node_backlog() { redis_backlog fpmnode:q:default; }

# consumers_started: the consumer names the sections' nodes logged, sorted, on one line
consumers_started() {
	sed -n 's/.*redis node: serving the queue(s) default, mail of prefix fpmnode at .* as consumer \(.*\)$/\1/p' "$SITE/var/asynctask.log" |
		sort -u | tr '\n' ' ' | sed 's/ $//'
}

# wait_rows N SECONDS: until the tasks table has N rows
wait_rows() {
	local deadline=$((SECONDS + $2))
	while [ $SECONDS -lt $deadline ]; do
		[ "$(json rows <<< "$(get count.php)")" = "$1" ] && return 0
		sleep 0.2
	done
	return 1
}

t_redis_fpm_node() {
	echo "--- redis_fpm_node: the php-fpm sections' own pools are the nodes (asynctask.enable=1 + asynctask.backend)"
	redis_site redis_fpm_node redis-node || return
	configure ENABLE=1 WORKERS=2 CHILDREN=4 SHUTDOWN_TIMEOUT=10 EXTRA_INI="asynctask.backend=redis://:$REDIS_PASSWORD@127.0.0.1:$REDIS_PORT
asynctask.secret_file=$SITE/secret
asynctask.prefix=fpmnode
asynctask.queues=\"default,mail:1\"
asynctask.node=web1
asynctask.visibility_timeout=5
asynctask.dispatch_timeout=5"
	start_fpm && start_nginx || { fail "redis_fpm_node: php-fpm + nginx start"; stop_site; return; }
	check "redis_fpm_node: database ready" test "$(get setup.php)" = ready
	get b/ping.php > /dev/null
	local deadline=$((SECONDS + 20))
	while [ $SECONDS -lt $deadline ] && [ "$(consumers_started)" != "web1/a web1/b" ]; do sleep 0.1; done
	check "redis_fpm_node: each section's pool became a node at its first request, as consumer asynctask.node/section ($(consumers_started))" \
		test "$(consumers_started)" = "web1/a web1/b"

	local r s before after
	before=$(redis_entries_read)
	r=$(GET_TIMEOUT=30 get result.php)
	after=$(redis_entries_read)
	check "redis_fpm_node: results come back to the waiting request ($(json values <<< "$r"))" \
		test "$(json values <<< "$r")" = "[7,14,21]"
	check "redis_fpm_node: its 4 tasks went through the stream (entries read $before -> $after)" \
		test "$((after - before))" -eq 4
	check "redis_fpm_node: the tasks ran as the pool user ($(json task_uid <<< "$r"))" \
		test "$(json task_uid <<< "$r")" = "$(id -u "$FPM_USER") $(id -u "$FPM_USER")"
	s=$(stats)
	check "redis_fpm_node: stats() in a request shows the section's node ($(json backend <<< "$s"), connected $(json backend_connected <<< "$s"), $(json workers <<< "$s") workers)" \
		test "$(json backend <<< "$s")" = redis -a "$(json backend_connected <<< "$s")" = true -a "$(json workers <<< "$s")" = 3
	local pool_pids
	pool_pids=$(json worker_pids <<< "$s")
	local all_pids
	all_pids="$(json worker_pids <<< "$(get b/stats.php)") $pool_pids"
	local ran_on
	ran_on=$(json worker_pids <<< "$r" | tr -d '[]' | tr ',' ' ')
	local p ok=1
	for p in $ran_on; do grep -q "\b$p\b" <<< "$all_pids" || ok=0; done
	check "redis_fpm_node: the tasks ran on the sections' own workers ($ran_on in $all_pids)" test "$ok" = 1
	r=$(GET_TIMEOUT=30 get "b/result.php?x=5")
	check "redis_fpm_node: section [b] dispatches too ($(json values <<< "$r"))" test "$(json values <<< "$r")" = "[5,10,15]"

	# a named queue: the sections serve every queue of asynctask.queues, each with its workers
	local section path mail_before mail_after default_before default_after
	for section in a b; do
		path=queue_node.php
		[ "$section" = b ] && path=b/queue_node.php
		mail_before=$(redis_entries_read mail)
		default_before=$(redis_entries_read)
		r=$(GET_TIMEOUT=40 get "$path")
		mail_after=$(redis_entries_read mail)
		default_after=$(redis_entries_read)
		check "redis_fpm_node [$section]: tasks onQueue('mail') ran on the mail queue, the other on default ($(json queues <<< "$r") $(json values <<< "$r") $(json error <<< "$r"))" \
			test "$(json queues <<< "$r")" = '["mail","mail","mail","default"]' -a "$(json values <<< "$r")" = "[1,2,3,4]"
		check "redis_fpm_node [$section]: 3 went through mail's stream, 1 through default's (entries read: mail $mail_before -> $mail_after, default $default_before -> $default_after)" \
			test "$((mail_after - mail_before))" -eq 3 -a "$((default_after - default_before))" -eq 1
		check "redis_fpm_node [$section]: the section's node has both queues with their workers ($(json workers <<< "$r"))" \
			test "$(json workers <<< "$r")" = '{"default":2,"mail":1}'
		all_pids="$(json worker_pids <<< "$(get b/stats.php)") $(json worker_pids <<< "$(stats)")"
		ran_on=$(json pids <<< "$r" | tr -d '[]' | tr ',' ' ')
		ok=1
		for p in $ran_on; do grep -q "\b$p\b" <<< "$all_pids" || ok=0; done
		check "redis_fpm_node [$section]: they ran on the sections' own workers ($ran_on in $all_pids)" test "$ok" = 1
	done
	check "redis_fpm_node: nothing waiting or in hand on mail's stream" wait_backlog 30 fpmnode:q:mail

	# fire and forget: each task once
	local i
	for i in $(seq 20); do get fire.php > /dev/null; done
	check "redis_fpm_node: 20 fire-and-forget requests: 100 tasks recorded" wait_rows 100 60
	local c
	c=$(get count.php)
	check "redis_fpm_node: each task once ($(json rows <<< "$c") rows, $(json distinct <<< "$c") distinct)" \
		test "$(json rows <<< "$c")" = 100 -a "$(json distinct <<< "$c")" = 100
	check "redis_fpm_node: nothing waiting or in hand" wait_backlog 30 fpmnode:q:default

	# reload with slow tasks in hand and waiting: the old pools finish theirs, the new ones take the rest
	get setup.php > /dev/null
	local old_managers
	old_managers="$(json manager_pid <<< "$(stats)") $(json manager_pid <<< "$(get b/stats.php)")"
	for i in $(seq 6); do get "fire.php?ms=300" > /dev/null; done
	# and 5 delayed 2 s on the mail queue, dispatched just before the reload: they run once
	get "fire.php?delay=2&queue=mail" > /dev/null
	kill -USR2 "$MASTER"
	sleep 1
	wait_listening "$PORT_A" && wait_listening "$PORT_B"
	get ping.php > /dev/null
	get b/ping.php > /dev/null
	r=$(GET_TIMEOUT=30 get "result.php?x=3")
	check "redis_fpm_node: after a reload (SIGUSR2) results come back ($(json values <<< "$r"))" \
		test "$(json values <<< "$r")" = "[3,6,9]"
	check "redis_fpm_node: the 35 tasks around the reload recorded (30, and 5 delayed on mail)" wait_rows 35 60
	c=$(get count.php)
	check "redis_fpm_node: each once ($(json rows <<< "$c") rows, $(json distinct <<< "$c") distinct)" \
		test "$(json rows <<< "$c")" = 35 -a "$(json distinct <<< "$c")" = 35
	check "redis_fpm_node: mail's delayed set is empty ($(redis_cli zcard fpmnode:delayed:mail))" \
		test "$(redis_cli zcard fpmnode:delayed:mail)" = 0
	# shellcheck disable=SC2086
	check "redis_fpm_node: the old pools' managers left ($old_managers)" wait_gone 30 $old_managers
	check "redis_fpm_node: new managers serve ($(json manager_pid <<< "$(stats)"))" \
		bash -c "! grep -qw '$(json manager_pid <<< "$(stats)")' <<< '$old_managers'"

	# stopping php-fpm drains: 2 slow tasks per section's worker run, the rest waits in Redis
	get setup.php > /dev/null
	wait_backlog 30 fpmnode:q:default
	local managers
	managers="$(json manager_pid <<< "$(stats)") $(json manager_pid <<< "$(get b/stats.php)")"
	for i in $(seq 4); do get "fire.php?ms=1500" > /dev/null; done
	sleep 1
	local running_rows_before
	note "redis_fpm_node: stopping php-fpm with $(node_backlog) tasks waiting or in hand"
	stop_site
	# shellcheck disable=SC2086
	check "redis_fpm_node: the sections' pools are gone after php-fpm stopped" wait_gone 20 $managers
	local pending
	pending=$(redis_cli xinfo groups "fpmnode:q:default" | awk 'prev == "pending" { print $1 } { prev = $1 }')
	c=$("$PHP_BIN" -n -d extension=pdo -d extension=pdo_sqlite -r '$db = new PDO("sqlite:" . $argv[1]);
		echo $db->query("SELECT COUNT(*) FROM tasks")->fetchColumn();' "$SITE/var/test.sqlite" 2> /dev/null)
	running_rows_before=$c
	local waiting
	waiting=$(node_backlog)
	check "redis_fpm_node: nothing left in hand of the gone nodes (pending $pending), the running tasks finished ($c rows), the rest waits in Redis ($waiting)" \
		test "$pending" = 0 -a "$c" -ge 1 -a "$((c + waiting))" = 20
	# what was not taken runs on the next node: all 20 once each
	start_node n1
	local node1=$NODE_PID
	check "redis_fpm_node: a Pool::serve() node runs what waited" wait_backlog 60 fpmnode:q:default
	c=$("$PHP_BIN" -n -d extension=pdo -d extension=pdo_sqlite -r '$db = new PDO("sqlite:" . $argv[1]);
		echo $db->query("SELECT COUNT(*) || \" \" || COUNT(DISTINCT req || \"/\" || n) FROM tasks")->fetchColumn();' \
		"$SITE/var/test.sqlite" 2> /dev/null)
	check "redis_fpm_node: all 20 tasks ran once ($running_rows_before before the node, rows and distinct now: $c)" test "$c" = "20 20"
	kill -TERM "$node1"
	wait_gone 30 "$node1"
	stop_redis
}
