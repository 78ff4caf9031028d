#!/bin/bash
# scripts/vm-run --ivshmd*: the server starts before QEMU, the guest sees the
# ivshmem-doorbell device, IVSHMD_DISK and IVSHMD_LOG; /vmout/kill-ivshmd
# kills the server mid-run; its log is shown prefixed and saved beside the
# dmesg; a server exiting non-zero unasked fails the run.
# timeout: 180
set -u
cd "$SL_TOP"
[ -x build/bin/ivshmd ] || { echo "ivshmd not built (run make)"; exit 1; }
tmp=$(mktemp -d "$SL_TOP/build/ivshmd-vm-run.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# 1. device, environment, live log, kill on request
out=$(scripts/vm-run --quiet-boot --timeout 90 --dmesg "$tmp/a.dmesg" \
	--ivshmd-disk 64M --ivshmd-vectors 3 --ivshmd-arg -v -- bash -c '
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat $d/vendor):$(cat $d/device)" = 0x1af4:0x1110 ] && echo "dev-ok $(cat $d/irq)"
		[ "$(cat $d/vendor):$(cat $d/device)" = 0x1af4:0x1110 ] &&
			echo "bar2=$(stat -c %s $d/resource2)"
	done
	echo "disk=$(stat -c %s "$IVSHMD_DISK")"
	grep -q "client connected: peer id 1, server id 0, 3 vectors" "$IVSHMD_LOG" && echo log-ok
	echo KILL > /vmout/kill-ivshmd
	for i in $(seq 100); do [ -e /vmout/ivshmd-killed ] && break; sleep 0.1; done
	echo "killed=$(cat /vmout/ivshmd-killed)"' 2>&1)
rc=$?
printf '%s\n' "$out"
[ "$rc" = 0 ] || fail "vm-run exit $rc"
grep -q '^dev-ok' <<<"$out" || fail "guest has no ivshmem-doorbell device"
grep -qx 'bar2=67108864' <<<"$out" || fail "BAR2 is not the 64M default window"
grep -qx 'disk=67108864' <<<"$out" || fail "IVSHMD_DISK missing or wrong size"
grep -qx 'log-ok' <<<"$out" || fail "IVSHMD_LOG not readable live in the guest"
grep -qx 'killed=KILL' <<<"$out" || fail "kill request not acknowledged"
grep -q '^ivshmd: info: listening on' <<<"$out" || fail "server log not shown prefixed"
grep -q 'sent SIGKILL to ivshmd' <<<"$out" || fail "kill not reported"
grep -q 'client connected' "$tmp/a.ivshmd.log" || fail "server log not saved beside the dmesg"

# 2. a server that exits non-zero without being asked fails the run
cat > "$tmp/bad-ivshmd" <<EOS
#!/bin/bash
"$SL_TOP/build/bin/ivshmd" "\$@"
exit 3
EOS
chmod +x "$tmp/bad-ivshmd"
out=$(scripts/vm-run --quiet-boot --timeout 90 --dmesg "$tmp/b.dmesg" \
	--ivshmd-bin "$tmp/bad-ivshmd" --ivshmd-disk 16M -- true 2>&1)
rc=$?
printf '%s\n' "$out"
[ "$rc" = 1 ] || fail "expected exit 1 when the server fails, got $rc"
grep -q 'FAIL: ivshmd exited with status 3' <<<"$out" || fail "server failure not reported"

# 3. usage errors
scripts/vm-run --ivshmd "--vectors 4" -- true >/dev/null 2>&1
[ $? = 2 ] || fail "--vectors inside --ivshmd not refused"
scripts/vm-run --ivshmd-vectors 0 --ivshmd-disk 1M -- true >/dev/null 2>&1
[ $? = 2 ] || fail "--ivshmd-vectors 0 not refused"
echo "PASS"
