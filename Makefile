# Entry points: `make run` boots the demo, `make check` runs every test.
# Both set the machine up first (scripts/setup) when needed, then configure
# and build with Meson in build/.

BUILD := build
VENV := .venv
MESON := $(VENV)/bin/meson
NINJA := $(VENV)/bin/ninja
SETUP_STAMP := $(VENV)/.rivet-setup
MESON_OPTIONS ?=
# Our pinned meson and ninja first: meson test re-runs ninja from PATH.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: all run check check-sanitize bench setup clean distclean clippy rustfmt rustdoc fuzz-migration fuzz-loader fuzz-mmio fuzz-qmp fuzz-iommu fuzz-virtio

all: $(BUILD)/build.ninja
	@$(NINJA) -C $(BUILD) --quiet

$(SETUP_STAMP): requirements.txt scripts/setup Cargo.lock wrap/tools.toml
	@scripts/setup

setup: $(SETUP_STAMP)

# In a release tarball (vendor/ present) the Rust devices are required:
# a packaged build never falls back to C-only.
RELEASE_OPTIONS := $(if $(wildcard vendor/crates),-Drust=enabled)

$(BUILD)/build.ninja: $(SETUP_STAMP)
	@echo "make: configuring $(BUILD)/ with meson"
	@$(MESON) setup $(if $(wildcard $(BUILD)/meson-private),--reconfigure) --wrap-mode=nodownload $(RELEASE_OPTIONS) $(MESON_OPTIONS) $(BUILD)

run: all
	@$(BUILD)/rivet $(ARGS)

check: all
	@$(MESON) test -C $(BUILD) --print-errorlogs $(TEST_ARGS) || true
	@$(VENV)/bin/python scripts/test-summary.py $(BUILD)

# The cross-compilation matrix (docs/cross.md): installs each target's
# toolchain, builds it in build-cross-<target>/, runs every test under
# qemu-user, prints one table and "N passed, N failed".
#   make check-cross TARGETS="s390x mips64el"   (default: all, plus msrv)
.PHONY: check-cross
TARGETS ?=
check-cross: $(SETUP_STAMP)
	@$(VENV)/bin/python ci/cross-matrix.py $(TARGETS)

# The probe overhead figure compares with an emulator built without probes
# (same options otherwise, its own build dir); bench.py reads its path from
# RIVET_BENCH_NOPROBES.
# The interpreter figure compares with QEMU's spike machine: as root, the
# bench installs Debian's qemu-system-misc when qemu-system-riscv64 is
# missing (bench.py says so and goes on without it otherwise).
BENCH_NOPROBES := $(BUILD)-noprobes
bench: all
	@command -v qemu-system-riscv64 >/dev/null || [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null || \
		{ apt-get update -qq || true; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-system-misc >/dev/null || true; }
	@test -f $(BENCH_NOPROBES)/build.ninja || $(MESON) setup $(MESON_OPTIONS) -Dprobes=disabled $(BENCH_NOPROBES) >/dev/null
	@$(NINJA) -C $(BENCH_NOPROBES) --quiet rivet
	@RIVET_BENCH_NOPROBES=$(CURDIR)/$(BENCH_NOPROBES)/rivet $(NINJA) -C $(BUILD) bench

# The whole test suite under ASan+UBSan, in build-sanitize/ (docs/testing.md):
# the C code is instrumented, the Rust code is not (stable rustc cannot) but
# the rustc-linked programs carry the sanitizer runtime, so LeakSanitizer
# sees what Rust leaks of C objects.  No leak suppressions; UBSan reports
# are fatal.
SANITIZE_BUILD := build-sanitize
check-sanitize: $(SETUP_STAMP)
	@test -f $(SANITIZE_BUILD)/build.ninja || $(MESON) setup --wrap-mode=nodownload $(MESON_OPTIONS) \
		-Db_sanitize=address,undefined -Dc_args=-fno-sanitize-recover=undefined $(SANITIZE_BUILD)
	@$(NINJA) -C $(SANITIZE_BUILD) --quiet
	@$(MESON) test -C $(SANITIZE_BUILD) --print-errorlogs $(TEST_ARGS) || true
	@$(VENV)/bin/python scripts/test-summary.py $(SANITIZE_BUILD)

# The fuzzers of the migration stream, the firmware loader, the QMP input
# path and the RISC-V IOMMU's tables under ASan+UBSan, in build-fuzz/
# (clang); guest MMIO on both twins and virtio-blk behind the IOMMU in
# build-fuzz-rust/.
FUZZ_SECONDS ?= 60
fuzz-migration fuzz-loader fuzz-mmio fuzz-qmp fuzz-iommu fuzz-virtio: $(SETUP_STAMP)
	@scripts/fuzz.sh $(@:fuzz-%=%) $(FUZZ_SECONDS)

# The release tarball (docs/packaging.md): `meson dist` of HEAD plus
# vendor/ (scripts/dist-vendor), so that it builds with no network.  Its
# path is DIST_TARBALL; `make check-dist` builds and tests it offline.
VERSION := $(shell sed -n "s/^  version: '\(.*\)',$$/\1/p" meson.build)
DIST_TARBALL := $(BUILD)/meson-dist/rivet-$(VERSION).tar.xz
.PHONY: dist check-dist
dist: $(BUILD)/build.ninja
	@$(MESON) dist -C $(BUILD) --no-tests --formats xztar

# Unpacks $(DIST_TARBALL) in a fresh directory and runs its `make check`
# in a new network namespace (scripts/check-dist); ends with "N passed, N
# failed".
check-dist: dist
	@scripts/check-dist $(DIST_TARBALL)

# The Debian package (docs/packaging.md): dpkg-buildpackage -us -uc -b
# of the release tarball, offline, in $(BUILD)/deb/, then lintian.
# `make check-package` builds it twice (the second elsewhere, later) and
# checks that the .debs are identical, then installs and removes it.
.PHONY: deb check-package
deb: dist
	@scripts/build-deb $(DIST_TARBALL) $(BUILD)/deb
check-package: dist
	@scripts/check-package $(DIST_TARBALL) $(BUILD)/check-package

clean:
	rm -rf $(BUILD) $(BENCH_NOPROBES) $(SANITIZE_BUILD)

distclean: clean
	rm -rf $(VENV)

# Rust tooling (docs/rust.md): plain Cargo on the workspace; the bridge
# crates take their bindings from $(BUILD)/ (hence `all` first).
clippy: all
	RIVET_BUILD_DIR=$(CURDIR)/$(BUILD) cargo clippy --workspace --all-targets -- -D warnings

rustfmt:
	cargo fmt --all --check

rustdoc: all
	RIVET_BUILD_DIR=$(CURDIR)/$(BUILD) RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps
