package acctest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/fleetform/terraform-provider-fleet/internal/provider"
)

// TerraformCLI returns a runner of the terraform CLI (terraformBinary) in dir, with the
// provider served in-process as fleetform/fleet (Terraform reattaches to it
// instead of installing it), for root modules that terraform-plugin-testing
// cannot read back (for_each). A failing command fails the test. The
// reattached address is the one `source = "fleetform/fleet"` means to the CLI
// that runs: OpenTofu's default registry host is not Terraform's.
func TerraformCLI(t *testing.T, dir string) func(args ...string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	address := providerHost() + "/fleetform/fleet"
	configCh := make(chan *plugin.ReattachConfig)
	closeCh := make(chan struct{})
	go func() {
		err := tf6server.Serve(address, provider.NewServer("test"),
			tf6server.WithDebug(ctx, configCh, closeCh), tf6server.WithGoPluginLogger(hclog.NewNullLogger()), tf6server.WithLoggingSink(t))
		if err != nil {
			t.Errorf("serve the provider: %v", err)
		}
	}()
	cfg := <-configCh
	t.Cleanup(func() {
		cancel()
		<-closeCh
	})
	reattach, err := json.Marshal(map[string]any{address: map[string]any{
		"Protocol": string(cfg.Protocol), "ProtocolVersion": cfg.ProtocolVersion, "Pid": cfg.Pid, "Test": cfg.Test,
		"Addr": map[string]string{"Network": cfg.Addr.Network(), "String": cfg.Addr.String()},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return func(args ...string) {
		t.Helper()
		cmd := exec.Command(terraformBinary(), append([]string{args[0], "-no-color"}, args[1:]...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "TF_REATTACH_PROVIDERS="+string(reattach), "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// terraformBinary is the CLI the tests run: TF_ACC_TERRAFORM_PATH when set
// (as terraform-plugin-testing reads it), so a Terraform or OpenTofu built
// under tools/ runs these tests too; else terraform from the PATH.
func terraformBinary() string {
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		return p
	}
	return "terraform"
}

// The registry hosts a provider source without a host means to each CLI.
const (
	terraformRegistryHost = "registry.terraform.io"
	openTofuRegistryHost  = "registry.opentofu.org"
)

// providerHost is the registry host of the provider's address, as
// terraform-plugin-testing reads it for its own reattach: TF_ACC_PROVIDER_HOST
// (set by useOpenTofuRegistryHost under OpenTofu), else Terraform's registry.
func providerHost() string {
	if h := os.Getenv(resource.EnvTfAccProviderHost); h != "" {
		return h
	}
	return terraformRegistryHost
}

// useOpenTofuRegistryHost sets TF_ACC_PROVIDER_HOST to OpenTofu's registry
// when the CLI the tests run is OpenTofu and the variable is not set. OpenTofu
// reads a source without a host, and a resource type without a
// required_providers entry (hashicorp/fleet), as registry.opentofu.org/...:
// terraform-plugin-testing reattaches the in-process provider under
// registry.terraform.io unless told otherwise, and OpenTofu would then try to
// install the provider from its registry.
func useOpenTofuRegistryHost() error {
	if os.Getenv("TF_ACC_TERRAFORM_PATH") == "" || os.Getenv(resource.EnvTfAccProviderHost) != "" {
		return nil
	}
	out, err := exec.Command(terraformBinary(), "version").Output()
	if err != nil {
		return fmt.Errorf("%s version: %w", terraformBinary(), err)
	}
	// Its first line, unless a warning about the CLI configuration comes first.
	if strings.HasPrefix(string(out), "OpenTofu v") || strings.Contains(string(out), "\nOpenTofu v") {
		return os.Setenv(resource.EnvTfAccProviderHost, openTofuRegistryHost)
	}
	return nil
}
