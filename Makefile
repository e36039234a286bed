# netd — one Makefile for the daemon, the CLI, libnetd, the eBPF objects and the tests.
# `make V=1` shows the commands; `make check` is what CI runs.

SHELL   := /bin/bash
BUILD   ?= build
CC      ?= gcc
CLANG   ?= clang
BPFTOOL ?= bpftool
PKGS    := libmnl libnl-3.0 libnl-route-3.0 libbpf json-c

WARN    := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wformat=2 -Wmissing-prototypes
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 $(WARN) -D_GNU_SOURCE -fPIC -Iinclude -Inetd -I$(BUILD) \
           $(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(SAN)
LDLIBS  := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
LDFLAGS += $(SAN)

ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-7s %s\n' $(1) $(2)
endif

.DELETE_ON_ERROR:
.SECONDEXPANSION:
.SUFFIXES:
.PHONY: all deps check unit itest vmtest run demo bench fuzz fuzz-smoke asan clean install

LIB_SRC    := $(sort $(wildcard netd/lib/*.c))
DAEMON_SRC := $(sort $(filter-out netd/daemon/main.c,$(wildcard netd/daemon/*.c)))
CTL_SRC    := $(sort $(wildcard netd/ctl/*.c))
BPF_SRC    := $(sort $(wildcard ebpf/*.bpf.c))
UNIT_SRC   := $(sort $(wildcard tests/unit/test_*.c))
HELPER_SRC := $(sort $(wildcard tests/helpers/*.c))

LIB_OBJ    := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
DAEMON_OBJ := $(DAEMON_SRC:%.c=$(BUILD)/obj/%.o)
CTL_OBJ    := $(CTL_SRC:%.c=$(BUILD)/obj/%.o)
BPF_SKEL   := $(BPF_SRC:ebpf/%.bpf.c=$(BUILD)/ebpf/%.skel.h)
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
HELPER_BIN := $(HELPER_SRC:tests/helpers/%.c=$(BUILD)/tests/%)

all: $(BUILD)/netd $(BUILD)/netdctl $(BUILD)/libnetd.so $(BUILD)/libnetd.a $(BUILD)/libnetd.pc

# Debian packages the build and the tests need; installs only what is missing.
deps:
	$(Q)scripts/deps

$(BUILD)/obj/%.o: %.c
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

# The daemon objects need the generated skeletons before they compile.
$(DAEMON_OBJ) $(BUILD)/obj/netd/daemon/main.o: $(BPF_SKEL)

$(BUILD)/ebpf/%.bpf.o: ebpf/%.bpf.c $(wildcard ebpf/*.h)
	$(call msg,BPF,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) -O2 -g -target bpf -D__TARGET_ARCH_x86 -I/usr/include/x86_64-linux-gnu -Iebpf -c $< -o $@

$(BUILD)/ebpf/%.skel.h: $(BUILD)/ebpf/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@

$(BUILD)/libnetd.a: $(LIB_OBJ)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/libnetd-core.a: $(DAEMON_OBJ)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/libnetd.so: $(LIB_OBJ)
	$(call msg,LD,$@)
	$(Q)$(CC) -shared -Wl,-soname,libnetd.so.0 $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libnetd.pc: netd/lib/libnetd.pc.in
	$(Q)sed -e 's|@PREFIX@|$(or $(PREFIX),/usr/local)|' $< > $@

$(BUILD)/netd: $(BUILD)/obj/netd/daemon/main.o $(BUILD)/libnetd-core.a $(BUILD)/libnetd.a
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/netdctl: $(CTL_OBJ) $(BUILD)/libnetd.a
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/test_%: tests/unit/test_%.c $(filter-out $(BUILD)/obj/netd/ctl/netdctl.o,$(CTL_OBJ)) $(BUILD)/libnetd-core.a $(BUILD)/libnetd.a
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -Itests/unit -MMD -MP $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

$(BUILD)/tests/%: tests/helpers/%.c $(BUILD)/libnetd.a
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -MMD -MP $(LDFLAGS) -o $@ $^ $(LDLIBS)

unit: $(UNIT_BIN)
	$(Q)set -e; for t in $(UNIT_BIN); do $$t; done

itest: all $(HELPER_BIN)
	$(Q)tests/run-integration

vmtest: all $(HELPER_BIN)
	$(Q)scripts/vmtest

# libFuzzer targets (clang): the request decoder and reply encoder; the CLI and
# policy parsers.  `make fuzz` runs each for FUZZ_SECONDS; check runs them briefly.
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS := -g -O1 -std=gnu11 -D_GNU_SOURCE -Iinclude -Inetd -I$(BUILD) \
               -fsanitize=fuzzer,address,undefined $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
FUZZ_request_SRC := tests/fuzz/fuzz_request.c netd/lib/proto.c netd/daemon/reply.c netd/daemon/error.c
FUZZ_cli_SRC := tests/fuzz/fuzz_cli.c netd/ctl/cmd_backend.c netd/ctl/ctl_common.c netd/ctl/stats_fmt.c netd/lib/client.c \
                netd/lib/proto.c netd/daemon/policy.c netd/daemon/error.c
FUZZ_BIN := $(BUILD)/fuzz/fuzz_request $(BUILD)/fuzz/fuzz_cli

$(BUILD)/fuzz/fuzz_%: $$(FUZZ_%_SRC) $(wildcard netd/*/*.h include/netd/*.h)
	$(call msg,FUZZ,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -o $@ $(FUZZ_$*_SRC) $(LDLIBS)

fuzz: $(FUZZ_BIN)
	$(Q)for f in request cli; do mkdir -p $(BUILD)/fuzz/corpus-$$f; \
		$(BUILD)/fuzz/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
			$(BUILD)/fuzz/corpus-$$f tests/fuzz/corpus/$$f || exit 1; done

fuzz-smoke: $(FUZZ_BIN)
	$(Q)for f in request cli; do mkdir -p $(BUILD)/fuzz/corpus-$$f; \
		$(BUILD)/fuzz/fuzz_$$f -max_total_time=$(or $(FUZZ_SMOKE_SECONDS),10) -max_len=4096 \
			$(BUILD)/fuzz/corpus-$$f tests/fuzz/corpus/$$f > $(BUILD)/fuzz/$$f.log 2>&1 || \
			{ tail -n 40 $(BUILD)/fuzz/$$f.log; echo "fuzz_$$f: FAILED"; exit 1; }; \
		echo "fuzz_$$f: no crash ($$(grep -o 'Done [0-9]* runs' $(BUILD)/fuzz/$$f.log))"; done

# The unit and integration suites again, built with ASan+UBSan into build-asan/.
ASAN_BUILD := build-asan
asan:
	$(Q)$(MAKE) --no-print-directory BUILD=$(ASAN_BUILD) \
		SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		all $(UNIT_BIN:$(BUILD)/%=$(ASAN_BUILD)/%) $(HELPER_BIN:$(BUILD)/%=$(ASAN_BUILD)/%)
	$(Q)set -e; for t in $(UNIT_BIN:$(BUILD)/%=$(ASAN_BUILD)/%); do $$t; done
	$(Q)BUILD=$(CURDIR)/$(ASAN_BUILD) ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 tests/run-integration

# The README's test command: install what is missing, build warnings-as-errors,
# then every test: unit, integration on this kernel, the VM suite, the same suites
# under ASan+UBSan, and the fuzzers briefly.
# Each suite's output also goes to check.log, whose per-suite counts make the closing
# line.
CHECK_LOG = $(BUILD)/check.log
check: deps
	$(Q)$(MAKE) --no-print-directory all $(HELPER_BIN) $(UNIT_BIN)
	@mkdir -p $(BUILD) && : > $(CHECK_LOG)
	$(Q)set -o pipefail; $(MAKE) --no-print-directory unit 2>&1 | tee -a $(CHECK_LOG)
	$(Q)set -o pipefail; $(MAKE) --no-print-directory itest 2>&1 | tee -a $(CHECK_LOG)
	$(Q)set -o pipefail; $(MAKE) --no-print-directory vmtest 2>&1 | tee -a $(CHECK_LOG)
	$(Q)set -o pipefail; $(MAKE) --no-print-directory asan 2>&1 | tee -a $(CHECK_LOG)
	$(Q)set -o pipefail; $(MAKE) --no-print-directory fuzz-smoke 2>&1 | tee -a $(CHECK_LOG)
	$(Q)awk '/^\[  PASSED  \] [0-9]+ test/ { p += $$4 } \
		/^[a-z]+: [0-9]+ passed, [0-9]+ failed$$/ { p += $$2; f += $$4 } \
		/^fuzz_[a-z]+: no crash/ { p++ } \
		END { printf "check: %d passed, %d failed\n", p, f; exit f > 0 }' $(CHECK_LOG)

# The README's run command: netd in the foreground on its embedded defaults.
run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(BUILD)/netd

demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)scripts/demo

# Control plane (create, scale, teardown, re-issue, memory), then the counters'
# datapath cost and batched read.
bench: deps
	$(Q)$(MAKE) --no-print-directory all $(HELPER_BIN)
	$(Q)scripts/bench
	$(Q)scripts/bench-counters

PREFIX ?= /usr/local
DESTDIR ?=
install: all
	install -D -m 0755 $(BUILD)/netd $(DESTDIR)$(PREFIX)/sbin/netd
	install -D -m 0755 $(BUILD)/netdctl $(DESTDIR)$(PREFIX)/bin/netdctl
	install -D -m 0644 include/netd/netd.h $(DESTDIR)$(PREFIX)/include/netd/netd.h
	install -D -m 0644 $(BUILD)/libnetd.a $(DESTDIR)$(PREFIX)/lib/libnetd.a
	install -D -m 0755 $(BUILD)/libnetd.so $(DESTDIR)$(PREFIX)/lib/libnetd.so.0
	ln -sf libnetd.so.0 $(DESTDIR)$(PREFIX)/lib/libnetd.so
	install -D -m 0644 $(BUILD)/libnetd.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/libnetd.pc
	install -D -m 0644 netd/netd.service $(DESTDIR)/etc/systemd/system/netd.service
	install -D -m 0644 netd/netd.conf.example $(DESTDIR)$(PREFIX)/share/doc/netd/netd.conf.example
	install -D -m 0644 README.md $(DESTDIR)$(PREFIX)/share/doc/netd/README.md

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
