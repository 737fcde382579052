// Command terraform-provider-fleet is the Terraform provider for Rancher
// Fleet.
package main

import (
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/fleetform/terraform-provider-fleet/internal/provider"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	if !debug { // under a debugger, the logs go to the developer
		skipDroppedLogs()
	}
	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	stopProfiles := startProfiles()
	err := tf6server.Serve("registry.terraform.io/fleetform/fleet", provider.NewServer(version), opts...)
	stopProfiles()
	if err != nil {
		log.Fatal(err)
	}
}
