#!/bin/sh
# The real-VMM scenario, run in the test VM as /kvm/vmm/qemu-pam. QEMU runs our guest
# (tools/pamguest): CPU 0 toggles the i440FX PAM attribute of the F segment (0xF0000-0xFFFFF)
# between read-write and read-only RAM, and QEMU merges or splits the RAM slot that starts at
# 1 MiB at each toggle, while the other vCPUs run code and check data in that slot.
#
#   qemu-pam [-n RELAYOUTS] [-t TRIALS] [-c CPUS] [-a] [-m SECONDS] VARIANT...
#   VARIANT: stock   Debian's qemu-system-x86_64 7.2, unchanged
#            single  patched QEMU, -accel kvm,memslot-update=single (one ioctl per change)
#            pause   patched QEMU, memslot-update=pause (vCPUs held, as QEMU 8.0+ does)
#            list    patched QEMU, memslot-update=list (KVM_SET_USER_MEMORY_REGION_LIST)
#   -a: exit 1 if a 'list' run shows any failure (make test asserts this); with -m, if 'list'
#       does not migrate every page, or 'pause' completes and loses a page. Other failures
#       are reported only: stock fails by design, and pause is a baseline.
#   -m: migration instead: let the guest re-lay out memory for SECONDS, live-migrate it to a
#       file meanwhile, load the file into a second QEMU, and compare the two RAM dumps page
#       by page (pages that differ were lost by dirty tracking); after 2 dirty syncs the
#       downtime limit is lifted, so that the result does not hang on convergence
#
# Per run: guest-visible failures (KVM internal error / emulation failure, MMIO exits to
# RAM, wrong data read by a worker), memslot ioctls per re-layout, the mean time of one
# re-layout and the longest stall a worker vCPU saw (guest TSC). The guest marks the start
# and the end of its re-layouts with a read of unassigned MMIO at 0xE0000000 from CPU 0;
# ioctls are counted between the marks in QEMU's trace (-trace kvm_set_user_memory*).
n=200 trials=1 cpus=3 assert=0 mig=0 mem=64
while getopts n:t:c:am: o; do
	case $o in
	n) n=$OPTARG ;; t) trials=$OPTARG ;; c) cpus=$OPTARG ;; a) assert=1 ;; m) mig=$OPTARG ;;
	*) echo "usage: qemu-pam [-n RELAYOUTS] [-t TRIALS] [-c CPUS] [-a] [-m SECONDS] VARIANT..."; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- stock single pause list
cd "$(dirname "$0")" || exit 1
limit=$((60 + n / 2))
bad=0

qemu() {	# qemu VARIANT ARGS...: QEMU of that variant with the machine of the scenario
	case $1 in
	stock) set -- ./qemu-stock kvm "$@" ;;
	*) set -- ./qemu-patched "kvm,memslot-update=$1" "$@" ;;
	esac
	b=$1 a=$2
	shift 3
	# Always run in the background: exec, so that $! is QEMU itself.
	exec "$b" -L share -M pc -accel "$a" -smp "$cpus" -m "$mem" -nodefaults -no-reboot \
		-name pam,debug-threads=on \
		-display none -serial none -kernel pamguest.elf \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 "$@"
}

run() {	# run VARIANT TRIAL: one QEMU run, prints one result line
	v=$1 trial=$2 d=/tmp/qemu-pam/$1.$2
	rm -rf "$d" && mkdir -p "$d"
	t0=$(cut -d' ' -f1 /proc/uptime)
	qemu "$v" -monitor none \
		-append "relayouts=$n cpus=$cpus" -debugcon "file:$d/debugcon" \
		-trace 'kvm_set_user_memory*' -trace kvm_run_exit -D "$d/trace" >"$d/stderr" 2>&1 &
	pid=$!
	s=0 how=exit
	while kill -0 $pid 2>/dev/null; do
		# QEMU 7.2 stops the VM on a KVM internal error and keeps running: end it.
		if grep -q 'KVM internal error' "$d/stderr" 2>/dev/null; then how=internal-error; break; fi
		if [ $s -ge $limit ]; then how=timeout; break; fi
		sleep 1
		s=$((s + 1))
	done
	kill $pid 2>/dev/null
	stop_qemu $pid
	t1=$(cut -d' ' -f1 /proc/uptime)
	res=$(grep '^PAMGUEST relayouts=' "$d/debugcon")
	done_n=$(echo "$res" | sed -n 's/.*relayouts=\([0-9]*\).*/\1/p')
	[ -n "$done_n" ] || done_n=$(sed -n 's/^PAMGUEST progress \([0-9]*\)\/.*/\1/p' "$d/debugcon" | tail -1)
	mism=$(echo "$res" | sed -n 's/.* mismatches=\([0-9]*\).*/\1/p')
	mean=$(echo "$res" | sed -n 's/.* relayout_mean_cycles=\([0-9]*\).*/\1/p')
	stall=$(echo "$res" | sed -n 's/.* max_stall_cycles=\([0-9]*\).*/\1/p')
	khz=$(echo "$res" | sed -n 's/.* tsc_khz=\([0-9]*\).*/\1/p')
	# Between the two marks (MMIO exits of CPU 0): memslot ioctls, and MMIO exits elsewhere.
	set -- $(awk '
		/kvm_run_exit/ && /reason 6$/ {
			if (/cpu_index 0,/ && marks < 2) { marks++; next }
			mmio++; next
		}
		marks == 1 && /(^|:)kvm_set_user_memory / { single++ }
		marks == 1 && /(^|:)kvm_set_user_memory_list / { list++ }
		END { printf "%d %d %d %d", marks, mmio, single, list }' "$d/trace")
	marks=$1 mmio=$2 single=$3 list=$4
	fail=0
	[ "$how" = exit ] || fail=$((fail + 1))
	[ "$mmio" -eq 0 ] || fail=$((fail + 1))
	[ "${mism:-0}" -eq 0 ] || fail=$((fail + 1))
	grep -q '^PAMGUEST PASS' "$d/debugcon" || [ "$how" != exit ] || fail=$((fail + 1))
	# The list variant makes one KVM_SET_USER_MEMORY_REGION_LIST and no single-slot call
	# per re-layout (one memory transaction each).
	if [ "$v" = list ] && [ "$how" = exit ] &&
		{ [ "$marks" -ne 2 ] || [ "$single" -ne 0 ] || [ "$list" -ne "${done_n:-0}" ]; }; then
		echo "#   list: expected $done_n list ioctls and no other between the marks," \
			"found $list and $single (marks: $marks)"
		fail=$((fail + 1))
	fi
	us() { [ -n "$1" ] && [ -n "$khz" ] && [ "$khz" -gt 0 ] && echo $(($1 * 1000 / khz)) || echo "-"; }
	ioctls=$((single + list))
	per=$(awk -v i=$ioctls -v n="${done_n:-0}" 'BEGIN { if (n > 0) printf "%.1f", i / n; else print "-" }')
	# After a failure the count includes QEMU's teardown: not per re-layout.
	[ "$how" = exit ] || { single=- list=-; per=-; }
	printf '%-7s %5s %9s/%-5s %-15s %5s %5s %8s %6s %12s %12s %6ss\n' "$v" "$trial" "${done_n:-0}" "$n" \
		"$how" "$mmio" "${mism:--}" "$single+$list" "$per" "$(us "$mean")" "$(us "$stall")" \
		"$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", b - a }')"
	[ "$how" = exit ] || { echo "#   $v: $(grep -m1 -A1 'KVM internal error' "$d/stderr" | tr '\n' ' ')"; }
	[ "$marks" -eq 2 ] || [ "$how" != exit ] || echo "#   $v: expected 2 marks in the trace, found $marks"
	if [ $fail -gt 0 ]; then
		tail -n 3 "$d/stderr" | awk -v p="#   $v stderr: " '{ print p $0 }'
		tail -n 2 "$d/debugcon" | awk -v p="#   $v guest: " '{ print p $0 }'
		[ "$v" = list ] && [ $assert = 1 ] && bad=$((bad + 1))
	fi
	return 0
}

wait_for() {	# wait_for SECONDS FILE PATTERN: until PATTERN is in FILE (0) or time is up (1)
	w=0
	until grep -q "$3" "$2" 2>/dev/null; do
		[ $w -ge $(($1 * 5)) ] && return 1
		sleep 0.2
		w=$((w + 1))
	done
}

mon() {	# mon FIFO CMD: one HMP command to a QEMU whose monitor reads FIFO (never blocks)
	timeout 5 sh -c "echo '$2' > '$1'" 2>/dev/null
}

threads() {	# threads PID: what the threads of a QEMU that does not progress are doing
	local task
	echo "#   QEMU $1 threads (comm, wchan, kernel stack):"
	for task in /proc/"$1"/task/*; do
		echo "#     $(cat "$task/comm") $(cat "$task/wchan" 2>/dev/null)" \
			"$(head -n 3 "$task/stack" 2>/dev/null | tr '\n' ' ')"
	done
}

dumped() {	# dumped FILE: wait up to 60 s until pmemsave has written all of FILE
	w=0
	until [ -f "$1" ] && [ "$(wc -c < "$1")" = "$bytes" ]; do
		[ $w -ge 300 ] && return 1
		sleep 0.2
		w=$((w + 1))
	done
	sleep 0.5	# the last write may still be in progress: check the size again
	[ "$(wc -c < "$1")" = "$bytes" ]
}

cpu_times() {	# cpu_times PID: CPU seconds of each thread of a process, busiest first
	local task
	for task in /proc/"$1"/task/*; do
		# (a thread's name may hold spaces: fields 14 and 15 are counted after the ')')
		sed 's/.*) //' "$task/stat" 2>/dev/null |
			awk -v c="$(cat "$task/comm" 2>/dev/null)" '{ printf "%.1f %s\n", ($12 + $13) / 100, c }'
	done | sort -rn
}

stop_qemu() {	# stop_qemu PID: quit, then SIGTERM, then SIGKILL; a hung QEMU shows its threads
	w=0
	while kill -0 "$1" 2>/dev/null && [ $w -lt 10 ]; do sleep 0.5; w=$((w + 1)); done
	kill "$1" 2>/dev/null
	w=0
	while kill -0 "$1" 2>/dev/null && [ $w -lt 10 ]; do sleep 0.5; w=$((w + 1)); done
	if kill -0 "$1" 2>/dev/null; then
		echo "#   QEMU $1 does not exit"
		threads "$1"
		kill -9 "$1"
	fi
	wait "$1" 2>/dev/null
}

migrate() {	# migrate VARIANT TRIAL: migration while the guest re-lays out memory
	v=$1 trial=$2 d=/tmp/qemu-pam/mig-$1.$2 bytes=$((mem * 1024 * 1024)) how=completed
	forced=no syncs=
	rm -rf "$d" && mkdir -p "$d"
	mkfifo "$d/src.in" "$d/dst.in"
	# The monitor reads a fifo; a sleeping writer keeps it open between commands.
	sleep 100000 > "$d/src.in" &
	keep=$!
	# The destination gets the same command line plus -incoming.
	# The guest ends after 12x the lead time: a slow kernel must not end it mid-migration.
	args="relayouts=1000000000 cpus=$cpus seconds=$((mig * 12))"
	# Seen twice in about 40 boots of this mode (and never in the other): the guest does not
	# get past SeaBIOS's first PAM writes. The QEMU threads are shown and the boot retried once.
	for attempt in 1 2; do
		qemu "$v" -monitor stdio -append "$args" \
			-debugcon "file:$d/debugcon" -trace pci_cfg_write -D "$d/trace" \
			<"$d/src.in" >"$d/src.out" 2>"$d/stderr" &
		pid=$!
		t0=$(cut -d' ' -f1 /proc/uptime)
		wait_for 60 "$d/debugcon" 'PAMGUEST start' && { how=completed; break; }
		how=no-start
		echo "#   $v: no 'PAMGUEST start' after 60 s (attempt $attempt; $(grep -c '@0x5[89] <- ' "$d/trace") PAM writes)"
		threads $pid
		kill -9 $pid
		wait $pid 2>/dev/null
		rm -f "$d/debugcon" "$d/trace"
	done
	sleep "$mig"
	if [ $how = completed ]; then
		mon "$d/src.in" "migrate -d exec:cat>$d/stream"
		w=0
		while :; do
			mon "$d/src.in" "info migrate"
			sleep 1
			w=$((w + 1))
			# (the migration thread ends with the migration)
			grep -q '^Migration status: completed' "$d/src.out" || cpu_times $pid > "$d/cpu"
			# Whether a live migration converges is a race between the dirty rate of
			# the workers and the CPU time left to the migration thread, which the
			# series does not decide (a list update lets the workers run on, and a
			# debug kernel slows everything). After 2 dirty syncs with re-layouts
			# between them, allow any downtime: the final sync must still find
			# every page written since the last one.
			syncs=$(sed -n 's/^dirty sync count: \([0-9]*\).*/\1/p' "$d/src.out" | tail -n 1)
			if [ "$forced" = no ] && [ "${syncs:-0}" -ge 2 ]; then
				mon "$d/src.in" "migrate_set_parameter downtime-limit 60000"
				forced=yes
			fi
			grep -q 'KVM internal error' "$d/stderr" && { how=internal-error; break; }
			kill -0 $pid 2>/dev/null || { how=qemu-exited; break; }
			grep -q '^Migration status: completed' "$d/src.out" && break
			grep -q '^Migration status: failed' "$d/src.out" && { how=failed; break; }
			[ $w -ge 120 ] && { how=timeout; break; }
		done
	fi
	t1=$(cut -d' ' -f1 /proc/uptime)
	lost=-
	if [ $how = completed ]; then
		# (the file name is quoted: HMP would read "size /tmp" as a division)
		mon "$d/src.in" "pmemsave 0 $bytes \"$d/src.mem\""
		dumped "$d/src.mem" || how=no-dump
	fi
	mon "$d/src.in" quit
	stop_qemu $pid
	kill $keep
	if [ $how = completed ]; then
		sleep 100000 > "$d/dst.in" &
		keep=$!
		qemu "$v" -monitor stdio -append "$args" -incoming "exec:cat $d/stream" \
			-S <"$d/dst.in" >"$d/dst.out" 2>"$d/dst.err" &
		pid=$!
		w=0
		while :; do
			mon "$d/dst.in" "info status"
			sleep 1
			w=$((w + 1))
			# (the monitor ends its lines with \r)
			grep 'VM status: paused' "$d/dst.out" | grep -qv inmigrate && break
			kill -0 $pid 2>/dev/null || { how=dst-exited; break; }
			[ $w -ge 60 ] && { how=load-timeout; break; }
		done
		if [ $how = completed ]; then
			mon "$d/dst.in" "pmemsave 0 $bytes \"$d/dst.mem\""
			dumped "$d/dst.mem" || how=no-dump
		fi
		mon "$d/dst.in" quit
		stop_qemu $pid
		kill $keep
	fi
	if [ $how = completed ]; then
		lost=$(cmp -l "$d/src.mem" "$d/dst.mem" 2>&1 | head -n 1000000 |
			awk '{ p[int(($1 - 1) / 4096)] = 1 } END { print length(p) }')
		rm -f "$d/src.mem" "$d/dst.mem" "$d/stream"
	fi
	relayouts=$(grep -c '@0x5[89] <- ' "$d/trace")
	# QEMU's own figure for the migration (the last 'info migrate' before it completed)
	mig_ms=$(sed -n 's/^total time: \([0-9]*\) ms.*/\1/p' "$d/src.out" | tail -n 1)
	printf '%-7s %5s %-15s %10s %10s %12s %5s %-6s %8ss\n' "$v" "$trial" "$how" "$relayouts" "$lost" \
		"${mig_ms:--}" "${syncs:--}" "$forced" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", b - a }')"
	# Where the CPU went (the migration thread competes with the vCPU threads)
	[ -s "$d/cpu" ] && echo "#   $v CPU s: $(head -n 7 "$d/cpu" | tr '\n' ',' | sed 's/,$//; s/,/, /g')"
	# -a: the list must migrate and lose nothing; pause must lose nothing if it completes
	# (each of its re-layouts re-creates the RAM slot with every page dirty, so even its
	# stop-and-copy may not end before the guest does: that is reported, not a failure).
	if [ "$how" != completed ] || [ "$lost" != 0 ]; then
		tail -n 2 "$d/stderr" | awk -v p="#   $v stderr: " '{ print p $0 }'
		grep -a -E '^(Migration status|total time|transferred ram|dirty sync|dirty pages rate|expected downtime|throughput|VM status)' \
			"$d/src.out" | tail -n 8 | awk -v p="#   $v monitor: " '{ print p $0 }'
		tail -n 2 "$d/debugcon" | awk -v p="#   $v guest: " '{ print p $0 }'
		tail -n 3 "$d/dst.err" 2>/dev/null | awk -v p="#   $v destination: " '{ print p $0 }'
		grep -a 'VM status' "$d/dst.out" 2>/dev/null | tail -n 1 | awk -v p="#   $v destination: " '{ print p $0 }'
		case $v/$how in
		list/*|pause/completed) [ $assert = 1 ] && bad=$((bad + 1)) ;;
		esac
	fi
	return 0
}

each() {	# each FUNCTION VARIANT...: FUNCTION VARIANT TRIAL, for every variant and trial
	each_f=$1
	shift
	for each_v in "$@"; do
		each_t=1
		while [ $each_t -le "$trials" ]; do
			"$each_f" "$each_v" $each_t
			each_t=$((each_t + 1))
		done
	done
}

if [ "$mig" -gt 0 ]; then
	echo "qemu-pam: migration after ${mig}s of PAM re-layouts, $cpus vCPUs, $mem MiB, $trials trial(s)"
	printf '%-7s %5s %-15s %10s %10s %12s %5s %-6s %9s\n' variant trial end re-layouts lost_pages \
		migration_ms syncs forced time
	each migrate "$@"
	echo "qemu-pam: re-layouts = PAM writes while the source ran; lost_pages = RAM pages that differ;"
	echo "qemu-pam: syncs = dirty syncs; forced = downtime limit lifted after 2 syncs (no convergence)"
	[ $bad -eq 0 ] || { echo "qemu-pam: FAIL: $bad migration(s) of the patched QEMU failed"; exit 1; }
	exit 0
fi

echo "qemu-pam: $n PAM re-layouts per run, $cpus vCPUs (1 re-layouter, $((cpus - 1)) workers), $trials trial(s)"
printf '%-7s %5s %15s %-15s %5s %5s %8s %6s %12s %12s %7s\n' variant trial re-layouts end mmio wrong \
	"ioctls" "/relay" "relayout_us" "max_stall_us" time
each run "$@"
echo "qemu-pam: end=exit means the guest finished; mmio = MMIO exits to RAM; wrong = mismatches"
[ $bad -eq 0 ] || { echo "qemu-pam: FAIL: $bad run(s) of the patched QEMU (list) failed"; exit 1; }
exit 0
