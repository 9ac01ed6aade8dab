#!/usr/bin/env bash
# Runs a command with the system's OpenBLAS, LAPACK(E), libgfortran and libquadmath made
# invisible to it (make test-wheel): in a private mount namespace (unshare), the directories
# that hold only BLAS/LAPACK builds (openblas-pthread/, …) get an empty tmpfs over them, and
# each other copy of those libraries /dev/null bound over it, which the dynamic loader refuses
# ("file too short"). Nothing changes outside the command's namespace.
#     scripts/without_system_blas.sh COMMAND ARGUMENTS…
set -euo pipefail
hidden='libopenblas|libblas|liblapack|liblapacke|libgfortran|libquadmath'
hide() {
    local file
    for file in $(ldconfig -p | sed -nE "s/^\s*($hidden)\.so[^ ]* .*=> (.*)$/\2/p" | xargs -r realpath -e | sort -u); do
        case "$(dirname "$file")" in
            */openblas-*|*/blas|*/lapack|*/atlas) mountpoint -q "$(dirname "$file")" ||
                mount -t tmpfs -o size=1k,mode=755 hidden "$(dirname "$file")" ;;
            *) mount --bind /dev/null "$file" ;;
        esac
    done
}
if [ "${1:-}" = --inside ]; then
    shift
    hide
    exec "$@"
fi
exec unshare --mount --propagation private -- "$0" --inside "$@"
