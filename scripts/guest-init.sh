#!/bin/sh
# PID 1 of the test VM. Kernel command line:
#   ws.mode=test|shell|run   ws.tests=a,b   ws.list=NAME
# test mode runs /etc/NAME (default tests.list), then powers off.
/bin/busybox --install -s
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mount -t tmpfs tmp /tmp
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mkdir -p /dev/hugepages && mount -t hugetlbfs none /dev/hugepages
echo 64 > /proc/sys/vm/nr_hugepages 2>/dev/null

mode=shell
tests=
list=tests.list
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	ws.mode=*) mode=${arg#ws.mode=} ;;
	ws.tests=*) tests=${arg#ws.tests=} ;;
	ws.list=*) list=${arg#ws.list=} ;;
	esac
done

echo "guest: kernel $(uname -r), $(nproc) CPUs, $(awk '/MemTotal/ {print int($2/1024)}' /proc/meminfo) MiB," \
	"/dev/kvm $([ -c /dev/kvm ] && echo present || echo MISSING)," \
	"clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null)"

case "$mode" in
test)
	echo "guest: kvm.tdp_mmu=$(cat /sys/module/kvm/parameters/tdp_mmu 2>/dev/null || echo -)," \
		"test list /etc/$list"
	LIST=/etc/$list TESTS=$tests /bin/run-tests
	;;
run)
	p=/sys/module
	echo "guest: kvm_amd npt=$(cat $p/kvm_amd/parameters/npt 2>/dev/null || echo -)" \
		"nested=$(cat $p/kvm_amd/parameters/nested 2>/dev/null || echo -)" \
		"kvm tdp_mmu=$(cat $p/kvm/parameters/tdp_mmu 2>/dev/null || echo -)"
	if [ -x /bin/guest-demo.sh ]; then /bin/guest-demo.sh; else /bin/kvm-hello; fi
	echo "guest: run finished with status $?"
	;;
*)
	echo "guest: interactive shell; tests are in /kvm, the list in /etc/tests.list (run-tests)."
	echo "guest: 'poweroff' or Ctrl-D leaves the VM."
	setsid cttyhack sh -l
	;;
esac
sync
echo "guest: powering off"
reboot -f
