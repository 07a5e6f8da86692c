# Helpers for the php-fpm tests (sourced by .ci/fpm and bench/fpm-neighbour):
# configs rendered from tests/integration/fpm/templates, php-fpm and nginx
# started on free loopback ports and stopped. The rest (sites, checks, requests,
# waits, cleanup) is ../common.bash, which this sources.
#
# Needs: FPM_SO (path of asynctask.so), FPM_ROOT (the repository).

# shellcheck source=../common.bash
. "$FPM_ROOT/tests/integration/common.bash"

FPM_BIN=${FPM_BIN:-$(command -v php-fpm8.2 || echo /usr/sbin/php-fpm8.2)}
NGINX_BIN=${NGINX_BIN:-$(command -v nginx || echo /usr/sbin/nginx)}

# configure KEY=value...: renders php.ini, php-fpm.conf, nginx.conf in $SITE.
# Keys: ENABLE (1), WORKERS (2), OPCACHE (0), DAEMONIZE (no), PM (static),
# CHILDREN (4), MAX_REQUESTS (0), SHUTDOWN_TIMEOUT (10), EXTRA_INI (""),
# USER_A and USER_B (the users of sections [a] and [b]: $FPM_USER, as root),
# EXTRA_B (more lines for section [b], e.g. php_admin_value[...]).
configure() {
	local ENABLE=1 WORKERS=2 OPCACHE=0 DAEMONIZE=no PM=static CHILDREN=4 MAX_REQUESTS=0
	local SHUTDOWN_TIMEOUT=10 EXTRA_INI="" USER_A=$FPM_USER USER_B=$FPM_USER EXTRA_B="" kv
	for kv in "$@"; do local "${kv%%=*}=${kv#*=}"; done
	HTTP_PORT=$(free_port) PORT_A=$(free_port) PORT_B=$(free_port)
	local user_lines_a=";" user_lines_b=";" nginx_user=""
	if [ "$(id -u)" -eq 0 ]; then
		user_lines_a="user = $USER_A
group = $(id -gn "$USER_A")"
		user_lines_b="user = $USER_B
group = $(id -gn "$USER_B")"
		nginx_user="user $FPM_USER $FPM_GROUP;"
	fi
	local t=$FPM_ROOT/tests/integration/fpm/templates
	render_php_ini "$ENABLE" "$WORKERS" "$OPCACHE" "$SHUTDOWN_TIMEOUT" "$EXTRA_INI"
	render "$t/php-fpm.conf.in" "$SITE/php-fpm.conf" DIR="$SITE" DAEMONIZE="$DAEMONIZE" PM="$PM" \
		CHILDREN="$CHILDREN" MAX_REQUESTS="$MAX_REQUESTS" PORT_A="$PORT_A" PORT_B="$PORT_B" \
		USER_LINES_A="$user_lines_a" USER_LINES_B="$user_lines_b" EXTRA_B="$EXTRA_B"
	render "$t/nginx.conf.in" "$SITE/nginx.conf" DIR="$SITE" HTTP_PORT="$HTTP_PORT" PORT_A="$PORT_A" \
		PORT_B="$PORT_B" NGINX_USER="$nginx_user"
	BASE="http://127.0.0.1:$HTTP_PORT"
	DAEMONIZED=$DAEMONIZE
}

# start_fpm: starts php-fpm for $SITE; sets MASTER. Returns 1 when it did not come up.
start_fpm() {
	local daemonize=${DAEMONIZED:-no} i
	rm -f "$SITE/run/fpm.pid"
	if [ "$daemonize" = yes ]; then
		"$FPM_BIN" -n -c "$SITE/php.ini" -y "$SITE/php-fpm.conf" > "$SITE/log/fpm.out" 2>&1 < /dev/null || true
	else
		"$FPM_BIN" -n -c "$SITE/php.ini" -y "$SITE/php-fpm.conf" > "$SITE/log/fpm.out" 2>&1 < /dev/null &
		MASTER=$!
		disown "$MASTER" # (no "Killed" notice when a test kills it)
		FPM_PIDS+=("$MASTER")
	fi
	for i in $(seq 100); do
		if [ -s "$SITE/run/fpm.pid" ]; then
			MASTER=$(cat "$SITE/run/fpm.pid")
			FPM_PIDS+=("$MASTER")
			wait_listening "$PORT_A" && wait_listening "$PORT_B" &&
				listening_by "$PORT_A" php-fpm && listening_by "$PORT_B" php-fpm && return 0
		fi
		sleep 0.1
	done
	echo "php-fpm did not start:"; tail -n 20 "$SITE/log/fpm.out" "$SITE/log/fpm.log" 2> /dev/null
	return 1
}

start_nginx() {
	"$NGINX_BIN" -p "$SITE/nginx" -c "$SITE/nginx.conf" -e "$SITE/log/nginx-error.log" \
		> "$SITE/log/nginx.out" 2>&1 < /dev/null &
	NGINX=$!
	disown "$NGINX"
	FPM_PIDS+=("$NGINX")
	wait_listening "$HTTP_PORT" && listening_by "$HTTP_PORT" nginx ||
		{ echo "nginx did not start:"; cat "$SITE/log/nginx.out" "$SITE/log/nginx-error.log"; return 1; }
}

# start_site KEY=value...: new site, configured, php-fpm and nginx started
start_site() {
	new_site "${SITE_NAME:-site}"
	local try
	for try in 1 2 3; do
		configure "$@"   # (new free ports each time)
		start_fpm && start_nginx && return 0
		stop_site
		[ "$try" -lt 3 ] && echo "     (php-fpm or nginx did not start: again on other ports)"
	done
	return 1
}

# stop_site: ends php-fpm, its children and pool, and nginx of $SITE
stop_site() {
	local pids=() p
	[ -n "${NGINX:-}" ] && alive "$NGINX" && { kill -QUIT "$NGINX" 2> /dev/null; wait_gone 5 "$NGINX" || kill -KILL "$NGINX" 2> /dev/null; }
	if [ -n "${MASTER:-}" ] && alive "$MASTER"; then
		mapfile -t pids < <(descendants "$MASTER")
		kill -TERM "$MASTER" 2> /dev/null
		wait_gone 15 "$MASTER" "${pids[@]}" || kill -KILL "$MASTER" "${pids[@]}" 2> /dev/null
	fi
	NGINX="" MASTER=""
	true
}
