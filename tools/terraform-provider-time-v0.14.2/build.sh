#!/usr/bin/env bash
# Builds hashicorp/time v0.14.2 from the module pinned in this folder and
# prints the binary's path; progress goes to stderr. `make bench` serves it to
# Terraform beside this provider: time_static does no I/O, so its plan and
# apply times are what Terraform itself costs per resource. The binary is
# cached in
#   .cache/cli/terraform-provider-time-v0.14.2-<hash of go.mod, go.sum and the recipe>/
# and reused while that folder holds it.
set -euo pipefail
cd "$(dirname "$0")"

version=v0.14.2
ldflags="-s -w"
out="$(cd ../.. && pwd)/.cache/cli/terraform-provider-time-$version-$({ cat go.mod go.sum; echo "$ldflags"; } | sha256sum | cut -c1-16)"
bin="$out/terraform-provider-time"
if [ -x "$bin" ]; then
	echo "$bin"
	exit 0
fi
started=$SECONDS
echo ">> terraform-provider-time $version: building from its pinned module (about a minute)" >&2
mkdir -p "$out"
GOWORK=off CGO_ENABLED=0 GOFLAGS=-mod=readonly go build -trimpath -buildvcs=false -ldflags "$ldflags" \
	-o "$bin.tmp" github.com/hashicorp/terraform-provider-time
mv "$bin.tmp" "$bin"
echo ">> terraform-provider-time $version ready in $((SECONDS - started)) s" >&2
echo "$bin"
