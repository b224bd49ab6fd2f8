#!/usr/bin/env bash
# Sort the KCSAN reports of a soak (scripts/guest-soak.sh prints them with a 'kcsan:' prefix):
#   kcsan-sort.sh KOBJ OUTDIR CONSOLE_LOG...
# Writes OUTDIR/kcsan-races.txt (count, class, title) and prints it; exit 1 if a race in KVM is
# not explained in tests/kcsan-explained.txt.
. "$(dirname "$0")/lib.sh"

kobj=${1:?usage: kcsan-sort.sh KOBJ OUTDIR LOG...}
D=${2:?}
shift 2
races=$D/kcsan-races.txt
rc=0
# KCSAN: a race is KVM's if one of the top 4 frames of either access is a function defined in
# arch/x86/kvm or virt/kvm (the symbols of their object files). A KVM race whose title is a
# 'race:' line of tests/kcsan-explained.txt is listed as known; any other fails the soak.
find "$kobj/arch/x86/kvm" "$kobj/virt/kvm" -name '*.o' -print0 | xargs -0 nm --defined-only |
	awk '$2 ~ /^[tTwW]$/ { print $3 }' | sort -u > "$D/kvm-symbols.txt"
sed -n 's/^race: //p' "$TOP/tests/kcsan-explained.txt" > "$D/explained.txt"
awk -v syms="$D/kvm-symbols.txt" -v known="$D/explained.txt" '
	function out() {
		if (title == "") return
		print (!hit ? "other    " : (title in ok) ? "KVM-known" : "KVM      ") "  " title
		title = ""
	}
	BEGIN { while ((getline s < syms) > 0) kvm[s] = 1; while ((getline s < known) > 0) ok[s] = 1 }
	/: kcsan: BUG: KCSAN:/ {
		out(); title = $0; sub(/.*BUG: KCSAN: (data-race in )?/, "", title); gsub(/\+0x[0-9a-f]+\/0x[0-9a-f]+/, "", title)
		hit = 0; depth = 9 }
	/: kcsan: .* by (task|interrupt)/ { depth = 0; next }
	depth < 4 && /: kcsan: +[A-Za-z_0-9.]+\+0x/ {
		f = $0; sub(/.*: kcsan: +/, "", f); sub(/\+0x.*/, "", f); hit = hit || (f in kvm); depth++ }
	/: kcsan: *$/ { depth = 9 }
	END { out() }' "$@" | sort | uniq -c | sort -rn > "$races"
echo "KCSAN: distinct races (count; KVM, KVM-known: explained in tests/kcsan-explained.txt,"
echo "or other; title); whole reports in $D/console-*.log:"
cat "$races"
if grep -q '^ *[0-9]* KVM  ' "$races"; then
	echo "soak: error: KCSAN reported data races in KVM that tests/kcsan-explained.txt does not explain"
	rc=1
fi
exit $rc
