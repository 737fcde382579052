#!/usr/bin/env bash
# Builds the binaries of the test control plane (etcd, kube-apiserver,
# kube-controller-manager, the Fleet controller, agent and CLI) from the modules
# pinned under tools/, into .cache/testenv-bin/<hash of the pins>/. A folder that
# already holds every binary is reused, so a rebuild happens only when a pin changes.
# Prints the folder on stdout; progress goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

KUBE_VERSION=v1.34.4
FLEET_VERSION=v0.16.0

pins=$(cat tools/build-testenv.sh tools/etcd/go.mod tools/etcd/go.sum tools/etcd/main.go \
	tools/kube/go.mod tools/kube/go.sum tools/fleet/go.mod tools/fleet/go.sum | sha256sum | cut -c1-16)
out="$PWD/.cache/testenv-bin/$pins"
binaries=(etcd kube-apiserver kube-controller-manager fleetcontroller fleetagent fleetcli)

missing=()
for b in "${binaries[@]}"; do [ -x "$out/$b" ] || missing+=("$b"); done
if [ ${#missing[@]} -eq 0 ] && [ -f "$out/charts/fleet-crd/templates/crds.yaml" ]; then
	echo "$out"
	exit 0
fi

mkdir -p "$out"
export CGO_ENABLED=0
step() { echo ">> testenv: $*" >&2; }
started=$SECONDS

need() { [[ " ${missing[*]} " == *" $1 "* ]]; }

if need etcd; then
	step "building etcd (about 30 s cold)"
	(cd tools/etcd && go build -trimpath -o "$out/etcd" .)
fi

kube_ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$KUBE_VERSION \
-X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=34 \
-X k8s.io/component-base/version.gitTreeState=clean"
for b in kube-apiserver kube-controller-manager; do
	if need "$b"; then
		step "building $b $KUBE_VERSION (3 minutes or so cold)"
		(cd tools/kube && go build -trimpath -ldflags "$kube_ldflags" -o "$out/$b" "k8s.io/kubernetes/cmd/$b")
	fi
done

fleet_ldflags="-s -w -X github.com/rancher/fleet/pkg/version.Version=$FLEET_VERSION"
for b in fleetcontroller fleetagent fleetcli; do
	if need "$b"; then
		step "building $b $FLEET_VERSION (a few minutes cold for the first)"
		(cd tools/fleet && go build -trimpath -ldflags "$fleet_ldflags" -o "$out/$b" "github.com/rancher/fleet/cmd/$b")
	fi
done

# Fleet's CRDs and agent chart ship inside the same pinned module.
fleet_dir=$(cd tools/fleet && go list -m -f '{{.Dir}}' github.com/rancher/fleet)
rm -rf "$out/charts" && cp -r "$fleet_dir/charts" "$out/charts" && chmod -R u+w "$out/charts"
step "binaries ready in $((SECONDS - started)) s: $out"
echo "$out"
