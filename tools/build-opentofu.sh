#!/usr/bin/env bash
# Builds (or reuses) the OpenTofu CLI pinned in tools/opentofu-<release>/ and
# prints the path of the tofu binary. Progress goes to stderr.
#
#   tools/build-opentofu.sh            # default: v1.12.6
#   OPENTOFU_VERSION=v1.12.6 tools/build-opentofu.sh
#
# OpenTofu's go.mod replaces github.com/hashicorp/hcl/v2 with its own fork,
# and a replace applies only in the main module: built as a dependency of the
# tools module it would link upstream hcl. So the module source, downloaded
# and verified against the tools module's go.sum, is copied to a writable
# folder and built there as the main module, with the release's own flags
# (.goreleaser.yaml: -trimpath -mod=readonly, -s -w, version.dev=no).
# The binary is cached in .cache/cli/opentofu-<release>-<hash of the pins>/tofu
# and reused while the pins do not change. Cold, it costs about 17 CPU-minutes
# (measured: 55 minutes on two cores shared with other builds).
set -euo pipefail
cd "$(dirname "$0")/.."

OPENTOFU_VERSION=${OPENTOFU_VERSION:-v1.12.6}
module=tools/opentofu-$OPENTOFU_VERSION
if [ ! -f "$module/go.mod" ]; then
	echo "build-opentofu: no build module for OpenTofu $OPENTOFU_VERSION; pinned releases:" \
		"$(cd tools && ls -d opentofu-v* | sed 's/^opentofu-//' | tr '\n' ' ')" >&2
	exit 2
fi

ldflags="-s -w -X github.com/opentofu/opentofu/version.dev=no"
pins=$({ cat "$module/go.mod" "$module/go.sum"; echo "$ldflags"; } | sha256sum | cut -c1-16)
out="$PWD/.cache/cli/opentofu-$OPENTOFU_VERSION-$pins"
if [ -x "$out/tofu" ]; then
	echo "$out/tofu"
	exit 0
fi

started=$SECONDS
echo ">> opentofu: building tofu $OPENTOFU_VERSION (about 17 CPU-minutes cold)" >&2
mkdir -p "$out"
# go mod download verifies the zip against the tools module's go.sum.
src=$(cd "$module" && go mod download -json github.com/opentofu/opentofu | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
if [ -z "$src" ] || [ ! -f "$src/go.mod" ]; then
	echo "build-opentofu: go mod download gave no source folder for OpenTofu $OPENTOFU_VERSION" >&2
	exit 1
fi
work="$out/src"
rm -rf "$work" && cp -r "$src" "$work" && chmod -R u+w "$work"
(cd "$work" && CGO_ENABLED=0 GOWORK=off GOFLAGS=-mod=readonly go build -trimpath -buildvcs=false \
	-ldflags "$ldflags" -o "$out/tofu.tmp" ./cmd/tofu)
rm -rf "$work"
mv "$out/tofu.tmp" "$out/tofu"
echo ">> opentofu: tofu $OPENTOFU_VERSION ready in $((SECONDS - started)) s: $out/tofu" >&2
echo "$out/tofu"
