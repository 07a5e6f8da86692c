# Helpers for the Apache (mod_php, prefork) tests, sourced by .ci/apache: a
# private Apache per site, started as `apache2 -f $SITE/httpd.conf -k start` on
# a free loopback port with the php.ini of $SITE (PHPIniDir; PHP_INI_SCAN_DIR
# empty, so nothing of /etc/php is loaded), reloaded with `apachectl graceful`,
# stopped with `-k stop`. Never the system's Apache service, its config or its
# ports. The rest (sites, checks, get/json/stats, waits, cleanup) is
# ../common.bash, which this sources.
#
# Needs: FPM_SO (path of asynctask.so), FPM_ROOT (the repository).

# shellcheck source=../common.bash
. "$FPM_ROOT/tests/integration/common.bash"

APACHE_BIN=${APACHE_BIN:-$(command -v apache2 || echo /usr/sbin/apache2)}
APACHECTL_BIN=${APACHECTL_BIN:-$(command -v apachectl || echo /usr/sbin/apachectl)}
APACHE_PHP=${APACHE_PHP:-/usr/lib/apache2/modules/libphp8.2.so}

# configure_apache KEY=value...: renders php.ini and httpd.conf in $SITE.
# Keys: ENABLE (1), WORKERS (2), OPCACHE (0), CHILDREN (2: prefork's Start/Min/MaxSpareServers),
# MAX_REQUESTS (0: MaxConnectionsPerChild), SHUTDOWN_TIMEOUT (10), EXTRA_INI (""),
# USER ($FPM_USER: Apache's User when run as root).
configure_apache() {
	local ENABLE=1 WORKERS=2 OPCACHE=0 CHILDREN=2 MAX_REQUESTS=0 SHUTDOWN_TIMEOUT=10 EXTRA_INI="" USER=$FPM_USER kv
	for kv in "$@"; do local "${kv%%=*}=${kv#*=}"; done
	HTTP_PORT=$(free_port)
	local user_lines="#"
	if [ "$(id -u)" -eq 0 ]; then
		user_lines="User $USER
Group $(id -gn "$USER")"
		chown -R "$USER:$(id -gn "$USER")" "$SITE/var"
	fi
	mkdir -p "$SITE/scan"
	render_php_ini "$ENABLE" "$WORKERS" "$OPCACHE" "$SHUTDOWN_TIMEOUT" "$EXTRA_INI"
	render "$FPM_ROOT/tests/integration/apache/templates/httpd.conf.in" "$SITE/httpd.conf" DIR="$SITE" \
		HTTP_PORT="$HTTP_PORT" USER_LINES="$user_lines" CHILDREN="$CHILDREN" MAX_REQUESTS="$MAX_REQUESTS" \
		PHP_MODULE="$APACHE_PHP"
	BASE="http://127.0.0.1:$HTTP_PORT"
}

# apache_ctl ARGS...: apache2 for $SITE's config (the environment the parent
# keeps: its PHP_INI_SCAN_DIR is read again at each graceful restart)
apache_ctl() {
	PHP_INI_SCAN_DIR="$SITE/scan" "$APACHE_BIN" -f "$SITE/httpd.conf" "$@"
}

# graceful: `apachectl graceful` for $SITE (config test, then -k graceful)
graceful() {
	APACHE_ARGUMENTS="-f $SITE/httpd.conf" "$APACHECTL_BIN" graceful > "$SITE/log/apachectl.out" 2>&1 ||
		{ cat "$SITE/log/apachectl.out"; return 1; }
}

# start_apache: starts Apache for $SITE (it daemonizes); sets MASTER (the parent).
start_apache() {
	local i
	rm -f "$SITE/run/httpd.pid"
	apache_ctl -k start > "$SITE/log/apache.out" 2>&1 < /dev/null ||
		{ echo "apache2 did not start:"; cat "$SITE/log/apache.out"; tail -n 20 "$SITE/log/error.log" 2> /dev/null; return 1; }
	for i in $(seq 100); do
		if [ -s "$SITE/run/httpd.pid" ]; then
			MASTER=$(cat "$SITE/run/httpd.pid")
			FPM_PIDS+=("$MASTER")
			wait_listening "$HTTP_PORT" && listening_by "$HTTP_PORT" apache2 && return 0
		fi
		sleep 0.1
	done
	echo "apache2 did not start:"; cat "$SITE/log/apache.out"; tail -n 20 "$SITE/log/error.log" 2> /dev/null
	return 1
}

# start_apache_site KEY=value...: new site, configured, Apache started
start_apache_site() {
	new_site "${SITE_NAME:-apache}"
	cp "$FPM_ROOT"/tests/integration/apache/fixtures/*.php "$SITE/app/"
	chmod -R a+rX "$SITE/app"
	local try
	for try in 1 2 3; do
		configure_apache "$@"   # (a new free port each time)
		start_apache && return 0
		stop_site
		[ "$try" -lt 3 ] && echo "     (Apache did not start: again on another port)"
	done
	return 1
}

# stop_site: ends $SITE's Apache (-k stop: SIGTERM to the parent, which ends its
# children), then whatever of it is left
stop_site() {
	local pids=()
	if [ -n "${MASTER:-}" ] && alive "$MASTER"; then
		mapfile -t pids < <(descendants "$MASTER")
		apache_ctl -k stop > /dev/null 2>&1 || kill -TERM "$MASTER" 2> /dev/null
		wait_gone 15 "$MASTER" "${pids[@]}" || kill -KILL "$MASTER" "${pids[@]}" 2> /dev/null
	fi
	MASTER=""
	true
}

# apache_children: pids of the parent's Apache children (never the pool's:
# the supervisor is not the parent's child)
apache_children() { pgrep -P "$MASTER" 2> /dev/null; }

# proc_field PID FIELD: a field of /proc/PID/status (Uid: the real uid, PPid)
proc_field() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2> /dev/null; }

# site_supervisors: the live asynctask-sup processes of $SITE
site_supervisors() {
	local p
	for p in $(pgrep -f -- "$SITE/" 2> /dev/null); do
		alive "$p" && [ "$(cat "/proc/$p/comm" 2> /dev/null)" = asynctask-sup ] && echo "$p"
	done
}

# port_free PORT: nothing listens on 127.0.0.1:PORT any more
port_free() { ! (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null; }
