#!/usr/bin/env bash
# The built library is self-contained (make check-library): it needs no Swift, Dispatch or
# Foundation library at run time, has no absolute RUNPATH, carries its SONAME, and exports the
# fs_ functions of include/factorsense.h and nothing else.
#     scripts/check_library.sh path/to/libfactorsense.so
set -euo pipefail
library=$1
failures=0
fail() { echo "check_library: $*" >&2; failures=$((failures + 1)); }

needed=$(readelf -d "$library" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
if grep -iE 'swift|dispatch|foundation|blocksruntime' <<<"$needed"; then fail "it needs the Swift runtime at run time"; fi
runpath=$(readelf -d "$library" | sed -n 's/.*(RUNPATH\|RPATH).*\[\(.*\)\]/\1/p')
if grep -q '^/\|:/' <<<"$runpath"; then fail "it has an absolute RUNPATH: $runpath"; fi
dynamic=$(readelf -d "$library")
grep -q "(SONAME).*\[libfactorsense.so.[0-9]*\]" <<<"$dynamic" || fail "it has no SONAME libfactorsense.so.<major>"
# The symbol table read once: `nm … | grep -q` would stop nm early, and pipefail would count
# the SIGPIPE as a missing symbol.
symbols=$(nm -D --defined-only "$library")
# Global symbols (upper-case nm types) other than fs_ ones.
others=$(awk '$2 ~ /^[A-Z]$/ && $3 !~ /^fs_/ { print $3 }' <<<"$symbols")
if [ -n "$others" ]; then fail "it exports $(wc -l <<<"$others") symbols besides fs_: $(head -3 <<<"$others" | tr '\n' ' ')"; fi
# Every function of the header is exported.
for name in $(grep -oE '\bfs_[a-z0-9_]+\(' include/factorsense.h | tr -d '(' | sort -u); do
    grep -q " T $name\$" <<<"$symbols" || fail "$name is declared in the header but not exported"
done
[ "$failures" -eq 0 ] || exit 1
echo "check_library: $library needs $(tr '\n' ' ' <<<"$needed")and exports only fs_ functions"
