package workloads_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
)

// TestAccCredentialsSecretOwnership: the credentials Secret a GitRepo uses
// belongs to that resource. A fleet_registry named app-git-credentials is
// neither deleted nor overwritten by fleet_gitrepo app with git_credentials
// (whose Secret would have that name): the create fails naming the owner. A
// create the API rejects (here an admission policy) leaves no Secret
// behind. A Secret in use is a dependent of its GitRepo (ownerReference),
// so the garbage collector removes it with the GitRepo.
func TestAccCredentialsSecretOwnership(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	ctx := context.Background()
	secrets := acctest.Env.Upstream.Core.CoreV1().Secrets(ns)
	registry := acctest.ProviderConfig() + fmt.Sprintf(`
resource "fleet_registry" "mirror" {
  name        = "app-git-credentials"
  namespace   = %q
  server      = "registry.corp:5000"
  username    = "puller"
  password_wo = "registry-pass"
  password_wo_version = 1
}
`, ns)
	gitRepo := func(name string) string {
		return fmt.Sprintf(`
resource "fleet_gitrepo" "app" {
  name            = %q
  namespace       = %q
  repo            = "https://git.example.com/app.git"
  git_credentials = { username = "deploy", password_wo = "git-pass", credentials_wo_version = 1 }
}
`, name, ns)
	}
	registryIntact := func(*terraform.State) error {
		s, err := secrets.Get(ctx, "app-git-credentials", metav1.GetOptions{})
		if err != nil {
			return fmt.Errorf("the registry Secret is gone: %w", err)
		}
		if s.Type != corev1.SecretTypeDockerConfigJson || string(s.Data["password"]) != "registry-pass" {
			return fmt.Errorf("the registry Secret was overwritten: type %s", s.Type)
		}
		return nil
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: registry, Check: registryIntact},
			{
				Config: registry + gitRepo("app"),
				ExpectError: acctest.Fragments("Cannot write the Secret of git_credentials",
					"Secret "+ns+"/app-git-credentials belongs to fleet_registry "+ns+"/app-git-credentials, not to fleet_gitrepo "+ns+"/app"),
			},
			{
				PreConfig:   func() { acctest.RejectCreate(t, ns, fleet.GitRepos, fleet.KindGitRepo, "rejected") },
				Config:      registry + gitRepo("rejected"),
				ExpectError: acctest.Fragments("Cannot write the GitRepo", "the test's admission policy rejects GitRepo rejected"),
			},
			{
				PreConfig: func() {
					if _, err := secrets.Get(ctx, "rejected-git-credentials", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
						t.Fatalf("the rejected create left its credentials Secret (%v)", err)
					}
				},
				Config: registry + gitRepo("tied"),
				Check: resource.ComposeAggregateTestCheckFunc(
					registryIntact,
					func(*terraform.State) error {
						g, err := acctest.Env.Upstream.Dynamic.Resource(fleet.GitRepos).Namespace(ns).Get(ctx, "tied", metav1.GetOptions{})
						if err != nil {
							return err
						}
						s, err := secrets.Get(ctx, "tied-git-credentials", metav1.GetOptions{})
						if err != nil {
							return err
						}
						if owner := s.Annotations["terraform-provider-fleet/owner"]; owner != "fleet_gitrepo "+ns+"/tied" {
							return fmt.Errorf("the Secret's owner annotation is %q", owner)
						}
						if refs := s.OwnerReferences; len(refs) != 1 || refs[0].UID != g.GetUID() || refs[0].Kind != "GitRepo" {
							return fmt.Errorf("the Secret's ownerReferences are %v, want the GitRepo %s", refs, g.GetUID())
						}
						return nil
					},
				),
			},
		}})
}
