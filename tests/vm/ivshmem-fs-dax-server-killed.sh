#!/bin/bash
# ivshmem-fs-server-killed.sh over a DAX mount (ivshmd --dax): with regular
# files mapped into the DAX window, killing the server still turns
# outstanding and new operations into EIO within seconds (open, fsync and
# new mappings all need the server), umount and rmmod still work (the
# guest's unmapping requests fail instead of hanging), and the kernel log
# stays clean.  Sorts after ivshmem-fs-dax-io in the same boot (the server
# is gone afterwards).
# vm-run: --mem 1024 --ivshmd-vectors 4 --ivshmd-fs slfs --ivshmd-arg --indirect --ivshmd-arg --shm-size --ivshmd-arg 64M --ivshmd-arg --dax --ivshmd-arg 32M
# timeout: 120
set -euo pipefail
. tests/vm/tools/ivshmem-fs-lib.sh
# a file with a chunk mapped read-write when the server dies
ivfs_workdir daxkilled
python3 - "$WORK/mapped" <<'PY'
import os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)
os.write(fd, b"m" * 65536)
os.pwrite(fd, b"in place", 100)        # a store into a writable chunk
assert os.pread(fd, 8, 100) == b"in place"
os.close(fd)
PY
exec bash tests/vm/ivshmem-fs-server-killed.sh
