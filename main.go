// Command terraform-provider-fleet is the Terraform provider for Rancher
// Fleet.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

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
	stopProfiles := startProfiles()
	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address:         "registry.terraform.io/fleetform/fleet",
		Debug:           debug,
		ProtocolVersion: 6,
	})
	stopProfiles()
	if err != nil {
		log.Fatal(err)
	}
}
