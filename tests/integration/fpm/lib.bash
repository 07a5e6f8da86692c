# Helpers for the php-fpm tests (sourced by .ci/fpm and the demo's test):
# a private temp dir, configs rendered from tests/integration/fpm/templates, php-fpm and
# nginx started on free loopback ports, HTTP requests with curl, one result
# line per check, and a cleanup that ends every process these tests started.
#
# Needs: FPM_SO (path of asynctask.so), FPM_ROOT (the repository).

FPM_BIN=${FPM_BIN:-$(command -v php-fpm8.2 || echo /usr/sbin/php-fpm8.2)}
NGINX_BIN=${NGINX_BIN:-$(command -v nginx || echo /usr/sbin/nginx)}
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

# The unprivileged user FPM's pool sections (and so the task workers) run as.
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
	local ini="asynctask.workers=$WORKERS
asynctask.bootstrap=$SITE/app/bootstrap.php
asynctask.log=$SITE/var/asynctask.log
asynctask.shutdown_timeout=$SHUTDOWN_TIMEOUT"
	[ "$ENABLE" = 1 ] && ini="asynctask.enable=1
$ini"
	[ -n "$EXTRA_INI" ] && ini="$ini
$EXTRA_INI"
	local opcache_line=";"
	[ "$OPCACHE" = 1 ] && opcache_line="zend_extension=opcache"
	local user_lines_a=";" user_lines_b=";" nginx_user=""
	if [ "$(id -u)" -eq 0 ]; then
		user_lines_a="user = $USER_A
group = $(id -gn "$USER_A")"
		user_lines_b="user = $USER_B
group = $(id -gn "$USER_B")"
		nginx_user="user $FPM_USER $FPM_GROUP;"
	fi
	local t=$FPM_ROOT/tests/integration/fpm/templates
	render "$t/php.ini.in" "$SITE/php.ini" SO="$FPM_SO" OPCACHE="$OPCACHE" OPCACHE_LINE="$opcache_line" \
		ASYNCTASK="$ini"
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
