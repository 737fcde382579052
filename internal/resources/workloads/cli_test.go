package workloads_test

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	corev1 "k8s.io/api/core/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
)

// TestAccCLIGitRepoCredentials is the GitRepo of the CLI compatibility
// subset (TestAccCLI*, which `make test` runs again under every CLI built
// under tools/, OpenTofu included): with write-only git credentials, create
// writes them to the credentials Secret and never to the state file the CLI
// wrote, the next plan is empty, the GitRepo imports (ImportStateVerify, and
// an import block naming the Secret, as an import cannot read write-only
// values back) and destroy removes it with its Secret.
func TestAccCLIGitRepoCredentials(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	workDir := t.TempDir()
	t.Setenv("TF_ACC_TEMP_DIR", workDir)
	const address, password = "fleet_gitrepo.test", "cli-subset-git-pass-4821"
	config := gitRepoConfig(ns, `git_credentials = { username = "deploy", password_wo = "`+password+`", credentials_wo_version = 1 }`)
	steps := acctest.LifecycleSteps(config, address, ns+"/apps", resource.ComposeAggregateTestCheckFunc(
		resource.TestCheckResourceAttr(address, "client_secret_name", "apps-git-credentials"),
		resource.TestCheckNoResourceAttr(address, "git_credentials.password_wo"),
		credentialsSecretIs(ns, "apps-git-credentials", corev1.SecretTypeBasicAuth, map[string]string{"username": "deploy", "password": password}),
		acctest.StateFileLacks(workDir, "fleet_gitrepo", password),
	), "git_credentials")
	steps[len(steps)-1].Config = gitRepoConfig(ns, `client_secret_name = "apps-git-credentials"`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: resource.ComposeAggregateTestCheckFunc(
			acctest.ObjectGone(fleet.GitRepos, ns, "apps"),
			acctest.SecretGone(ns, "apps-git-credentials"),
		),
		Steps: steps,
	})
}
