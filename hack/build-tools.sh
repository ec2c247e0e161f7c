#!/usr/bin/env bash
# Builds the local control plane's binaries (etcd, kube-apiserver, kube-controller-manager,
# kwok) from their Go modules and caches them outside the repo, keyed by version:
#   ${NGF_TOOLS_DIR:-~/.cache/ngf-console/tools}/<tool>-<version>/<binary>
# A second run finds the cached binaries and builds nothing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
tools_dir="${NGF_TOOLS_DIR:-$HOME/.cache/ngf-console/tools}"
export GOFLAGS="${GOFLAGS:--buildvcs=false} -trimpath"
export CGO_ENABLED=0

build() { # build <module dir> <cache name> <ldflags> <binary...>
  local mod="$1" dest="$tools_dir/$2" ldflags="$3"; shift 3
  local missing=()
  for bin in "$@"; do [ -x "$dest/$bin" ] || missing+=("$bin"); done
  if [ ${#missing[@]} -eq 0 ]; then echo "cached: $dest"; return; fi
  echo "building ${missing[*]} into $dest"
  mkdir -p "$dest.tmp"
  (cd "$here/$mod" && go build -ldflags "$ldflags" -o "$dest.tmp/" tool)
  mkdir -p "$dest"
  for bin in "$@"; do [ -x "$dest.tmp/$bin" ] && mv "$dest.tmp/$bin" "$dest/$bin"; done
  rm -rf "$dest.tmp"
  for bin in "$@"; do [ -x "$dest/$bin" ] || { echo "missing $bin after build" >&2; exit 1; }; done
}

k8s_minor="${KUBERNETES_VERSION#v1.}"; k8s_minor="${k8s_minor%%.*}"
k8s_ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  k8s_ldflags+=" -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$k8s_minor"
  k8s_ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done

build etcd "etcd-$ETCD_VERSION" "-s -w" server
[ -e "$tools_dir/etcd-$ETCD_VERSION/etcd" ] || ln -s server "$tools_dir/etcd-$ETCD_VERSION/etcd"
build kwok "kwok-$KWOK_VERSION" "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION" kwok
# kwok needs Stage definitions to move nodes and pods through their lifecycle: take the
# upstream "fast" set (node-initialize, node-heartbeat-with-lease, pod-ready/complete/delete).
stages="$tools_dir/kwok-$KWOK_VERSION/stages.yaml"
if [ ! -s "$stages" ]; then
  # Download first: with a cached binary, the module source may not be in the module cache.
  (cd "$here/kwok" && go mod download sigs.k8s.io/kwok)
  kwok_src="$(cd "$here/kwok" && go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)"
  for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
           pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
    echo "---"; cat "$kwok_src/kustomize/stage/$f"
  done > "$stages.tmp" && mv "$stages.tmp" "$stages"
fi
build k8s "kubernetes-$KUBERNETES_VERSION" "$k8s_ldflags" kube-apiserver kube-controller-manager kube-scheduler
