package workloads

import (
	"context"
	"testing"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest/fuzzmodel"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
)

// Fuzz targets over both directions of GitRepo and HelmOp: any plan, nulls
// and unknowns anywhere, must give an object or diagnostics, never a panic;
// any object the API server returns must flatten into the schema, and
// flatten(expand(import)) must be the import (fuzzmodel.RoundTrip). `go
// test` runs the seeds.

var fuzzSeeds = [][]byte{
	nil,
	[]byte("\x02\x05https\x02\x03abc\x07\x07\x07\x07\x07\x07\x07\x07"),
	[]byte("\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03"),
	[]byte("\x05\x0aa: [1, 2]\x05\x041h3x\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02"),
}

func addSeeds(f *testing.F) {
	for _, seed := range fuzzSeeds {
		f.Add(seed)
	}
}

func FuzzGitRepoExpand(f *testing.F) {
	addSeeds(f)
	s := resourceSchema(NewGitRepoResource())
	f.Fuzz(func(t *testing.T, data []byte) {
		if m, ok := fuzzmodel.Model[gitRepoModel](s, data); ok {
			_, _ = m.Expand(context.Background())
		}
	})
}

func FuzzHelmOpExpand(f *testing.F) {
	addSeeds(f)
	s := resourceSchema(NewHelmOpResource())
	f.Fuzz(func(t *testing.T, data []byte) {
		if m, ok := fuzzmodel.Model[helmOpModel](s, data); ok {
			_, _ = m.Expand(context.Background())
		}
	})
}

func FuzzGitRepoFlatten(f *testing.F) {
	addSeeds(f)
	s := resourceSchema(NewGitRepoResource())
	f.Fuzz(func(t *testing.T, data []byte) {
		obj := new(fleet.GitRepo)
		fuzzmodel.NewSource(data).Fill(obj)
		fuzzmodel.RoundTrip[fleet.GitRepo, gitRepoModel](t, s, obj, func(from, to *fleet.GitRepo) { to.Status = from.Status })
	})
}

func FuzzHelmOpFlatten(f *testing.F) {
	addSeeds(f)
	s := resourceSchema(NewHelmOpResource())
	f.Fuzz(func(t *testing.T, data []byte) {
		obj := new(fleet.HelmOp)
		fuzzmodel.NewSource(data).Fill(obj)
		fuzzmodel.RoundTrip[fleet.HelmOp, helmOpModel](t, s, obj, func(from, to *fleet.HelmOp) { to.Status = from.Status })
	})
}
