# SPINE's two entry points (see README.md). Each one installs what is missing, configures and builds.
#   make demo   the main job on its embedded default
#   make test   every test, in a normal build and again under AddressSanitizer + UndefinedBehaviorSanitizer
BUILD      ?= build
ASAN_BUILD ?= build-asan
CMAKE_ARGS ?=
JOBS       ?= $(shell nproc)

.PHONY: all setup build demo test test-fast test-sanitize bench clean

all: build

setup:
	@scripts/install-deps.sh

$(BUILD)/build.ninja: | setup
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSPINE_WERROR=ON $(CMAKE_ARGS)

build: setup $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	@scripts/demo.sh $(BUILD)

# The normal suite, then the same suite under the sanitizers.
test: test-fast test-sanitize

test-fast: build
	cd $(BUILD) && ctest --output-on-failure

$(ASAN_BUILD)/build.ninja: | setup
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSPINE_SANITIZE=ON -DSPINE_WERROR=ON $(CMAKE_ARGS)

test-sanitize: setup $(ASAN_BUILD)/build.ninja
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure

bench: build
	cmake --build $(BUILD) --target bench-frontend

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
