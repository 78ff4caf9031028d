#!/bin/bash
# timeout: 180
# stripelog check on images of a crashed-and-recovered volume (written by the
# crash simulator through the real engine): clean as written; then corrupted
# copies must be flagged: superblock, leg superblock, both log header slots,
# live segment data (bit rot, found through the summary crcs), the newest
# checkpoint (fallback to the older one, reported) and a checkpoint whose map
# disagrees with the segment summaries (the cross-check).
set -uo pipefail
cd "${SL_TOP:-$(dirname "$0")/../..}"
sl=build/bin/stripelog
sim=build/asan/tests/sim/crashsim
[ -x "$sl" ] && [ -x "$sim" ] || { echo "missing $sl or $sim"; exit 1; }
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

"$sim" --seed 5 --iterations 30 --save-images "$t" >/dev/null || { echo "crashsim failed"; exit 1; }
p=$t/perf.img; l=$t/leg0.img
$sl check "$p" "$l" >"$t/c" 2>&1; rc=$?
cat "$t/c"
[ $rc = 0 ] && ok "recovered volume is clean" || bad "clean image flagged ($rc)"
$sl dump --json --records 0 "$p" "$l" >"$t/d.json" || bad "dump --json"
python3 - "$t/d.json" <<'PY' || bad "dump shows records and segments"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["segments_with_summary"] > 0 and d["log"]["records"] == len(d["records"])
PY
# --segment S lists S's summary entries with where each data block lives
# (k=1: leg 0, inside the segment's 32 blocks, after its summary block).
s0=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["segments"][0]["index"])' "$t/d.json")
$sl dump --json --segment "$s0" "$p" "$l" >"$t/s.json" || bad "dump --segment"
python3 - "$t/s.json" "$s0" <<'PY' && ok "dump --segment lists entries" || bad "dump --segment entries"
import json, sys
s0 = int(sys.argv[2])
seg = [s for s in json.load(open(sys.argv[1]))["segments"] if s["index"] == s0][0]
ents = seg["entry_list"]
assert len(ents) == seg["entries"] > 0, seg
data = [e for e in ents if "slot" in e]
assert len(data) == seg["data_slots"], seg
for e in data:
    assert e["leg"] == 0 and e["leg_block"] == 256 + s0 * 32 + 1 + e["slot"], e
PY
# (to a file first: grep -q may exit before dump has written everything,
# and under pipefail dump's SIGPIPE would fail the pipeline)
$sl dump --segment "$s0" "$p" "$l" >"$t/s.txt" || bad "dump --segment (text)"
grep -q "lba .* seq .*: slot 0, crc [0-9a-f]*, leg 0 block" "$t/s.txt" &&
	ok "dump --segment text" || bad "dump --segment text"
$sl dump --segment x "$p" "$l" >/dev/null 2>&1; [ $? = 2 ] && ok "bad --segment refused" ||
	bad "bad --segment accepted"

flip() { # file block byte
	printf '\xa5' | dd of="$1" bs=1 seek=$(( $2 * 4096 + $3 )) conv=notrunc status=none
}
expect_finding() { # name pattern files...
	local name=$1 pat=$2; shift 2
	$sl check "$@" >"$t/out" 2>&1; local rc=$?
	if [ $rc = 1 ] && grep -q "$pat" "$t/out"; then ok "$name flagged"; else
		cat "$t/out"; bad "$name not flagged (exit $rc)"; fi
}
cp "$p" "$t/p1"; flip "$t/p1" 0 100
expect_finding "corrupt superblock" "superblock checksum" "$t/p1" "$l"
cp "$l" "$t/l1"; flip "$t/l1" 0 20
expect_finding "corrupt leg superblock" "leg 0" "$p" "$t/l1"
cp "$p" "$t/p2"; flip "$t/p2" 1 40; flip "$t/p2" 2 40
expect_finding "both log header slots corrupt" "no valid log header" "$t/p2" "$l"
# Bit rot in every data block of every segment: live ones must be reported.
cp "$l" "$t/l2"
for s in $(python3 -c 'import json,sys; [print(x["index"]) for x in json.load(open(sys.argv[1]))["segments"]]' "$t/d.json"); do
	for b in $(seq 1 31); do flip "$t/l2" $(( 256 + s * 32 + b )) 7; done
done
expect_finding "segment data bit rot" "data checksum mismatch" "$p" "$t/l2"
# Checkpoints: the newest slot's body damaged -> reported, older one used.
newest=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print([c["block"] for c in d["checkpoints"] if c.get("newest")][0])' "$t/d.json")
cp "$p" "$t/p3"; flip "$t/p3" $((newest + 1)) 30
expect_finding "damaged newest checkpoint" "checkpoint not usable" "$t/p3" "$l"
cp "$p" "$t/p5"; flip "$t/p5" "$newest" 30
$sl dump "$t/p5" "$l" >"$t/d5.txt"; grep -q "checkpoint slot .*invalid" "$t/d5.txt" && ok "dump shows the bad slot" ||
	bad "dump does not show the bad slot"
# A checkpoint that lost a mapping but is otherwise valid (crcs resealed):
# only the cross-check against the segment summaries can tell.  Extents that
# newer writes replaced change nothing, so drop each in turn until one that
# was still live is dropped; that one must be flagged.
forge() { python3 - "$p" "$t/p4" "$newest" "$1" <<'PY'
import struct, sys
src, dst, blk, drop = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
img = bytearray(open(src, 'rb').read())
def crc32c(b, crc=0xffffffff):
    for x in b:
        crc ^= x
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82f63b78 if crc & 1 else 0)
    return crc
h = blk * 4096
nseg, = struct.unpack_from('<Q', img, h + 72)
next_ = struct.unpack_from('<Q', img, h + 64)[0]
body_blocks, = struct.unpack_from('<I', img, h + 80)
if drop >= next_:
    sys.exit(1)
body = h + 4096
ext = body + nseg * 8
# drop extent `drop`: shift the rest down, nr_extents - 1, reseal body and header
img[ext + drop * 32: ext + (next_ - 1) * 32] = img[ext + (drop + 1) * 32: ext + next_ * 32]
img[ext + (next_ - 1) * 32: ext + next_ * 32] = bytes(32)
struct.pack_into('<Q', img, h + 64, next_ - 1)
bc = crc32c(bytes(img[body: body + body_blocks * 4096]))
struct.pack_into('<I', img, h + 84, bc)
struct.pack_into('<I', img, h + 4, 0)
struct.pack_into('<I', img, h + 4, crc32c(bytes(img[h: h + 4096])))
open(dst, 'wb').write(img)
PY
}
i=0 found=0
while forge $i; do
	$sl check "$t/p4" "$l" >"$t/out" 2>&1
	if [ $? = 1 ] && grep -q "differs from the segment summaries" "$t/out"; then found=1; break; fi
	i=$((i + 1))
done
[ $found = 1 ] && ok "checkpoint missing live mapping $i flagged by the cross-check" ||
	bad "no dropped checkpoint extent was flagged ($i tried)"
exit $fail
