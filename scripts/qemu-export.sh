#!/usr/bin/env bash
# Write base..HEAD of the QEMU developer tree back to qemu/patches/ (export.sh), then run
# QEMU's own checkpatch.pl on the series.
. "$(dirname "$0")/lib.sh"

dir=${1:-$B/qemu}
"$TOP/scripts/export.sh" "$dir" "$TOP/qemu/patches"
"$dir/scripts/checkpatch.pl" -q "$TOP"/qemu/patches/*.patch || die "QEMU's checkpatch.pl found problems (above)"
info "QEMU's checkpatch.pl: clean"
