# The crowdfunding demo's browser test (sourced by .ci/fpm).
t_demo() {
	skip "demo: not written yet"
}
