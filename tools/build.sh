#!/bin/sh
# Configures and builds the tree in place (autoreconf when needed).
set -e
cd "$(dirname "$0")/.."
[ -x configure ] || autoreconf -fi
[ -f Makefile ] || ./configure --prefix="${PREFIX:-$PWD/_inst}" "$@"
make -j"$(nproc)"
