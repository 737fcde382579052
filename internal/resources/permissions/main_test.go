// Package permissions_test checks the permissions guide: the ClusterRoles it
// prints (examples/permissions) are enough for the resources they name, and
// the provider acts as the identity its configuration names.
package permissions_test

import (
	"os"
	"testing"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
)

func TestMain(m *testing.M) { os.Exit(acctest.Main(m)) }
