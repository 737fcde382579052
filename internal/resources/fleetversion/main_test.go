package fleetversion_test

import (
	"os"
	"testing"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
)

func TestMain(m *testing.M) { os.Exit(acctest.Main(m)) }
