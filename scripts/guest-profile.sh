#!/bin/sh
# In the test VM as /kvm/profile/ftrace (tests/bench.list): run a selftest under ftrace's
# function profiler, limited to the memslot update path, its allocations and the grace
# period, and print per function: calls and total time (children and sleeps included).
#   profile/ftrace TEST [ARGS...]
# A traced call costs a microsecond or more under TCG: compare calls, and times only
# between functions of one run.
T=/sys/kernel/tracing
[ -w $T/function_profile_enabled ] || { echo "profile: no function profiler in $T"; exit 4; }
echo 0 > $T/function_profile_enabled
: > $T/set_ftrace_filter
for p in '*memslot*' '*memory_region*' 'synchronize_srcu*' 'kvm_vm_ioctl' '*id_hash*' \
	'kvm_alloc_*' 'kvm_swap_*' 'kvm_mmu_change_mmu_pages' 'kvm_mmu_slot_apply_flags' \
	'__kmalloc*' 'kmalloc_*' '__kvmalloc_node*' '__vmalloc_node*' 'kfree' 'kvfree' 'vfree' \
	'sort_r'; do
	echo "$p" >> $T/set_ftrace_filter 2>/dev/null
done
echo function_graph > $T/current_tracer || { echo "profile: no function_graph tracer"; exit 4; }
echo 0 > $T/tracing_on
echo 1 > $T/function_profile_enabled
test=$1
shift
"/kvm/$test" "$@"
rc=$?
echo 0 > $T/function_profile_enabled
echo nop > $T/current_tracer
echo "PROFILE $test $*: $(wc -l < $T/set_ftrace_filter) functions traced; the 25 with the most" \
	"time, then the allocators and the MMU page limit"
printf 'PROFILE %-40s %8s %12s %10s\n' function calls total_us us_per_call
cat $T/trace_stat/function* | awk '$1 != "Function" && $1 !~ /^-/ && NF >= 4 {
	u = $4 == "us" ? 1 : $4 == "ms" ? 1000 : $4 == "s" ? 1000000 : 0.001
	calls[$1] += $2; us[$1] += $3 * u }
	END { for (f in calls) printf "PROFILE %-40s %8d %12.0f %10.1f\n", f, calls[f], us[f], us[f] / calls[f] }' |
	sort -k4 -rn > /tmp/profile.$$
head -n 25 /tmp/profile.$$
tail -n +26 /tmp/profile.$$ | grep -E ' (__kmalloc|__kvmalloc|__vmalloc|kvm_mmu_change_mmu_pages)'
rm -f /tmp/profile.$$
exit $rc
