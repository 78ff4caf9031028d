# SPDX-License-Identifier: GPL-2.0
#
# stripelog top-level build.
#   make            kernel modules + userspace programs
#   make check      everything, then all test suites (one summary line)
#   make sparse     sparse (C=2) over the kernel code; fails on any warning
#   make demo       the guided demonstration in a VM
#   make bench      fio benchmarks in a VM (results under build/bench/)
#   make clean      back to the tree as cloned
#
# Userspace sources are picked up by directory:
#   kernel/core/*.c       portable core (also built into dm-stripelog.ko)
#   userspace/lib/*.c     userspace side of the compat layer
#   userspace/<prog>/*.c  one program each (main.c holds main())
#   tests/unit/test-*.c   unit tests, run under ASan+UBSan
#   tests/fuzz/fuzz-*.c   libFuzzer targets

SHELL := /bin/bash
TOP := $(CURDIR)
B := build

# Bring in missing Debian packages on first use, for every target but clean.
ifeq ($(filter clean help,$(MAKECMDGOALS)),)
DEPS_OK := $(shell $(TOP)/scripts/install-deps --check >/dev/null 2>&1 || \
	$(TOP)/scripts/install-deps >&2 && echo ok)
ifneq ($(DEPS_OK),ok)
$(error scripts/install-deps failed: cannot install the build dependencies)
endif
KVER ?= $(shell $(TOP)/scripts/kver)
endif
KDIR ?= /lib/modules/$(KVER)/build

CC ?= gcc
CLANG ?= clang
PROGS := stripelog ivshmd

USER_CPPFLAGS := -D_GNU_SOURCE -I$(TOP)/kernel/core -I$(TOP)/userspace/lib \
	-I$(TOP)/userspace -I$(TOP)/virtio-client $(shell pkg-config --cflags fuse3 2>/dev/null)
USER_CFLAGS := -std=gnu11 -g -Wall -Wextra -Werror
OPT := -O2
SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
LIBS_stripelog := -ldevmapper
LIBS_ivshmd := -luring -lfuse3 -lpthread
TEST_LIBS := $(LIBS_stripelog) $(LIBS_ivshmd) -lm

CORE_SRCS := $(wildcard kernel/core/*.c) $(wildcard userspace/lib/*.c)
prog_srcs = $(wildcard userspace/$(1)/*.c)
# A program's sources less its main(), for linking into tests.
prog_lib_srcs = $(filter-out userspace/$(1)/main.c,$(call prog_srcs,$(1)))
UNIT_SRCS := $(wildcard tests/unit/test-*.c)
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz-*.c)
SIM_SRCS := $(wildcard tests/sim/*.c)
TEST_HELPER_SRCS := $(wildcard tests/lib/*.c)

.PHONY: all modules userspace sparse check check-unit demo bench clean help \
	install-deps unit-bins fuzz-bins sim-bin

all: modules userspace

# Keep the test objects make builds on the way (no "rm ..." after the
# summary line of make check).
.SECONDARY:

help:
	@sed -n '3,9p' Makefile | sed 's/^# //'

install-deps:
	$(TOP)/scripts/install-deps

modules:
	$(MAKE) -C $(KDIR) M=$(TOP) modules

sparse:
	@mkdir -p $(B)
	$(MAKE) -C $(KDIR) M=$(TOP) C=2 CF="-D__CHECK_ENDIAN__" modules 2>&1 | tee $(B)/sparse.log
	@if grep -E 'warning:|error:' $(B)/sparse.log; then \
		echo "sparse: warnings found (see above)"; exit 1; \
	else echo "sparse: clean"; fi

# ---- userspace: normal (build/obj), sanitized (build/asan), fuzz (build/fuzz)
$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(USER_CPPFLAGS) $(USER_CFLAGS) $(OPT) -MMD -MP -c $< -o $@

$(B)/asan/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(USER_CPPFLAGS) $(USER_CFLAGS) -O1 $(SAN) -DSL_TESTING -MMD -MP -c $< -o $@

$(B)/fuzz/%.o: %.c
	@mkdir -p $(dir $@)
	$(CLANG) $(USER_CPPFLAGS) $(USER_CFLAGS) -O1 -fsanitize=fuzzer-no-link,address,undefined \
		-DSL_TESTING -DSL_FUZZING -MMD -MP -c $< -o $@

objs = $(patsubst %.c,$(B)/$(1)/%.o,$(2))

define prog_rule
$(B)/bin/$(1): $(call objs,obj,$(CORE_SRCS) $(call prog_srcs,$(1)))
	@mkdir -p $$(dir $$@)
	$(CC) $(OPT) -o $$@ $$^ $(LIBS_$(1))
$(B)/asan/bin/$(1): $(call objs,asan,$(CORE_SRCS) $(call prog_srcs,$(1)))
	@mkdir -p $$(dir $$@)
	$(CC) $(SAN) -o $$@ $$^ $(LIBS_$(1))
$(B)/asan/lib$(1).a: $(call objs,asan,$(call prog_lib_srcs,$(1)))
	@mkdir -p $$(dir $$@)
	rm -f $$@ && ar rcs $$@ $$^
$(B)/fuzz/lib$(1).a: $(call objs,fuzz,$(call prog_lib_srcs,$(1)))
	@mkdir -p $$(dir $$@)
	rm -f $$@ && ar rcs $$@ $$^
endef
$(foreach p,$(PROGS),$(eval $(call prog_rule,$(p))))

$(B)/asan/libcore.a: $(call objs,asan,$(CORE_SRCS) $(TEST_HELPER_SRCS))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^
$(B)/fuzz/libcore.a: $(call objs,fuzz,$(CORE_SRCS) $(TEST_HELPER_SRCS))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

TEST_ARCHIVES = $(foreach p,$(PROGS),$(B)/asan/lib$(p).a) $(B)/asan/libcore.a
FUZZ_ARCHIVES = $(foreach p,$(PROGS),$(B)/fuzz/lib$(p).a) $(B)/fuzz/libcore.a

$(B)/asan/tests/unit/%: $(B)/asan/tests/unit/%.o $(TEST_ARCHIVES)
	$(CC) $(SAN) -o $@ $< $(TEST_ARCHIVES) $(TEST_LIBS)

$(B)/asan/tests/sim/crashsim: $(call objs,asan,$(SIM_SRCS)) $(TEST_ARCHIVES)
	$(CC) $(SAN) -o $@ $(call objs,asan,$(SIM_SRCS)) $(TEST_ARCHIVES) $(TEST_LIBS)

$(B)/fuzz/tests/fuzz/%: $(B)/fuzz/tests/fuzz/%.o $(FUZZ_ARCHIVES)
	$(CLANG) -fsanitize=fuzzer,address,undefined -o $@ $< $(FUZZ_ARCHIVES) $(TEST_LIBS)

USER_BINS := $(addprefix $(B)/bin/,$(PROGS))
ASAN_BINS := $(addprefix $(B)/asan/bin/,$(PROGS))
UNIT_BINS := $(patsubst %.c,$(B)/asan/%,$(UNIT_SRCS))
FUZZ_BINS := $(patsubst %.c,$(B)/fuzz/%,$(FUZZ_SRCS))
SIM_BIN := $(if $(SIM_SRCS),$(B)/asan/tests/sim/crashsim)

userspace: $(USER_BINS)
unit-bins: $(ASAN_BINS) $(UNIT_BINS) $(SIM_BIN)
fuzz-bins: $(FUZZ_BINS)

-include $(shell find $(B)/obj $(B)/asan $(B)/fuzz -name '*.d' 2>/dev/null)

# ---- tests, demo, bench
check: all unit-bins fuzz-bins
	@$(TOP)/tests/run

demo: all
	@$(TOP)/scripts/demo

bench: all
	@$(TOP)/scripts/bench

clean:
	-$(MAKE) -C $(KDIR) M=$(TOP) clean >/dev/null 2>&1
	rm -rf $(B)
	find $(TOP)/kernel $(TOP)/virtio-client \( -name '*.o' -o -name '*.ko' \
		-o -name '*.mod' -o -name '*.mod.c' -o -name '.*.cmd' -o -name '*.a' \
		-o -name 'modules.order' -o -name '*.symvers' -o -name '*.o.d' \) -delete
	rm -f $(TOP)/modules.order $(TOP)/Module.symvers $(TOP)/.*.cmd
