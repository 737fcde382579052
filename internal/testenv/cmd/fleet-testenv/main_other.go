//go:build !linux

// Command fleet-testenv runs the test control plane, on Linux only; here it
// says so.
package main

import (
	"fmt"
	"os"

	"github.com/fleetform/terraform-provider-fleet/internal/testenv"
)

func main() {
	fmt.Fprintln(os.Stderr, "fleet-testenv:", testenv.CheckPlatform())
	os.Exit(2)
}
