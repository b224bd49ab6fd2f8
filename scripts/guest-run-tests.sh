#!/bin/sh
# In-guest runner: executes /etc/tests.list (name, time limit in seconds, command), prints TAP,
# and fails a test whose run left a kernel WARN/BUG/Oops/KASAN/UBSAN/lockdep report in dmesg.
# TESTS=name,name selects a subset. Exit status: number of failed tests (capped at 255).
set -o pipefail
list=${LIST:-/etc/tests.list}
sel=",${TESTS:-},"

selected() { [ "$sel" = ",," ] || case "$sel" in *",$1,"*) true ;; *) false ;; esac; }

n=0
for name in $(awk '!/^[[:space:]]*(#|$)/ { print $1 }' "$list"); do
	selected "$name" && n=$((n + 1))
done
if [ "$sel" != ",," ]; then
	for want in $(echo "$TESTS" | tr ',' ' '); do
		awk -v w="$want" '$1 == w { f = 1 } END { exit !f }' "$list" ||
			{ echo "Bail out! TESTS names '$want', which is not in $list"; exit 1; }
	done
fi

# Patterns of kernel reports that fail a test.
bad='WARNING:|BUG:|Oops|kernel BUG|general protection fault|KASAN|UBSAN|possible recursive locking|possible circular locking|inconsistent lock state|suspicious RCU usage|lockdep|INFO: task .* blocked|Kernel panic|unreferenced object'
export KREPORT_RE="$bad"	# for tests that drain the log themselves (soak/run)

# A kernel with kmemleak gets one more result: no leak after all tests.
kmemleak=/sys/kernel/debug/kmemleak
[ -e $kmemleak ] && echo clear > $kmemleak && n=$((n + 1))

echo "TAP version 13"
echo "1..$n"
i=0 pass=0 fail=0 skip=0
dmesg -c >/dev/null
while read -r name limit cmd; do
	case "$name" in ''|'#'*) continue ;; esac
	selected "$name" || continue
	i=$((i + 1))
	bin=/kvm/${cmd%% *}
	echo "# [$i/$n] $name: ${cmd} (limit ${limit}s)"
	if [ ! -x "$bin" ]; then
		echo "not ok $i $name # binary $bin missing from the initramfs"
		fail=$((fail + 1))
		continue
	fi
	t0=$(cut -d' ' -f1 /proc/uptime)
	# shellcheck disable=SC2086
	(cd /kvm && timeout -s KILL "$limit" /kvm/$cmd) </dev/null 2>&1 | tee /tmp/test.out |
		awk '{ print "#   " $0; fflush() }'
	rc=$?
	t1=$(cut -d' ' -f1 /proc/uptime)
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	report=$(dmesg -c | grep -E "$bad" | head -5)
	if [ -n "$report" ]; then
		echo "$report" | sed 's/^/#   dmesg: /'
		echo "not ok $i $name # kernel report in dmesg (${secs}s)"
		fail=$((fail + 1))
	elif [ $rc -eq 0 ]; then
		echo "ok $i $name # ${secs}s"
		pass=$((pass + 1))
	elif [ $rc -eq 4 ] && grep -q KVM_CAP_USER_MEMORY_REGION_LIST /tmp/test.out; then
		# Every boot runs the patched kernel: this skip means a kernel without the series.
		echo "not ok $i $name # skipped: no KVM_CAP_USER_MEMORY_REGION_LIST (${secs}s)"
		fail=$((fail + 1))
	elif [ $rc -eq 4 ]; then
		echo "ok $i $name # SKIP (${secs}s)"
		skip=$((skip + 1))
	elif [ $rc -eq 137 ]; then
		echo "not ok $i $name # timed out after ${limit}s"
		fail=$((fail + 1))
	else
		echo "not ok $i $name # exit status $rc (${secs}s)"
		fail=$((fail + 1))
	fi
done < "$list"
if [ -e $kmemleak ]; then
	i=$((i + 1))
	# Objects must be unreferenced for two scans in a row to be reported.
	echo scan > $kmemleak; sleep 5; echo scan > $kmemleak
	leaks=$(grep -c '^unreferenced object' $kmemleak)
	if [ "$leaks" -eq 0 ]; then
		echo "ok $i kmemleak # 0s"
		pass=$((pass + 1))
	else
		head -40 $kmemleak | sed 's/^/#   /'
		echo "not ok $i kmemleak # $leaks unreferenced object(s)"
		fail=$((fail + 1))
	fi
fi
echo "# guest-summary: $pass passed, $fail failed, $skip skipped"
[ $fail -gt 255 ] && fail=255
exit $fail
