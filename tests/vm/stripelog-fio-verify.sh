#!/bin/bash
# fio --verify=crc32c random 4K and sequential 128K writes on a stripelog
# volume with a small log (log_threshold_pct 10), so the data crosses many
# segment destages; read back and verified, then again after a table reload
# and after a module reload.  Finally `stripelog check` on the removed volume.
# vm-run: --mem 2048
# timeout: 240
set -euo pipefail
. tests/vm/tools/stripelog-lib.sh
sl_module

sl_loop perf perf 8
sl_loop cap cap 128
size=$((32 * 2048))	# 32 MiB in sectors
table="0 $size stripelog $perf 1 0 $cap 2 log_threshold_pct 10"
sl_dm slfio "$table"
dev=/dev/mapper/slfio
udevadm settle
dmsetup status slfio

common=(--filename="$dev" "${SL_FIO_VERIFY[@]}")
fio_rand() { fio --name=rand "${common[@]}" --rw=randwrite --bs=4k --iodepth=16 \
	--offset=0 --size=4M "$@" >/dev/null; }
fio_seq() { fio --name=seq "${common[@]}" --rw=write --bs=128k --iodepth=4 \
	--offset=8M --size=12M "$@" >/dev/null; }

sl_log "write + verify: random 4K QD16 over 4 MiB, sequential 128K over 12 MiB"
fio_rand
fio_seq
st=$(dmsetup status slfio)
echo "$st"
destages=$(awk '{for (i = 1; i < NF; i++) if ($i == "destages") print $(i + 1)}' <<<"$st")
[ "${destages:-0}" -ge 10 ] || sl_fail "expected many destages, status says '${destages:-?}'"

sl_log "table reload (suspend, same table, resume) and verify again"
dmsetup suspend slfio
dmsetup load slfio --table "$table"
dmsetup resume slfio
fio_rand --verify_only
fio_seq --verify_only

sl_log "remove, module reload, create, verify again"
sl_dm_remove slfio
rmmod dm_stripelog
sl_module
dmsetup create slfio --table "$table"
udevadm settle
fio_rand --verify_only
fio_seq --verify_only
dmsetup table slfio
want="0 $size stripelog $(sl_majmin "$perf") 1 0 $(sl_majmin "$cap") 2 log_threshold_pct 10"
[ "$(dmsetup table slfio)" = "$want" ] || sl_fail "table line does not round-trip (want '$want')"
sl_dm_remove slfio

sl_log "stripelog check on the cleanly removed volume"
stripelog check "$perf" "$cap"
echo PASS
