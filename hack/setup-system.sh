#!/usr/bin/env bash
# Installs what the project needs from outside PyPI and npm, only when it is missing:
# Debian packages (chromium for the browser tests, postgresql for the storage tests, which
# start their own server from its binaries, prometheus for the telemetry tests and the demo,
# which run their own server from its binary) and uv (the Python package manager).
# Go and Node.js come with the machine image; their absence is reported, not papered over.
set -euo pipefail
UV_VERSION=0.13.9

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || need_apt+=(postgresql)
command -v prometheus >/dev/null 2>&1 || need_apt+=(prometheus)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if ! command -v uv >/dev/null 2>&1 || [ "$(uv --version | cut -d' ' -f2)" != "$UV_VERSION" ]; then
  echo "installing uv $UV_VERSION"
  python3 -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
fi

for tool in go node npm python3; do
  command -v "$tool" >/dev/null 2>&1 || { echo "error: $tool is required but missing" >&2; exit 1; }
done
