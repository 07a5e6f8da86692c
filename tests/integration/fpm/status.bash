# The status scenario (sourced by .ci/fpm after lib.bash): under php-fpm each
# pool section has a pool, and so a manager, of its own; each serves the
# status endpoint on the address its section is configured with (php.ini, or
# the section's php_admin_value[asynctask.status_listen]), never on one a
# script ini_set() before the section's first dispatch(). Sections left on
# php.ini's one address: the first pool takes it, the others log why they
# serve none. Fixtures: stats.php, status_ini_set.php.

# status_get PORT PATH [TOKEN]: the body; the HTTP code in $SITE/run/status_code
status_get() {
	local auth=()
	[ -n "${3:-}" ] && auth=(-H "Authorization: Bearer $3")
	curl -s --max-time 5 -o "$SITE/run/status_body" -w '%{http_code}' "${auth[@]}" "http://127.0.0.1:$1$2" \
		> "$SITE/run/status_code" 2> /dev/null || true
	cat "$SITE/run/status_body" 2> /dev/null
}
status_code() { cat "$SITE/run/status_code" 2> /dev/null; }

t_status() {
	echo "--- status: each FPM section's pool serves its own status endpoint"
	local port_a port_b port_x r mgr_a mgr_b
	port_a=$(free_port) port_b=$(free_port) port_x=$(free_port)
	start_site WORKERS=1 CHILDREN=2 EXTRA_INI="asynctask.status_listen=127.0.0.1:$port_a" \
		EXTRA_B="php_admin_value[asynctask.status_listen] = 127.0.0.1:$port_b
php_admin_value[asynctask.status_token] = section-b-token" || { fail "status: php-fpm + nginx start"; stop_site; return; }
	# [a]'s first request ini_set()s another address before it dispatches
	r=$(get "status_ini_set.php?listen=127.0.0.1:$port_x")
	check "status: [a]'s first request ran its task (ini_set took: $(json ini_set <<< "$r"))" \
		test "$(json value <<< "$r")" = "status"
	mgr_a=$(json manager_pid <<< "$r")
	r=$(get b/stats.php)
	mgr_b=$(json manager_pid <<< "$r")
	check "status: a manager per section ($mgr_a, $mgr_b)" test "$mgr_a" -gt 0 -a "$mgr_b" -gt 0 -a "$mgr_a" != "$mgr_b"
	r=$(status_get "$port_a" /api/stats)
	check "status: [a]'s pool serves php.ini's address ($port_a: HTTP $(status_code), manager $(json manager_pid <<< "$r"))" \
		test "$(status_code)" = 200 -a "$(json manager_pid <<< "$r")" = "$mgr_a"
	status_get "$port_x" /metrics > /dev/null
	check "status: not the address a script ini_set() ($port_x: HTTP $(status_code))" test "$(status_code)" = 000
	status_get "$port_b" /api/stats > /dev/null
	check "status: [b]'s pool serves its php_admin_value address, with its token (no token: HTTP $(status_code))" \
		test "$(status_code)" = 401
	r=$(status_get "$port_b" /api/stats section-b-token)
	check "status: [b]'s /api/stats is [b]'s pool (HTTP $(status_code), manager $(json manager_pid <<< "$r"))" \
		test "$(status_code)" = 200 -a "$(json manager_pid <<< "$r")" = "$mgr_b"
	r=$(status_get "$port_b" /metrics section-b-token)
	check "status: [b]'s /metrics answers" grep -q '^asynctask_tasks_total{queue="default",outcome="completed"}' <<< "$r"
	check "status: the log says where each section's pool serves" \
		grep -q "the pool of FPM section \[b\] serves its status endpoint on 127.0.0.1:$port_b" "$SITE/var/asynctask.log"
	stop_site

	# one address for all (php.ini only): the first section's pool takes it, the other says why it serves none
	port_a=$(free_port)
	start_site WORKERS=1 CHILDREN=2 EXTRA_INI="asynctask.status_listen=127.0.0.1:$port_a" ||
		{ fail "status: php-fpm + nginx start"; stop_site; return; }
	mgr_a=$(json manager_pid <<< "$(get stats.php)")
	sleep 0.3
	mgr_b=$(json manager_pid <<< "$(get b/stats.php)")
	r=$(status_get "$port_a" /api/stats)
	check "status: one address for all: the first section's pool serves it ($(json manager_pid <<< "$r") = $mgr_a)" \
		test "$(json manager_pid <<< "$r")" = "$mgr_a"
	check "status: [b]'s pool logs why it serves none, and how to give it an address" \
		grep -q "the pool of FPM section \[b\] serves no status endpoint: it cannot listen on 127.0.0.1:$port_a: Address already in use.*php_admin_value\[asynctask.status_listen\]" "$SITE/var/asynctask.log"
	note "$(grep -o 'the pool of FPM section \[b\] serves no status endpoint.*' "$SITE/var/asynctask.log" | head -n 1 | cut -c 1-240)"
	check "status: [b]'s pool runs without it (manager $mgr_b)" test "$mgr_b" -gt 0 -a "$mgr_b" != "$mgr_a"
	stop_site
}
