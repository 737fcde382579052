package testenv

import (
	"context"
	"embed"
)

// kubesphereCRDs is the project's own clusters.cluster.kubesphere.io CRD
// (see the file for what it follows).
//
//go:embed testdata/kubesphere/*.yaml
var kubesphereCRDs embed.FS

// InstallKubeSphereCRDs installs, on the upstream cluster, the KubeSphere
// Cluster CRD, and waits until it is served. Start does not install it: only
// the KubeSphere tests need it. It is idempotent.
func (e *Env) InstallKubeSphereCRDs(ctx context.Context) error {
	return e.installCRDFiles(ctx, kubesphereCRDs, "testdata/kubesphere", "KubeSphere CRDs")
}
