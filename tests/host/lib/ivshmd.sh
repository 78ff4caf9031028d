# Sourced by the tests/host/ivshmd-*.sh tests, which run ivshmd against
# tests/host/ivshmd-fake-qemu.py, a stand-in for QEMU and the guest driver.
#
# Sets $bin to the ivshmd to test (IVSHMD_BIN, else the ASan+UBSan build when
# present, else build/bin/ivshmd), exits 1 if there is none and 77 (skip)
# without python3, and sets rc=0.
cd "$SL_TOP" || exit 1
bin=${IVSHMD_BIN:-build/asan/bin/ivshmd}
[ -x "$bin" ] || bin=build/bin/ivshmd
[ -x "$bin" ] || { echo "ivshmd not built (run make)"; exit 1; }
command -v python3 >/dev/null || { echo "SKIP: python3 missing"; exit 77; }
rc=0

# fake_qemu_scenarios NAME...: run each scenario of the fake client against
# $bin; any failure sets rc=1.
fake_qemu_scenarios() {
	local scenario
	for scenario in "$@"; do
		echo "==== $scenario"
		python3 tests/host/ivshmd-fake-qemu.py "$bin" "$scenario" || rc=1
	done
}
