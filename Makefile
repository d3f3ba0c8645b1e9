# The front door (DESIGN.md §3): no build logic here, only set-up and the two documented
# commands. `make demo` and `make check` install missing Debian packages when run as root.
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
MESON      ?= meson

.PHONY: all deps build demo check check-build check-asan check-fuzz clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/build.ninja:
	$(MESON) setup $(BUILD) -Dwerror=true -Dtests=enabled

build: deps $(BUILD)/build.ninja
	$(MESON) compile -C $(BUILD)

demo: build
	@scripts/demo.sh $(BUILD)/cli/ringfence

$(ASAN_BUILD)/build.ninja:
	$(MESON) setup $(ASAN_BUILD) -Dwerror=true -Dtests=enabled \
		-Db_sanitize=address,undefined -Db_lundef=false \
		-Dc_args='-fno-sanitize-recover=all -fno-omit-frame-pointer'

$(FUZZ_BUILD)/build.ninja:
	CC=clang $(MESON) setup $(FUZZ_BUILD) -Dfuzz=true -Dtests=enabled \
		-Db_sanitize=address,undefined -Db_lundef=false \
		-Dc_args='-fno-sanitize-recover=all'

FUZZ_TARGETS = $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz-*.c))

# Every lane runs even if an earlier one failed; the last line is the summed result.
# The sanitizer lane runs alongside the other two (its tests mostly wait on real programs and
# the kernel, 5 CPU-minutes in 20 wall-clock minutes here): its output is kept in
# $(ASAN_BUILD)/check.log and printed when it ends. The fuzz build compiles only the fuzzers.
check: deps $(BUILD)/build.ninja $(ASAN_BUILD)/build.ninja $(FUZZ_BUILD)/build.ninja
	$(MESON) compile -C $(BUILD)
	$(MESON) compile -C $(ASAN_BUILD)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		$(MESON) test -C $(ASAN_BUILD) --no-rebuild --print-errorlogs --no-suite fuzz --no-suite lint \
		--wrapper $(CURDIR)/tests/sanitizer-gate.sh >$(ASAN_BUILD)/check.log 2>&1 & \
	asan=$$!; \
	$(MESON) test -C $(BUILD) --no-rebuild --print-errorlogs --no-suite fuzz; \
	$(MESON) compile -C $(FUZZ_BUILD) $(FUZZ_TARGETS) && \
		$(MESON) test -C $(FUZZ_BUILD) --no-rebuild --print-errorlogs --suite fuzz; \
	wait $$asan; \
	echo "==== sanitizer lane ($(ASAN_BUILD)/check.log)"; cat $(ASAN_BUILD)/check.log
	@scripts/test-summary.py $(BUILD)/meson-logs/testlog.json \
		$(ASAN_BUILD)/meson-logs/testlog-sanitizer-gate.sh.json \
		$(FUZZ_BUILD)/meson-logs/testlog.json

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
