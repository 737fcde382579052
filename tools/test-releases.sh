#!/usr/bin/env bash
# Runs the tests against each Fleet release named on the command line, each
# with a control plane of its own (`make test` calls it):
#   - the default release (testenv.DefaultFleetVersion) runs the whole suite;
#   - every other release runs the compatibility suite, the tests named
#     TestAccCompat*, which use what every release serves or assert that the
#     provider refuses, with Fleet's release in the message, what it does not;
#   - after the default release's suite, each tools/cli-runs/<cli>.sh runs its
#     subset of the tests with another Terraform CLI built from its module
#     pinned under tools/, on the same control plane (sourced env,
#     GO_TEST_FLAGS set); `<cli>.sh build` only builds it, which starts in the
#     background when this script does.
# A control plane already running for a release (`make testenv-up`) is used
# and left running; one this script starts, it stops. Every release runs even
# when an earlier one fails; a summary with durations ends the output.
#
# Environment: TESTENV (the fleet-testenv binary), DEFAULT_FLEET_VERSION,
# GO_TEST_FLAGS, and testenv_dir() below must match the Makefile's TESTENV_DIR.
set -uo pipefail
cd "$(dirname "$0")/.."

: "${TESTENV:?path of the fleet-testenv binary}" "${DEFAULT_FLEET_VERSION:?}" "${GO_TEST_FLAGS:=-count=1 -p 1 -timeout 80m}"

testenv_dir() {
	if [ "$1" = "$DEFAULT_FLEET_VERSION" ]; then echo "$PWD/.testenv"; else echo "$PWD/.testenv-$1"; fi
}

summary=()
failed=0

# The CLIs of tools/cli-runs/ build meanwhile (each script's `build` mode,
# niced): minutes of compiling that the control plane's waits leave room for.
cli_builds=()
mkdir -p .cache/cli
for cli_run in tools/cli-runs/*.sh; do
	[ -e "$cli_run" ] || continue
	nice -n 10 bash "$cli_run" build >".cache/cli/$(basename "$cli_run" .sh).build.log" 2>&1 &
	cli_builds+=($!)
done
started_dir=
stop() { if [ -n "$started_dir" ]; then "$TESTENV" down -dir "$started_dir"; started_dir=; fi; }
trap 'stop; exit 130' INT TERM

for release in "$@"; do
	dir=$(testenv_dir "$release")
	echo ">> Fleet $release: $([ "$release" = "$DEFAULT_FLEET_VERSION" ] && echo "whole suite" || echo "compatibility suite (TestAccCompat*)")"
	begin=$SECONDS
	if [ ! -f "$dir/env" ] || ! "$TESTENV" status -dir "$dir" >/dev/null; then
		if ! bin=$(FLEET_VERSION=$release bash tools/build-testenv.sh); then
			summary+=("Fleet $release: FAIL (building its control plane) after $((SECONDS - begin)) s")
			failed=1
			continue
		fi
		built=$((SECONDS - begin))
		if ! FLEET_TESTENV_BIN=$bin "$TESTENV" up -dir "$dir"; then
			summary+=("Fleet $release: FAIL (starting its control plane) after $((SECONDS - begin)) s")
			failed=1
			continue
		fi
		started_dir=$dir
	else
		built=0
	fi
	up=$((SECONDS - begin - built))
	run=()
	[ "$release" = "$DEFAULT_FLEET_VERSION" ] || run=(-run '^TestAccCompat')
	tests_begin=$SECONDS
	# shellcheck disable=SC2086 # GO_TEST_FLAGS is a list of flags
	(set -a; source "$dir/env"; TF_ACC=1 go test $GO_TEST_FLAGS "${run[@]}" ./...)
	rc=$?
	tests=$((SECONDS - tests_begin))
	result=PASS
	if [ $rc -ne 0 ]; then result=FAIL; failed=1; fi
	summary+=("Fleet $release: $result; binaries $built s, control plane up $up s, tests $tests s")
	if [ "$release" = "$DEFAULT_FLEET_VERSION" ]; then
		# Other Terraform CLIs (built under tools/) run their subsets on the same control plane.
		for pid in "${cli_builds[@]}"; do wait "$pid" || true; done # a failed build fails again below, with its output
		for cli_run in tools/cli-runs/*.sh; do
			[ -e "$cli_run" ] || continue
			name=$(basename "$cli_run" .sh)
			echo ">> $name: its subset of the suite on Fleet $release"
			cli_begin=$SECONDS
			(set -a; source "$dir/env"; GO_TEST_FLAGS=$GO_TEST_FLAGS bash "$cli_run")
			cli_rc=$?
			result=PASS
			if [ $cli_rc -ne 0 ]; then result=FAIL; failed=1; fi
			summary+=("$name on Fleet $release: $result after $((SECONDS - cli_begin)) s (build included)")
		done
	fi
	stop
done

echo
echo ">> summary"
printf '   %s\n' "${summary[@]}"
exit $failed
