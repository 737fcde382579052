#!/usr/bin/env bash
# Builds the binaries of the test control plane from the modules pinned under
# tools/ and prints the folder that holds them all. Progress goes to stderr.
#
#   FLEET_VERSION=v0.15.0 tools/build-testenv.sh   # default: v0.16.0
#
# Each Fleet release users run has a build module of its own,
# tools/fleet-<release>/ (Fleet's own replace block of that release). The
# parts are cached apart, each in a folder named by the hash of its pins, so a
# second release costs only its Fleet build:
#   .cache/testenv-bin/kube-<hash>/                 etcd, kube-apiserver, kube-controller-manager
#   .cache/testenv-bin/fleet-<release>-<hash>/      fleetcontroller, fleetagent, fleetcli, charts/
#   .cache/testenv-bin/<release>-<hash>/            links to both, and the file fleet-version:
#                                                   the folder printed
# A folder that holds every file is reused; a rebuild happens only when a pin changes.
set -euo pipefail
cd "$(dirname "$0")/.."

KUBE_VERSION=v1.34.4
FLEET_VERSION=${FLEET_VERSION:-v0.16.0}

fleet_module=tools/fleet-$FLEET_VERSION
if [ ! -f "$fleet_module/go.mod" ]; then
	echo "build-testenv: no build module for Fleet $FLEET_VERSION; pinned releases:" \
		"$(cd tools && ls -d fleet-v* | sed 's/^fleet-//' | tr '\n' ' ')" >&2
	exit 2
fi

export CGO_ENABLED=0
step() { echo ">> testenv: $*" >&2; }
started=$SECONDS
built=
cache="$PWD/.cache/testenv-bin"

# hash prints a short digest of the named files and the build recipe (the
# ldflags), so a change to either gets a new folder.
hash() { { cat "$@"; echo "$recipe"; } | sha256sum | cut -c1-16; }

kube_ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$KUBE_VERSION \
-X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=34 \
-X k8s.io/component-base/version.gitTreeState=clean"
recipe=$kube_ldflags
kube_dir="$cache/kube-$(hash tools/etcd/go.mod tools/etcd/go.sum tools/etcd/main.go tools/kube/go.mod tools/kube/go.sum)"

fleet_ldflags="-s -w -X github.com/rancher/fleet/pkg/version.Version=$FLEET_VERSION"
recipe=$fleet_ldflags
fleet_dir="$cache/fleet-$FLEET_VERSION-$(hash "$fleet_module/go.mod" "$fleet_module/go.sum")"

out="$cache/$FLEET_VERSION-$(echo "$kube_dir $fleet_dir" | sha256sum | cut -c1-16)"

# build <folder> <binary> <module dir> <package> <ldflags> <what>
build() {
	[ -x "$1/$2" ] && return
	built=1
	step "building $2 $6"
	mkdir -p "$1"
	(cd "$3" && go build -trimpath -ldflags "$5" -o "$1/$2.tmp" "$4") && mv "$1/$2.tmp" "$1/$2"
}

build "$kube_dir" etcd tools/etcd . "" "(about 30 s cold)"
for b in kube-apiserver kube-controller-manager; do
	build "$kube_dir" "$b" tools/kube "k8s.io/kubernetes/cmd/$b" "$kube_ldflags" "$KUBE_VERSION (3 minutes or so cold)"
done
for b in fleetcontroller fleetagent fleetcli; do
	build "$fleet_dir" "$b" "$fleet_module" "github.com/rancher/fleet/cmd/$b" "$fleet_ldflags" \
		"$FLEET_VERSION (a few minutes cold for the first)"
done

# Fleet's CRDs and charts ship inside the same pinned module.
if [ ! -f "$fleet_dir/charts/fleet-crd/templates/crds.yaml" ]; then
	src=$(cd "$fleet_module" && go list -m -f '{{.Dir}}' github.com/rancher/fleet)
	rm -rf "$fleet_dir/charts.tmp" && cp -r "$src/charts" "$fleet_dir/charts.tmp" && chmod -R u+w "$fleet_dir/charts.tmp"
	mv "$fleet_dir/charts.tmp" "$fleet_dir/charts"
fi

mkdir -p "$out"
for b in etcd kube-apiserver kube-controller-manager; do ln -sfn "$kube_dir/$b" "$out/$b"; done
for b in fleetcontroller fleetagent fleetcli charts; do ln -sfn "$fleet_dir/$b" "$out/$b"; done
echo "$FLEET_VERSION" > "$out/fleet-version" # read by internal/testenv
if [ -n "$built" ]; then
	step "binaries of Fleet $FLEET_VERSION ready in $((SECONDS - started)) s: $out"
fi
echo "$out"
