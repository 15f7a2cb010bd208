#!/usr/bin/env bash
# Builds kube-apiserver and etcd from Go modules into a versioned cache directory
# outside the repository. A second run with the same inputs is a no-op.
#
# The wrapper module's go.mod is generated here, not committed: its replace list is
# derived from the `./staging` replace lines of the pinned k8s.io/kubernetes go.mod,
# so a version bump needs no hand-edited list.
#
# Prints the bin directory on stdout as its last line.
set -euo pipefail

K8S_VERSION="${K8S_VERSION:-v1.36.3}"
ETCD_VERSION="${ETCD_VERSION:-v3.6.13}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache_root="${ENDPOINT_OPERATOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sagemaker-endpoint-operator}"
src_hash="$(cat "$here/build.sh" "$here"/cmd/etcd/*.go | sha256sum | cut -c1-12)"
out="$cache_root/controlplane/k8s-${K8S_VERSION}-etcd-${ETCD_VERSION}-${src_hash}"
bin="$out/bin"

if [[ -x "$bin/kube-apiserver" && -x "$bin/etcd" && -f "$out/stamp" ]]; then
  echo "control plane: reusing $bin" >&2
  echo "$bin"
  exit 0
fi

export CGO_ENABLED=0
export GOFLAGS="${GOFLAGS:--buildvcs=false} -mod=mod"
start=$(date +%s)
echo "control plane: building kube-apiserver ${K8S_VERSION} and etcd ${ETCD_VERSION} into $out" >&2
work="$out/src"
rm -rf "$work" && mkdir -p "$work/cmd/etcd" "$bin"
cp "$here"/cmd/etcd/*.go "$work/cmd/etcd/"
cd "$work"

k8s_mod="$(go mod download -json "k8s.io/kubernetes@${K8S_VERSION}" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
[[ -f "$k8s_mod" ]] || { echo "control plane: cannot download k8s.io/kubernetes@${K8S_VERSION}" >&2; exit 1; }
minor="$(echo "$K8S_VERSION" | cut -d. -f2)"
patch="$(echo "$K8S_VERSION" | cut -d. -f3)"
staging_version="v0.${minor}.${patch}"
go_line="$(grep -E '^go [0-9.]+$' "$k8s_mod")"

{
  echo "module endpoint-operator.io/controlplane"
  echo
  echo "$go_line"
  echo
  echo "require ("
  echo "	k8s.io/kubernetes ${K8S_VERSION}"
  echo "	go.etcd.io/etcd/server/v3 ${ETCD_VERSION}"
  echo ")"
  echo
  echo "replace ("
  grep -E '^[[:space:]]*k8s\.io/[A-Za-z0-9._-]+ => \./staging/' "$k8s_mod" |
    awk -v v="$staging_version" '{print "\t" $1 " => " $1 " " v}'
  echo ")"
} > go.mod
echo "control plane: $(grep -c '=> k8s.io' go.mod) staging modules pinned to ${staging_version}" >&2

cat > tools.go <<'GO'
//go:build tools

package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
GO
go mod tidy >&2

now="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
kpkg="k8s.io/component-base/version"
kflags="-s -w -X ${kpkg}.gitVersion=${K8S_VERSION} -X ${kpkg}.gitMajor=1 -X ${kpkg}.gitMinor=${minor}"
kflags+=" -X ${kpkg}.gitTreeState=clean -X ${kpkg}.buildDate=${now} -X ${kpkg}.gitCommit=module-${K8S_VERSION}"
go build -trimpath -ldflags "$kflags" -o "$bin/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
go build -trimpath -ldflags "-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=module-${ETCD_VERSION}" -o "$bin/etcd" ./cmd/etcd
"$bin/etcd" --version >&2
echo "built $(date -u) in $(( $(date +%s) - start ))s" > "$out/stamp"
echo "control plane: built in $(( $(date +%s) - start ))s" >&2
echo "$bin"
