# The accounting scenario (sourced by .ci/fpm after lib.bash): load with
# php-fpm reloads (SIGUSR2) and task workers SIGKILLed meanwhile, then, for
# every pool (the ones reloads retired included, from their last log line):
# completed + failed + cancelled + discarded = dispatched, every task counted
# and logged as its caller saw it end, and none lost (a fire-and-forget task
# without its row is logged killed). Fixtures: acct.php, acct_check.php.
# (A task whose caller is gone when its worker dies after it ended is counted
# as it ended: tests/transport/shm/faults/caller_gone.phpt kills workers exactly there.)
#
# FPM_ACCT_SECONDS (default 16) is how long the load runs.

t_accounting() {
	local seconds=${FPM_ACCT_SECONDS:-16}
	echo "--- accounting: ${seconds} s of load, a reload every 5 s, a task worker SIGKILLed every 0.5 s"
	start_site WORKERS=2 CHILDREN=6 SHUTDOWN_TIMEOUT=20 || { fail "accounting: php-fpm + nginx start"; stop_site; return; }
	get "acct.php?setup=1" > /dev/null
	local out=$SITE/log/acct-wrk.out t0=$SECONDS kills=0 reloads=0 pids=() p s managers=()
	wrk -t2 -c6 -d"${seconds}s" --timeout 30s "$BASE/acct.php" > "$out" 2>&1 &
	local wrk_pid=$!
	while kill -0 "$wrk_pid" 2> /dev/null; do
		sleep 0.5
		s=$(stats) || continue
		managers+=("$(json manager_pid <<< "$s")")
		mapfile -t pids < <(json worker_pids <<< "$s" | tr -d '[]' | tr ',' '\n' | grep .)
		if [ ${#pids[@]} -gt 0 ]; then
			kill -KILL "${pids[RANDOM % ${#pids[@]}]}" 2> /dev/null && kills=$((kills + 1))
		fi
		if [ $(((SECONDS - t0) % 5)) -eq 4 ] && [ "$reloads" -lt $(((SECONDS - t0) / 5 + 1)) ]; then
			kill -USR2 "$MASTER" && reloads=$((reloads + 1))
		fi
	done
	wait "$wrk_pid" 2> /dev/null
	note "accounting: wrk $(wrk_field "$out" requests) requests, $(wrk_field "$out" errors) errors; $kills workers killed, $reloads reloads"
	wait_listening "$PORT_A"
	wait_drained 60 > /dev/null
	# the pools that reloads retired drain (shutdown_timeout 20 s), then log their last counts
	local live mgr retired=() i
	live=$(stats)
	mgr=$(json manager_pid <<< "$live")
	mapfile -t retired < <(printf '%s\n' "${managers[@]}" | grep -v -x -e "$mgr" -e 0 -e '' | sort -u)
	FPM_PIDS+=("${retired[@]}")
	for i in $(seq 300); do
		local missing=0
		for p in "${retired[@]}"; do
			grep -q "asynctask\[$p\]: the pool leaves" "$SITE/var/asynctask.log" || missing=$((missing + 1))
		done
		[ "$missing" -eq 0 ] && break
		sleep 0.1
	done
	local r
	r=$("$PHP_BIN" -n -d extension=pdo -d extension=pdo_sqlite "$SITE/app/acct_check.php" \
		"$SITE/var/test.sqlite" "$SITE/var/asynctask.log" "$live" 2>&1)
	note "accounting: $(json tasks <<< "$r") tasks: $(json waited_value <<< "$r") waited and got their value, $(json waited_crashed <<< "$r") waited and saw a crash; $(json fire_done <<< "$r") fired and ran, $(json fire_crashed <<< "$r") fired and crashed ($(json fire_crashed_after_row <<< "$r") after writing their row); log: $(json crash_lines <<< "$r") crash lines, $(json corrected <<< "$r") corrected by the caller, $(json ended <<< "$r") killed after their task ended"
	note "accounting: pools $(json pools <<< "$r")"
	check "accounting: load ran, workers were killed ($kills) and php-fpm reloaded ($reloads)" \
		test "$(json tasks <<< "$r")" -gt 100 -a "$kills" -gt 5 -a "$reloads" -ge 2
	check "accounting: stats()['manager_pid'] was never 0 in a request that dispatched ($(json manager_zero <<< "$r"))" \
		test "$(json manager_zero <<< "$r")" = 0
	check "accounting: every waited task got its value or WorkerCrashedException ($(json waited_other <<< "$r"))" \
		test "$(json waited_other <<< "$r")" = "[]"
	check "accounting: no task ran twice ($(json twice <<< "$r"))" test "$(json twice <<< "$r")" = 0
	check "accounting: every task logged as its caller saw it end, and none lost ($(json disagree <<< "$r"))" \
		test "$(json disagree <<< "$r")" = "[]"
	check "accounting: every pool, the retired ones too: completed + failed + cancelled + discarded = dispatched, and counted as the callers and rows say ($(json pool_mismatch <<< "$r"))" \
		test "$(json pool_mismatch <<< "$r")" = "[]" -a "$(json pools <<< "$r" | grep -o '"manager"' | wc -l)" -ge 2
	stop_site
}
