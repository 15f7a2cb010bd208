#!/usr/bin/env bash
# Fetches Debian's prometheus package with apt (the distribution's ordinary client)
# and unpacks its server binary into a versioned cache directory outside the
# repository, next to the control plane. The rollout tests run it to judge
# Prometheus gates against a real server. A second run is a no-op.
#
# Prints the bin directory on stdout as its last line.
set -euo pipefail

cache_root="${ENDPOINT_OPERATOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sagemaker-endpoint-operator}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src_hash="$(sha256sum < "$here/fetch.sh" | cut -c1-12)"
version="$(apt-cache policy prometheus 2>/dev/null | sed -n 's/^[[:space:]]*Candidate: \(.*\)$/\1/p')"
if [[ -z "$version" || "$version" == "(none)" ]]; then
  # apt knows the package only once its lists are read; a fresh machine needs this.
  apt-get update -qq >&2 || true
  version="$(apt-cache policy prometheus 2>/dev/null | sed -n 's/^[[:space:]]*Candidate: \(.*\)$/\1/p')"
fi
[[ -n "$version" && "$version" != "(none)" ]] || { echo "prometheus: apt has no prometheus package" >&2; exit 1; }
out="$cache_root/prometheus/${version//[:+~]/_}-${src_hash}"
bin="$out/bin"

if [[ -x "$bin/prometheus" && -f "$out/stamp" ]]; then
  echo "prometheus: reusing $bin" >&2
  echo "$bin"
  exit 0
fi

start=$(date +%s)
echo "prometheus: fetching ${version} into $bin" >&2
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
chmod 777 "$work"  # apt downloads as its own user where it can
(cd "$work" && apt-get download -q "prometheus=${version}" >&2)
dpkg -x "$work"/prometheus_*.deb "$work/root"
mkdir -p "$bin"
cp "$work/root/usr/bin/prometheus" "$bin/prometheus"
"$bin/prometheus" --version 2>&1 | head -1 >&2
echo "fetched $(date -u) in $(( $(date +%s) - start ))s" > "$out/stamp"
echo "$bin"
