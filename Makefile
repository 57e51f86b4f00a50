# finsam — build, test and run.
#
#   make          build ./finsam
#   make test     install what is needed, run unit, end-to-end and browser tests
#   make check    the same tests against an ASan+UBSan build, plus style checks
#                 and a short run of every fuzz harness
#   make run      install what building and serving need (not the test tools),
#                 create the demo database, serve it
#   make fuzz     build the libFuzzer harnesses (clang)

CC      ?= gcc
PKGS    := libmicrohttpd sqlite3 jansson libsodium
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
WARN    := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2
DEFS    := -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
CFLAGS  ?= -O2 -g
ALL_CFLAGS = $(WARN) $(DEFS) $(CFLAGS) $(PKG_CFLAGS) -MMD -MP
LIBS    := $(PKG_LIBS) -lpthread

SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

SRC      := $(wildcard src/util/*.c src/db/*.c src/core/*.c src/web/*.c src/cli/*.c)
MAIN     := src/main.c
UNIT_SRC := $(wildcard tests/unit/test_*.c)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)

# Normal build in build/, sanitizer build in build-san/.
OBJ      := $(SRC:%.c=build/%.o)
SAN_OBJ  := $(SRC:%.c=build-san/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=build/tests/%)
SAN_UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=build-san/tests/%)

DEMO_DB ?= demo/finsam.db
PORT    ?= 8080

.PHONY: all test check run fuzz clean deps deps-run style unit-bins san-bins demo-db

all: finsam

finsam: $(OBJ) build/src/main.o
	$(CC) $(CFLAGS) -o $@ $^ $(LIBS)

build/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

build-san/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(DEFS) $(SAN_FLAGS) $(PKG_CFLAGS) -MMD -MP -c -o $@ $<

build/tests/%: tests/unit/%.c $(OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Isrc -o $@ $< $(OBJ) $(LIBS) -lcmocka

build-san/tests/%: tests/unit/%.c $(SAN_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(DEFS) $(SAN_FLAGS) $(PKG_CFLAGS) -Isrc -o $@ $< $(SAN_OBJ) $(LIBS) -lcmocka

build-san/finsam: $(SAN_OBJ) build-san/src/main.o
	$(CC) $(SAN_FLAGS) -o $@ $^ $(LIBS)

unit-bins: $(UNIT_BIN)
san-bins: build-san/finsam $(SAN_UNIT_BIN)

# Everything, for the tests and CI; deps-run only what building and serving
# need, so `make run` installs no browser or test tools.
deps:
	@scripts/install-deps

deps-run:
	@scripts/install-deps --run

test: deps
	@$(MAKE) --no-print-directory finsam unit-bins
	@FINSAM_BIN=$(CURDIR)/finsam UNIT_DIR=$(CURDIR)/build/tests scripts/run-tests

check: deps
	@$(MAKE) --no-print-directory san-bins fuzz
	@scripts/check-style
	@scripts/run-fuzz build/fuzz
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  FINSAM_BIN=$(CURDIR)/build-san/finsam UNIT_DIR=$(CURDIR)/build-san/tests scripts/run-tests

style:
	@scripts/check-style

demo-db: finsam
	@mkdir -p $(dir $(DEMO_DB))
	@if [ ! -f $(DEMO_DB) ]; then ./finsam demo $(DEMO_DB); fi

run: deps-run
	@$(MAKE) --no-print-directory demo-db
	./finsam serve $(DEMO_DB) --port $(PORT)

# Fuzz harnesses: libFuzzer needs clang.  The program's objects are built
# once with coverage instrumentation, then linked into each harness.
FUZZ_FLAGS := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined
FUZZ_OBJ := $(filter-out build-fuzz/src/cli/%,$(SRC:%.c=build-fuzz/%.o))
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)
fuzz: $(FUZZ_BIN)
.SECONDARY: $(FUZZ_OBJ)
build-fuzz/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(WARN) -Wno-unused-command-line-argument $(DEFS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link $(PKG_CFLAGS) -c -o $@ $<
build/fuzz/%: tests/fuzz/%.c $(FUZZ_OBJ)
	@mkdir -p $(dir $@)
	clang $(WARN) $(DEFS) $(FUZZ_FLAGS) -fsanitize=fuzzer $(PKG_CFLAGS) -Isrc -o $@ $< $(FUZZ_OBJ) $(LIBS)

clean:
	rm -rf build build-san build-fuzz finsam

-include $(OBJ:.o=.d) $(SAN_OBJ:.o=.d) build/src/main.d build-san/src/main.d
