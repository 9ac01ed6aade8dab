# mk/install.mk — installing FactorSense, included by the main Makefile.
#
#   make install PREFIX=/usr/local   the header, libfactorsense.so.$(VERSION) with its SONAME links,
#                                    and lib/pkgconfig/factorsense.pc (DESTDIR is honoured)
#   make check-library               the built library is self-contained (scripts/check_library.sh)
#   make test-install                install into a scratch prefix, build examples/c/recover.c there
#                                    through pkg-config, run it with no toolchain directory on any path
#   make wheel / make test-wheel     a platform wheel of the Python package with the library inside,
#                                    installed into a fresh environment and used from another directory

PREFIX ?= /usr/local
WHEEL_DIR := .build/wheels

.PHONY: install check-library test-install wheel test-wheel

install: build
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 include/factorsense.h $(DESTDIR)$(PREFIX)/include/factorsense.h
	install -m 755 $(LIBRARY) $(DESTDIR)$(PREFIX)/lib/libfactorsense.so.$(VERSION)
	ln -sf libfactorsense.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libfactorsense.so.$(MAJOR)
	ln -sf libfactorsense.so.$(MAJOR) $(DESTDIR)$(PREFIX)/lib/libfactorsense.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' mk/factorsense.pc.in \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/factorsense.pc

check-library: build
	bash scripts/check_library.sh $(LIBRARY)

test-install: build
	@scratch=$$(mktemp -d); trap 'rm -rf $$scratch' EXIT; \
	$(MAKE) --no-print-directory install PREFIX=$$scratch/prefix >/dev/null && \
	cd $$scratch && \
	PKG_CONFIG_PATH=$$scratch/prefix/lib/pkgconfig $(CC) $(C_STRICT) $(CURDIR)/examples/c/recover.c -o recover \
	  $$(PKG_CONFIG_PATH=$$scratch/prefix/lib/pkgconfig pkg-config --cflags --libs factorsense) -lm && \
	if env -u LD_LIBRARY_PATH ldd ./recover | grep -iE 'swift|dispatch|not found'; then \
	  echo "test-install: the installed program needs the Swift toolchain or misses a library"; exit 1; fi && \
	env -u LD_LIBRARY_PATH ./recover 300 >/dev/null && \
	echo "test-install: a C program built through pkg-config against $$scratch/prefix runs without the toolchain"

wheel: build deps-python
	rm -rf $(WHEEL_DIR) && mkdir -p $(WHEEL_DIR)
	FACTORSENSE_SWIFT_FLAGS="$(LIBRARY_FLAGS)" $(VENV_PYTHON) -m pip wheel --no-deps -q -w $(WHEEL_DIR) ./python
	@ls $(WHEEL_DIR)

test-wheel: wheel
	@scratch=$$(mktemp -d); trap 'rm -rf $$scratch' EXIT; \
	$(VENV_PYTHON) -m venv $$scratch/env && \
	$$scratch/env/bin/python -m pip install -q $(WHEEL_DIR)/*.whl && \
	cd $$scratch && env -u PYTHONPATH -u FACTORSENSE_LIBRARY $$scratch/env/bin/python -c "import factorsense as fs, pathlib; \
	p = fs.SensingProblem.gaussian(20, 15, 2, 300, seed=0); r = fs.gradient_descent(p, width=4, step=0.5, max_iter=1500); \
	assert r.history['test_error'][-1] < 1e-2, r.history['test_error'][-1]; \
	assert pathlib.Path(fs._lib.lib._name).parent == pathlib.Path(fs.__file__).parent, fs._lib.lib._name; \
	print('test-wheel: the wheel installs, loads its own library and recovers (test error', r.history['test_error'][-1], ')')" && \
	case "$$(ls $(CURDIR)/$(WHEEL_DIR))" in *linux_x86_64*|*manylinux*) ;; *) echo "test-wheel: the wheel does not name the platform"; exit 1;; esac
	@if SWIFT=no-such-swift $(VENV_PYTHON) -m pip wheel --no-deps -q -w $$(mktemp -d) ./python > .build/no-swift.log 2>&1; then \
	  echo "test-wheel: a build without Swift produced a wheel"; exit 1; \
	elif grep -q "swift. is not on PATH" .build/no-swift.log; then echo "test-wheel: without Swift the build stops and says why"; \
	else cat .build/no-swift.log; echo "test-wheel: without Swift the build failed without saying why"; exit 1; fi
