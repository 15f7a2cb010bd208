#!/usr/bin/env bash
# Builds the `helm` CLI from its Go module into a versioned cache directory outside
# the repository, next to the control plane. A second run is a no-op.
#
# Prints the bin directory on stdout as its last line.
set -euo pipefail

HELM_VERSION="${HELM_VERSION:-v3.22.0}"
cache_root="${ENDPOINT_OPERATOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sagemaker-endpoint-operator}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src_hash="$(sha256sum < "$here/build.sh" | cut -c1-12)"
out="$cache_root/helm/${HELM_VERSION}-${src_hash}"
bin="$out/bin"

if [[ -x "$bin/helm" && -f "$out/stamp" ]]; then
  echo "helm: reusing $bin" >&2
  echo "$bin"
  exit 0
fi

export CGO_ENABLED=0
# `go install module@version` builds outside any module; -mod must not be set.
export GOFLAGS="-buildvcs=false"
start=$(date +%s)
echo "helm: building ${HELM_VERSION} into $bin" >&2
mkdir -p "$bin"
# As helm's Makefile does: the Kubernetes version `helm template` and `helm lint`
# assume is the client-go minor helm was built with (else it is 1.20).
helm_mod="$(go mod download -json "helm.sh/helm/v3@${HELM_VERSION}" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
k8s_minor="$(sed -n 's/^[[:space:]]*k8s.io\/client-go v0\.\([0-9]*\)\..*/\1/p' "$helm_mod" | head -1)"
[[ -n "$k8s_minor" ]] || { echo "helm: cannot read the client-go version of ${HELM_VERSION}" >&2; exit 1; }
ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=${HELM_VERSION}"
for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
  ldflags+=" -X ${pkg}.k8sVersionMajor=1 -X ${pkg}.k8sVersionMinor=${k8s_minor}"
done
GOBIN="$bin" go install -trimpath -ldflags "$ldflags" "helm.sh/helm/v3/cmd/helm@${HELM_VERSION}"
"$bin/helm" version --short >&2
echo "built $(date -u) in $(( $(date +%s) - start ))s" > "$out/stamp"
echo "helm: built in $(( $(date +%s) - start ))s" >&2
echo "$bin"
