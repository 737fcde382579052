#!/usr/bin/env bash
# Builds Terraform v1.13.3 from the module pinned in this folder and prints
# the binary's path; progress goes to stderr. The binary is cached in
#   .cache/cli/terraform-v1.13.3-<hash of go.mod, go.sum and the recipe>/terraform
# and reused while that folder holds it.
#
# Terraform cannot be built as a dependency (`go build` of its package from
# this module): its go.mod replaces nested modules with folders of its own,
# and a dependency's replace directives are ignored. So the source that
# `go mod download` verified against go.sum is copied to a writable folder
# and built there, as the main module.
#
# The module zip does not hold those nested modules (Go leaves every folder
# with a go.mod of its own out of a module zip), and the module proxy serves
# none of them at v1.13.3's commit: the remote-state backends azurerm, consul,
# cos, gcs, kubernetes, oci, oss, pg and s3 (only internal/backend/init
# imports them) and internal/legacy (only they import it). The build leaves
# them out: this Terraform keeps every other backend (local, remote, cloud,
# http, inmem), which is all the tests use, and reports
# `Unsupported backend type` for those nine.
set -euo pipefail
cd "$(dirname "$0")"

version=v1.13.3
ldflags="-s -w -X github.com/hashicorp/terraform/version.dev=no"
nested=(internal/legacy)
for b in azure consul cos gcs kubernetes oci oss pg s3; do nested+=("internal/backend/remote-state/$b"); done
out="$(cd ../.. && pwd)/.cache/cli/terraform-$version-$({ cat go.mod go.sum; echo "$ldflags ${nested[*]}"; } | sha256sum | cut -c1-16)"
if [ -x "$out/terraform" ]; then
	echo "$out/terraform"
	exit 0
fi

started=$SECONDS
echo ">> terraform $version: building from its pinned module (about 7 CPU-minutes; 23 minutes cold on two busy cores)" >&2
src=$(GOWORK=off go mod download -json "github.com/hashicorp/terraform@$version" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
[ -d "$src" ] || { echo "build: go mod download gave no source folder for terraform $version" >&2; exit 1; }
mkdir -p "$out"
work="$out/src"
rm -rf "$work" && cp -r "$src" "$work" && chmod -R u+w "$work"
for m in "${nested[@]}"; do
	(cd "$work" && go mod edit -dropreplace="github.com/hashicorp/terraform/$m" -droprequire="github.com/hashicorp/terraform/$m")
done
sed -i -E '/backend(Azure|Consul|Cos|GCS|Kubernetes|OCI|OSS|Pg|S3)[ .]/d' "$work/internal/backend/init/init.go"
(cd "$work" && GOWORK=off CGO_ENABLED=0 GOFLAGS=-mod=readonly go build -trimpath -buildvcs=false \
	-ldflags "$ldflags" -o "$out/terraform.tmp" .)
mv "$out/terraform.tmp" "$out/terraform"
rm -rf "$work"
echo ">> terraform $version ready in $((SECONDS - started)) s: $out/terraform" >&2
echo "$out/terraform"
