# The isolation scenario (sourced by .ci/fpm after lib.bash): two FPM pool
# sections run as two users made for the test, [b] with ffi.enable=1. Each
# gets a pool of its own, as its own user, and nothing a child of [b] does -
# reading [a]'s processes, or rewriting its own view of its pool's shared
# memory with FFI - reaches [a]'s pool, runs code as [a]'s user, signals
# [a]'s processes or deletes a file [b]'s user could not delete itself.
# Fixture: tests/integration/fpm/fixtures/isolation.php.

ISO_USERS=(atask_iso_a atask_iso_b)

iso_make_users() {
	local u
	for u in "${ISO_USERS[@]}"; do
		getent passwd "$u" > /dev/null && continue
		useradd --system --user-group --no-create-home --shell /usr/sbin/nologin "$u" || return 1
	done
}

iso_remove_users() {
	local u
	for u in "${ISO_USERS[@]}"; do
		getent passwd "$u" > /dev/null && userdel "$u" 2> /dev/null
		getent group "$u" > /dev/null && groupdel "$u" 2> /dev/null
	done
	true
}

# iso_site NAME KEY=value...: a site whose sections run as the two users
iso_site() {
	new_site "$1"
	shift
	# both users write the logs and reach the app
	chmod 1777 "$SITE/var"
	: > "$SITE/var/bootstrap.log"
	chmod 666 "$SITE/var/asynctask.log" "$SITE/var/bootstrap.log"
	configure USER_A="${ISO_USERS[0]}" USER_B="${ISO_USERS[1]}" "$@"
	start_fpm && start_nginx
}

uid_of() { awk '/^Uid:/ { print $2 }' "/proc/$1/status" 2> /dev/null; }

# memfd_inodes PID: the inodes of the asynctask pool regions PID maps
memfd_inodes() { awk '/memfd:asynctask-pool/ { print $5 }' "/proc/$1/maps" 2> /dev/null | sort -u | paste -sd ' '; }

# pool_of JSON: "manager worker..." from a who-answer's stats
pool_of() { echo "$(json stats.manager_pid <<< "$1") $(json stats.worker_pids <<< "$1" | tr -d '[]' | tr ',' ' ')"; }

# root_pool_processes: asynctask managers and workers of $SITE that run as root
root_pool_processes() {
	local p
	for p in $(pgrep -x 'asynctask-(mgr|task)'); do
		alive "$p" && [ "$(uid_of "$p")" = 0 ] && grep -q -- "$SITE/" "/proc/$p/cmdline" 2> /dev/null && echo -n "$p "
	done
	true
}

t_isolation() {
	echo "--- isolation: sections [a] and [b] as two users, ffi.enable=1 in [b]"
	if [ "$(id -u)" -ne 0 ]; then
		skip "isolation: needs root (it creates two users)"
		return
	fi
	iso_make_users || { fail "isolation: cannot create the users ${ISO_USERS[*]}"; iso_remove_users; return; }
	local ua=${ISO_USERS[0]} ub=${ISO_USERS[1]} uid_a uid_b
	uid_a=$(id -u "$ua") uid_b=$(id -u "$ub")
	iso_site isolation WORKERS=2 CHILDREN=2 EXTRA_INI="extension=ffi" EXTRA_B="php_admin_value[ffi.enable] = 1" ||
		{ fail "isolation: php-fpm + nginx start"; stop_site; iso_remove_users; return; }

	local ra rb pool_a pool_b mgr_a mgr_b p bad
	ra=$(get "isolation.php?do=who") rb=$(get "b/isolation.php?do=who")
	pool_a=$(pool_of "$ra") pool_b=$(pool_of "$rb")
	mgr_a=${pool_a%% *} mgr_b=${pool_b%% *}
	FPM_PIDS+=($pool_a $pool_b)
	check "isolation: [a]'s task ran as [a]'s user ($(json task_uid <<< "$ra") = $uid_a)" \
		test "$(json task_uid <<< "$ra")" = "$uid_a" -a "$(json request_uid <<< "$ra")" = "$uid_a"
	check "isolation: [b]'s task ran as [b]'s user ($(json task_uid <<< "$rb") = $uid_b)" \
		test "$(json task_uid <<< "$rb")" = "$uid_b" -a "$(json request_uid <<< "$rb")" = "$uid_b"
	check "isolation: two pools, two managers ($mgr_a, $mgr_b)" test "$mgr_a" -gt 0 -a "$mgr_b" -gt 0 -a "$mgr_a" != "$mgr_b"
	bad=0
	for p in $pool_a; do [ "$(uid_of "$p")" = "$uid_a" ] || bad=$((bad + 1)); done
	for p in $pool_b; do [ "$(uid_of "$p")" = "$uid_b" ] || bad=$((bad + 1)); done
	check "isolation: each pool's manager and workers run as their section's user ([a] $pool_a; [b] $pool_b)" test "$bad" -eq 0
	check "isolation: no asynctask manager or worker runs as root ($(root_pool_processes))" test -z "$(root_pool_processes)"

	# shared memory only among processes of one uid
	local ino_a ino_b sup
	ino_a=$(json maps.0.inode <<< "$ra") ino_b=$(json maps.0.inode <<< "$rb")
	check "isolation: each child maps exactly its own pool's region ([a] $ino_a, [b] $ino_b)" \
		test "$(json maps <<< "$ra" | grep -o inode | wc -l)" -eq 1 -a "$(json maps <<< "$rb" | grep -o inode | wc -l)" -eq 1 \
		-a -n "$ino_a" -a "$ino_a" != "$ino_b"
	bad=""
	for p in $pool_a; do [ "$(memfd_inodes "$p")" = "$ino_a" ] || bad="$bad $p:$(memfd_inodes "$p")"; done
	for p in $pool_b; do [ "$(memfd_inodes "$p")" = "$ino_b" ] || bad="$bad $p:$(memfd_inodes "$p")"; done
	check "isolation: [a]'s pool processes map only [a]'s region, [b]'s only [b]'s ($bad)" test -z "$bad"
	sup=$(pgrep -x asynctask-sup | while read -r p; do grep -q -- "$SITE/" "/proc/$p/cmdline" && echo "$p"; done | head -n 1)
	check "isolation: the supervisor (pid $sup, uid $(uid_of "$sup")) maps no pool's region ($(memfd_inodes "$sup"))" \
		test -n "$sup" -a -z "$(memfd_inodes "$sup")"

	# a child of [b] cannot read [a]'s processes, nor see [a]'s figures
	local probe
	for p in "$mgr_a" "${pool_a##* }"; do
		probe=$(get "b/isolation.php?do=probe&pid=$p")
		check "isolation: a child of [b] can neither read the memory of [a]'s pool process $p nor open its fds ($probe)" \
			test "$(json maps_readable <<< "$probe")" = false -a "$(json mem_opened <<< "$probe")" = false \
			-a "$(json fds_opened <<< "$probe")" = 0
	done
	local sa sb
	sa=$(get stats.php) sb=$(get b/stats.php)
	check "isolation: [b]'s stats() are [b]'s own (dispatched [a] $(json dispatched <<< "$sa"), [b] $(json dispatched <<< "$sb"))" \
		test "$(json manager_pid <<< "$sb")" = "$mgr_b" -a "$(json dispatched <<< "$sb")" = 1 -a "$(json dispatched <<< "$sa")" = 1

	# victims: a file of root's and one of [a]'s user, where [b]'s user cannot delete them
	local vroot=$SITE/victims/root vusr=$SITE/victims/a
	mkdir -p "$vroot" "$vusr"
	echo keep > "$vroot/victim"
	echo keep > "$vusr/victim"
	chown -R "$ua:$ua" "$vusr"
	chmod 700 "$vusr"
	local b_child left_dir
	b_child=$(json request_pid <<< "$rb")
	left_dir=$(ls -d /tmp/asynctask-"$mgr_b"-* 2> /dev/null)

	# FFI in [b]: every pid field of its pool now names [a]'s manager
	local r
	r=$(GET_TIMEOUT=60 get "b/isolation.php?do=scribble&mode=pids&pid=$mgr_a")
	check "isolation: [b] rewrote its view of its pool's memory with FFI ($(json written <<< "$r") bytes)" \
		test "$(json written <<< "$r")" -gt 0
	r=$(get "b/isolation.php?do=reload")
	check "isolation: Pool::reload() in [b] now aims at [a]'s manager and cannot signal it ($(json error <<< "$r"))" \
		grep -q 'Operation not permitted' <<< "$(json error <<< "$r")"
	# its workers die: its manager meets the forged slots (pids, time limits, spill names)
	for p in ${pool_b#* }; do kill -KILL "$p" 2> /dev/null; done
	sleep 2
	iso_a_unharmed "after [b] forged pids" "$pool_a"

	# a fresh start for [b]: its child and its pool are its own mess (root ends them)
	kill -KILL "$b_child" ${pool_b%% *} 2> /dev/null
	wait_gone 5 "$b_child" "$mgr_b"
	for p in $(seq 50); do [ -e "$left_dir" ] || break; sleep 0.1; done
	check "isolation: the runtime directory of [b]'s killed manager is removed (by a process of [b]'s user) ($left_dir)" \
		test -n "$left_dir" -a ! -e "$left_dir"
	rb=$(GET_TIMEOUT=20 get "b/isolation.php?do=who")
	pool_b=$(pool_of "$rb")
	FPM_PIDS+=($pool_b)
	check "isolation: [b] gets a new pool of its own after its manager was killed (${pool_b%% *}, uid $(json task_uid <<< "$rb"))" \
		test "$(json task_uid <<< "$rb")" = "$uid_b" -a "${pool_b%% *}" != "$mgr_b" -a "${pool_b%% *}" != "$mgr_a"
	b_child=$(json request_pid <<< "$rb")

	# FFI in [b]: every name field now reads a victim's path (absolute, or climbing out)
	local v
	for v in "$vroot/victim" "../../../../../../..$vusr/victim"; do
		# (290 MB written through FFI in the request: 60 s, not get's 15, on a loaded machine)
		local url
		url="b/isolation.php?do=scribble&mode=names&victim=$("$PHP_BIN" -n -r 'echo rawurlencode($argv[1]);' "$v")"
		# (an empty answer here was the scribbling child SIGKILLed by its own pool's manager, which
		# took the pids it signals from the region: it keeps its own copy since session 7)
		r=$(GET_TIMEOUT=60 get "$url")
		check "isolation: [b] filled its pool's memory with the path $v ($(json written <<< "$r") bytes)" \
			test "$(json written <<< "$r")" -gt 0 2> /dev/null
		for p in ${pool_b#* }; do kill -KILL "$p" 2> /dev/null; done
		sleep 2.5  # the manager sweeps the runtime directory and the mailboxes once a second
		kill -KILL "$b_child" ${pool_b%% *} 2> /dev/null
		wait_gone 5 "$b_child" ${pool_b%% *}
		rb=$(GET_TIMEOUT=20 get "b/isolation.php?do=who")
		pool_b=$(pool_of "$rb") b_child=$(json request_pid <<< "$rb")
		FPM_PIDS+=($pool_b)
	done
	check "isolation: root's file is still there" test -s "$vroot/victim"
	check "isolation: [a]'s user's file is still there" test -s "$vusr/victim"
	check "isolation: [b] still gets a pool of its own, as its user (uid $(json task_uid <<< "$rb"))" \
		test "$(json task_uid <<< "$rb")" = "$uid_b"
	iso_a_unharmed "after [b] forged names" "$pool_a"

	stop_site
	iso_tmpdir_check
	iso_remove_users
}

# iso_a_unharmed LABEL "MANAGER WORKERS...": [a]'s pool is untouched and still serves [a]
iso_a_unharmed() {
	local label=$1 before=$2 r after p dead=""
	for p in $before; do alive "$p" || dead="$dead $p"; done
	check "isolation: $label: [a]'s manager and workers are all alive ($before$dead)" test -z "$dead"
	r=$(get "isolation.php?do=who")
	after=$(pool_of "$r")
	check "isolation: $label: [a]'s tasks still run in the same pool, as [a]'s user ($after, uid $(json task_uid <<< "$r"))" \
		test "$after" = "$before" -a "$(json task_uid <<< "$r")" = "$(id -u "${ISO_USERS[0]}")"
	check "isolation: $label: no asynctask manager or worker runs as root ($(root_pool_processes))" \
		test -z "$(root_pool_processes)"
}

# With asynctask.tmpdir where [b]'s user may not make its runtime directory
# (a directory of [a]'s user's): [b] is refused clearly, and no manager is
# left running as root (it became [b]'s user before it tried).
iso_tmpdir_check() {
	local dir r
	new_site isolation-tmpdir
	chmod 1777 "$SITE/var"
	chmod 666 "$SITE/var/asynctask.log"
	dir=$SITE/tmp-a
	mkdir -p "$dir"
	chown "${ISO_USERS[0]}:${ISO_USERS[0]}" "$dir"
	chmod 700 "$dir"
	configure USER_A="${ISO_USERS[0]}" USER_B="${ISO_USERS[1]}" WORKERS=1 CHILDREN=1 EXTRA_INI="asynctask.tmpdir=$dir"
	{ start_fpm && start_nginx; } || { fail "isolation: php-fpm + nginx start (tmpdir of [a]'s user)"; stop_site; return; }
	r=$(get "isolation.php?do=who")
	check "isolation: tmpdir of [a]'s user: [a] works ($(json task_uid <<< "$r"))" \
		test "$(json task_uid <<< "$r")" = "$(id -u "${ISO_USERS[0]}")"
	FPM_PIDS+=($(pool_of "$r"))
	r=$(get "b/isolation.php?do=who")
	check "isolation: tmpdir of [a]'s user: [b] is refused with a clear AsyncTask\\Exception ($(json error <<< "$r"))" \
		grep -q -E "AsyncTask\\\\Exception: .*asynctask.tmpdir .*(belongs to uid|Permission denied)" <<< "$(json error <<< "$r")"
	check "isolation: tmpdir of [a]'s user: no asynctask manager or worker runs as root ($(root_pool_processes))" \
		test -z "$(root_pool_processes)"
	stop_site
}
