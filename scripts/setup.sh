#!/bin/sh
# `npm run setup`: the one install command. On Debian/Ubuntu it installs the native engine's system
# packages (oneDNN headers and library, a C++ toolchain for node-gyp) with apt-get when it can — as
# root, or with sudo — then runs `npm ci`, whose postinstall builds the oneDNN addon
# (native/build.mjs), then says which engine `cvr run` will use.
#
# Without apt-get, root or sudo, it says so, runs `npm ci` anyway (cvr works on the plain cpu
# engine, about 50x slower) and prints the command to run as root.
#   CVR_SETUP_NO_APT=1   skip the system packages (npm ci only)
set -eu
cd "$(dirname "$0")/.."

PACKAGES="libdnnl-dev g++ make python3"
say() { printf 'setup: %s\n' "$*" >&2; }

have_native_deps() {
  { [ -f /usr/include/oneapi/dnnl/dnnl.hpp ] || [ -f /usr/local/include/oneapi/dnnl/dnnl.hpp ]; } &&
    command -v g++ >/dev/null 2>&1 && command -v make >/dev/null 2>&1 && command -v python3 >/dev/null 2>&1
}

install_system_packages() {
  if [ "${CVR_SETUP_NO_APT:-}" = 1 ]; then say "CVR_SETUP_NO_APT=1: not installing $PACKAGES"; return 0; fi
  if have_native_deps; then say "oneDNN headers and a C++ toolchain are already installed"; return 0; fi
  if ! command -v apt-get >/dev/null 2>&1; then
    say "no apt-get here (not Debian/Ubuntu): install oneDNN (>= 2.x, headers included), g++, make and python3 yourself, then run npm run build:native"
    return 0
  fi
  if [ "$(id -u)" = 0 ]; then
    SUDO=""
  elif command -v sudo >/dev/null 2>&1 && { sudo -n true 2>/dev/null || [ -t 0 ]; }; then
    SUDO="sudo"
  else
    say "not root and no usable sudo: cannot install $PACKAGES"
    say "run as root: apt-get update && apt-get install -y --no-install-recommends $PACKAGES && npm run build:native"
    return 0
  fi
  say "installing $PACKAGES with ${SUDO:+sudo }apt-get (the native oneDNN engine)…"
  export DEBIAN_FRONTEND=noninteractive
  if ! $SUDO apt-get update -qq || ! $SUDO apt-get install -y -qq --no-install-recommends $PACKAGES; then
    say "apt-get could not install $PACKAGES (see above); continuing without the native engine"
  fi
}

install_system_packages
npm ci
# Which engine `cvr run` will pick, and why (one line per engine).
node bin/cvr.mjs engines || true
