# SPINE's two entry points (see README.md). Each one installs what is missing, configures and builds.
#   make demo   the main job on its embedded default
#   make test   every test, in a normal build and again under AddressSanitizer + UndefinedBehaviorSanitizer,
#               the concurrent code's tests under ThreadSanitizer, then a short, seeded run of each fuzzer
#               (scripts/fuzz.sh)
BUILD      ?= build
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
CMAKE_ARGS ?=
JOBS       ?= $(shell nproc)

.PHONY: all setup build demo test test-fast test-sanitize test-tsan fuzz fuzz-short fuzz-programs bench clean

all: build

setup:
	@scripts/install-deps.sh

$(BUILD)/build.ninja: | setup
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSPINE_WERROR=ON $(CMAKE_ARGS)

build: setup $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	@scripts/demo.sh $(BUILD)

# The normal suite, then the same suite under the sanitizers, then the fuzzers.
test: test-fast test-sanitize test-tsan fuzz-short

test-fast: build
	cd $(BUILD) && ctest -V

$(ASAN_BUILD)/build.ninja: | setup
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSPINE_SANITIZE=ON -DSPINE_WERROR=ON $(CMAKE_ARGS)

test-sanitize: setup $(ASAN_BUILD)/build.ninja
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest -V

# The tests of the code that runs on several threads (rings, host channel, channel and stubs, the NIC core of an
# in-process NIC, spine-nic as a peer process) under ThreadSanitizer: `ctest -L concurrency` in a TSan build.
$(TSAN_BUILD)/build.ninja: | setup
	cmake -S . -B $(TSAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSPINE_TSAN=ON -DSPINE_WERROR=ON $(CMAKE_ARGS)

test-tsan: setup $(TSAN_BUILD)/build.ninja
	cmake --build $(TSAN_BUILD) -j $(JOBS) --target spine_unit_tests spine-nic
	cd $(TSAN_BUILD) && TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:suppressions=$(CURDIR)/test/tsan.supp \
	  ctest -V -L concurrency

# A fixed number of fuzzing runs from a fixed seed, so that CI is repeatable.
fuzz-short: setup
	scripts/fuzz.sh --runs 30000

# Open-ended fuzzing for developers: make fuzz FUZZ_SECONDS=600
FUZZ_SECONDS ?= 300
fuzz: setup
	scripts/fuzz.sh $(FUZZ_SECONDS)

# Open-ended program fuzzing (random .spx programs, -O0 against -O2 and the oracle):
#   make fuzz-programs FUZZ_SECONDS=600; findings (with minimised programs) go to $(BUILD)/progfuzz-findings
fuzz-programs: build
	python3 fuzz/programs/run.py --spinec $(BUILD)/compiler/spinec --seconds $(FUZZ_SECONDS) --jobs 2 \
	  --keep $(BUILD)/progfuzz-findings

bench: build
	cmake --build $(BUILD) --target bench-frontend
	cmake --build $(BUILD) --target bench-packet
	cmake --build $(BUILD) --target bench-deploy
	cmake --build $(BUILD) --target bench-nic

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz
