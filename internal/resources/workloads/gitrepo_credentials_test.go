package workloads_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"golang.org/x/crypto/ssh"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
)

// TestAccGitRepoCredentials covers the provider-owned credentials Secrets:
// written with the right type and keys, never in the state, rewritten only
// when a stored attribute (credentials_wo_version) changes, re-created when
// the type changes, deleted when no longer used and on destroy.
func TestAccGitRepoCredentials(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	ctx := context.Background()
	secrets := acctest.Env.Upstream.Core.CoreV1().Secrets(ns)
	workDir := t.TempDir()
	t.Setenv("TF_ACC_TEMP_DIR", workDir)
	const address = "fleet_gitrepo.test"
	sshKey := testSSHKeyPEM(t)
	basic := func(password string, version int) string {
		return fmt.Sprintf(`
  git_credentials  = { username = "deploy", password_wo = %q, credentials_wo_version = %d }
  helm_credentials = { username = "charts", password_wo = "helm-secret-pass", credentials_wo_version = 1 }
`, password, version)
	}
	withSSH := fmt.Sprintf(`
  git_credentials = { ssh_private_key_wo = %q, known_hosts = "git.example.com ssh-ed25519 AAAA", credentials_wo_version = 3 }
`, sshKey)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			for _, name := range []string{"apps-git-credentials", "apps-gitrepo-helm-credentials"} {
				if _, err := secrets.Get(ctx, name, metav1.GetOptions{}); err == nil {
					return fmt.Errorf("Secret %s still exists after destroy", name)
				}
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: gitRepoConfig(ns, basic("first-pass-123", 1)),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(address, "client_secret_name", "apps-git-credentials"),
					resource.TestCheckResourceAttr(address, "helm_secret_name", "apps-gitrepo-helm-credentials"),
					resource.TestCheckNoResourceAttr(address, "git_credentials.password_wo"),
					credentialsSecretIs(ns, "apps-git-credentials", corev1.SecretTypeBasicAuth, map[string]string{"username": "deploy", "password": "first-pass-123"}),
					credentialsSecretIs(ns, "apps-gitrepo-helm-credentials", corev1.SecretTypeBasicAuth, map[string]string{"username": "charts", "password": "helm-secret-pass"}),
					gitRepoSpecField(ns, "apps", "clientSecretName", "apps-git-credentials"),
					acctest.StateFileLacks(workDir, "fleet_gitrepo", "first-pass-123", "helm-secret-pass"),
				),
			},
			{
				// A new write-only value alone is invisible to Terraform
				// (see below)...
				Config:   gitRepoConfig(ns, basic("second-pass-456", 1)),
				PlanOnly: true,
			},
			{
				// A Secret deleted out of band is drift...
				PreConfig: func() {
					if err := secrets.Delete(ctx, "apps-git-credentials", metav1.DeleteOptions{}); err != nil {
						t.Fatal(err)
					}
				},
				Config:             gitRepoConfig(ns, basic("first-pass-123", 1)),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				// ...which apply writes again from the configuration.
				Config: gitRepoConfig(ns, basic("first-pass-123", 1)),
				Check:  credentialsSecretIs(ns, "apps-git-credentials", corev1.SecretTypeBasicAuth, map[string]string{"username": "deploy", "password": "first-pass-123"}),
			},
			{
				// ...until credentials_wo_version changes.
				Config: gitRepoConfig(ns, basic("second-pass-456", 2)),
				Check: resource.ComposeAggregateTestCheckFunc(
					credentialsSecretIs(ns, "apps-git-credentials", corev1.SecretTypeBasicAuth, map[string]string{"username": "deploy", "password": "second-pass-456"}),
					acctest.StateFileLacks(workDir, "fleet_gitrepo", "first-pass-123", "second-pass-456", "helm-secret-pass"),
				),
			},
			{
				// Another Secret type: the Secret is replaced; the helm
				// credentials, gone from the configuration, are deleted.
				Config: gitRepoConfig(ns, withSSH),
				Check: resource.ComposeAggregateTestCheckFunc(
					credentialsSecretIs(ns, "apps-git-credentials", corev1.SecretTypeSSHAuth, map[string]string{"ssh-privatekey": sshKey, "known_hosts": "git.example.com ssh-ed25519 AAAA"}),
					resource.TestCheckNoResourceAttr(address, "helm_secret_name"),
					acctest.SecretGone(ns, "apps-gitrepo-helm-credentials"),
					acctest.StateFileLacks(workDir, "fleet_gitrepo", "PRIVATE KEY"),
				),
			},
			{
				// Switching to a Secret of one's own deletes the provider's.
				Config: gitRepoConfig(ns, `client_secret_name = "my-own-secret"`),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(address, "client_secret_name", "my-own-secret"),
					acctest.SecretGone(ns, "apps-git-credentials"),
				),
			},
			{
				Config: gitRepoConfig(ns, basic("third-pass-789", 1)),
				Check:  credentialsSecretIs(ns, "apps-git-credentials", corev1.SecretTypeBasicAuth, map[string]string{"username": "deploy", "password": "third-pass-789"}),
			},
		},
	})
}

// TestAccGitRepoCredentialsRefuseForeignSecret checks that the provider does
// not overwrite, nor delete, a Secret of the same name it did not create.
func TestAccGitRepoCredentialsRefuseForeignSecret(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	ctx := context.Background()
	secrets := acctest.Env.Upstream.Core.CoreV1().Secrets(ns)
	foreign := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "apps-git-credentials", Namespace: ns},
		Type:       corev1.SecretTypeBasicAuth,
		StringData: map[string]string{"username": "someone", "password": "theirs"},
	}
	if _, err := secrets.Create(ctx, foreign, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      gitRepoConfig(ns, `git_credentials = { username = "u", password_wo = "p", credentials_wo_version = 1 }`),
			ExpectError: regexp.MustCompile(`(?s)exists and was not created by this provider`),
		}},
	})
	s, err := secrets.Get(ctx, "apps-git-credentials", metav1.GetOptions{})
	if err != nil || string(s.Data["password"]) != "theirs" {
		t.Fatalf("the foreign Secret was changed or removed: %v %v", s, err)
	}
	if _, err := acctest.Env.Upstream.Dynamic.Resource(fleet.GitRepos).Namespace(ns).Get(ctx, "apps", metav1.GetOptions{}); err == nil {
		t.Fatal("the GitRepo was created although its Secret could not be written")
	}
}

// credentialsSecretIs checks a credentials Secret the provider wrote: its
// type, its keys and values, and the provider's managed-by label.
func credentialsSecretIs(namespace, name string, want corev1.SecretType, keys map[string]string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		s, err := acctest.Env.Upstream.Core.CoreV1().Secrets(namespace).Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if s.Type != want {
			return fmt.Errorf("Secret %s has type %s, want %s", name, s.Type, want)
		}
		if s.Labels["app.kubernetes.io/managed-by"] != "terraform-provider-fleet" {
			return fmt.Errorf("Secret %s is not labelled as the provider's: %v", name, s.Labels)
		}
		if len(s.Data) != len(keys) {
			return fmt.Errorf("Secret %s has keys %v, want %v", name, slices.Sorted(maps.Keys(s.Data)), keys)
		}
		for k, v := range keys {
			if string(s.Data[k]) != v {
				return fmt.Errorf("Secret %s key %s = %q, want %q", name, k, s.Data[k], v)
			}
		}
		return nil
	}
}

func gitRepoSpecField(namespace, name, field, want string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		g, err := acctest.Env.Upstream.Dynamic.Resource(fleet.GitRepos).Namespace(namespace).Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if got := g.Object["spec"].(map[string]any)[field]; got != want {
			return fmt.Errorf("spec.%s = %v, want %q", field, got, want)
		}
		return nil
	}
}

// testSSHKeyPEM returns an OpenSSH private key.
func testSSHKeyPEM(t *testing.T) string {
	t.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(key, "")
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(block))
}
