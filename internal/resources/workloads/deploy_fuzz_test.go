package workloads

import (
	"testing"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest/fuzzmodel"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
)

// Fuzz targets over both directions of GitRepo and HelmOp (fuzzmodel.Object).
// `go test` runs the seeds.

func FuzzGitRepo(f *testing.F) {
	fuzzmodel.Object[fleet.GitRepo, gitRepoModel](f, NewGitRepoResource(), func(from, to *fleet.GitRepo) { to.Status = from.Status })
}

func FuzzHelmOp(f *testing.F) {
	fuzzmodel.Object[fleet.HelmOp, helmOpModel](f, NewHelmOpResource(), func(from, to *fleet.HelmOp) { to.Status = from.Status })
}
