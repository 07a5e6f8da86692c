# The crowdfunding demo's test (sourced by .ci/fpm): starts the demo the way
# its README says (examples/crowdfunding/run), drives it with headless
# Chromium (tests/integration/fpm/fixtures/browser.php), checks the pledge end to end and
# takes the README's screenshot. FPM_SAVE_SCREENSHOT=1 copies it to
# examples/crowdfunding/screenshot.png. DEMO_SERVER=apache (.ci/apache sets it)
# runs the demo under Apache + mod_php instead of nginx + php-fpm.

# money_cents "€2,300" -> 230000
money_cents() { tr -d '€,' <<< "$1" | awk '{ printf "%d\n", $1 * 100 + 0.5 }'; }

t_demo() {
	echo "--- crowdfunding demo: SERVER=${DEMO_SERVER:-fpm} examples/crowdfunding/run + headless Chromium"
	if ! command -v chromium > /dev/null; then
		fail "demo: chromium is not installed"
		return
	fi
	local port out run_pid url data i
	port=$(free_port)
	out=$(mktemp "${FPM_TMP:-/tmp}/asynctask-fpm-demo.XXXXXX")
	SERVER=${DEMO_SERVER:-fpm} ASYNCTASK_SO=$FPM_SO PORT=$port CROWDFUNDING_KEEP=1 WORKERS=2 \
		setsid bash "$FPM_ROOT/examples/crowdfunding/run" > "$out" 2>&1 < /dev/null &
	run_pid=$!
	disown "$run_pid"
	FPM_PIDS+=("$run_pid")
	for i in $(seq 600); do
		grep -q '^Crowdfunding demo: ' "$out" && break
		alive "$run_pid" || break
		sleep 0.1
	done
	url=$(sed -n 's/^Crowdfunding demo: \(http[^ ]*\).*/\1/p' "$out")
	data=$(sed -n 's/^ *data and outbox: \([^ ]*\).*/\1/p' "$out")
	[ -n "$data" ] && FPM_SITES+=("$(dirname "$data")")
	if [ -z "$url" ]; then
		fail "demo: examples/crowdfunding/run printed no URL"
		sed 's/^/     /' "$out"
		rm -f "$out"
		return
	fi
	pass "demo: examples/crowdfunding/run serves $url"
	local SITE=$data/.. BASE=${url%/}
	mkdir -p "$SITE/run"

	local s workers=""
	for i in $(seq 50); do
		s=$(get status.php)
		workers=$(json pool.workers <<< "$s")
		[ "$workers" = 2 ] && break
		sleep 0.1
	done
	check "demo: status.php reports the pool (workers $workers)" test "$workers" = 2

	# the server refuses a bad pledge with reasons
	local bad code reasons
	bad=$(curl -s -S -H 'Accept: application/json' -d 'name=&email=nope&amount=0' -w '\n%{http_code}' "$BASE/pledge.php")
	code=${bad##*$'\n'} reasons=$(json fields <<< "${bad%$'\n'*}")
	check "demo: an invalid pledge is refused ($code) with a reason per field ($reasons)" \
		test "$code" = 422 -a "$reasons" = '["name","email","amount"]'

	# a person pledges through the page on a phone
	local shot=$SITE/screenshot.png r id
	r=$("$PHP_BIN" -n "$FPM_ROOT/tests/integration/fpm/fixtures/browser.php" "$url" "$shot" "Ada Lovelace" 2> "$SITE/browser.err")
	note "demo: browser: $r"
	[ -s "$SITE/browser.err" ] && note "demo: browser stderr: $(head -c 500 "$SITE/browser.err")"
	id=$(json pledge_id <<< "$r")
	check "demo: the page loaded in Chromium ($(json browser <<< "$r"))" test "$(json loaded <<< "$r")" = true
	check "demo: the pledge submitted through the form is confirmed on the page (#$id)" test -n "$id"
	check "demo: the page shows the pledge paid, with receipt and text sent ($(json row <<< "$r"))" \
		test "$(json row.status <<< "$r")" = paid -a "$(json row.receipt <<< "$r")" = true -a "$(json row.sms <<< "$r")" = true
	local before after
	before=$(money_cents "$(json before.pledged <<< "$r")") after=$(money_cents "$(json after.pledged <<< "$r")")
	check "demo: the page's totals went up by €50 ($(json before.pledged <<< "$r") -> $(json after.pledged <<< "$r"))" \
		test -n "$before" -a "$after" = "$((before + 5000))"
	check "demo: backers went up by one ($(json before.backers <<< "$r") -> $(json after.backers <<< "$r"))" \
		test "$(json after.backers <<< "$r")" = "$(($(json before.backers <<< "$r") + 1))"

	# what the background tasks left behind, seen from the server
	s=$(get status.php)
	local row
	row=$("$PHP_BIN" -n -r '$s = json_decode($argv[1], true); foreach ($s["pledges"] ?? [] as $p) if ($p["id"] == $argv[2]) echo $p["name"], "|", $p["amount"], "|", $p["status"], "|", $p["receipt_at"] ? "r" : "-", $p["sms_at"] ? "s" : "-";' "$s" "$id")
	check "demo: the pledge row is stored, paid, with receipt and sms times ($row)" test "$row" = "Ada Lovelace|€50|paid|rs"
	check "demo: the receipt is in the outbox" grep -q 'thank you for pledging €50' "$data/outbox/receipts/pledge-$id.txt"
	check "demo: the text message is in the outbox" grep -q 'Thanks Ada Lovelace' "$data/outbox/sms/pledge-$id.txt"
	check "demo: the tasks' output went to asynctask.log" grep -q "payment for pledge #$id confirmed" "$data/asynctask.log"
	check "demo: receipt.php shows the receipt" grep -q "Pledge #$id" <<< "$(get "receipt.php?id=$id")"
	check "demo: a screenshot was taken ($(json screenshot_bytes <<< "$r") bytes)" \
		bash -c "[ \"\$(head -c 8 '$shot' | od -An -tx1 | tr -d ' ')\" = 89504e470d0a1a0a ]"
	if [ -n "${FPM_SAVE_SCREENSHOT:-}" ] && [ -s "$shot" ]; then
		cp "$shot" "$FPM_ROOT/examples/crowdfunding/screenshot.png"
		note "demo: saved examples/crowdfunding/screenshot.png"
	fi

	# stopping run (SIGTERM; Ctrl-C in a terminal is SIGINT, which a background
	# job here ignores) stops the servers (php-fpm and nginx, or Apache) and the pool it started
	local mgr pids=()
	mgr=$(json pool.manager_pid <<< "$s")
	mapfile -t pids < <(descendants "$run_pid")
	kill -TERM "$run_pid" 2> /dev/null
	if wait_gone 30 "$run_pid" "${pids[@]}" "$mgr"; then
		pass "demo: stopping run stops the servers and the pool"
	else
		fail "demo: stopping run stops the servers and the pool (left: $GONE_LEFT)"
		ps -o pid,ppid,pgid,user,stat,etime,args -p "$(tr ' ' ',' <<< "$GONE_LEFT")" | sed 's/^/     /'
	fi
	rm -f "$out"
}
