package permissions_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
)

// guideRoles are the files the permissions guide prints, relative to the
// repository root.
var guideRoles = []string{"deployments.yaml", "clusters.yaml", "air-gapped.yaml"}

// TestAccPermissionsGuideRoles runs the Deployments, Clusters and Air-gapped
// resources (create, re-plan, import, destroy, and a GitRepo's wait through a
// real agent) as a ServiceAccount that has exactly the guide's ClusterRoles
// and nothing else, not as cluster admin.
func TestAccPermissionsGuideRoles(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	acctest.RegisteredCluster(t, ns, "guide-down", map[string]string{"guide": ns})
	git := acctest.GitServer(t)
	repoURL, _, err := git.CreateRepo("apps", map[string]string{
		"deploy/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: guide-roles\n  namespace: default\ndata:\n  v: \"1\"\n",
	})
	if err != nil {
		t.Fatal(err)
	}
	providerConfig := restrictedProvider(t, ns, guideRoles)
	configFor := func(revision int) string {
		return providerConfig + fmt.Sprintf(`
resource "fleet_cluster_group" "edge" {
  name      = "edge"
  namespace = %[1]q
  selector  = { match_labels = { guide = %[1]q } }
  labels    = { revision = "%[3]d" }
}

resource "fleet_cluster" "predefined" {
  name      = "predefined"
  namespace = %[1]q
  labels    = { role = "spare" }
  client_id = "guide-spare"
}

resource "fleet_cluster_registration_token" "bootstrap" {
  name      = "bootstrap"
  namespace = %[1]q
  ttl       = "1h"
}

resource "fleet_gitrepo" "apps" {
  name             = "apps"
  namespace        = %[1]q
  repo             = %[2]q
  paths            = ["deploy"]
  target_namespace = "default"
  helm_credentials = {
    username               = "charts"
    password_wo            = "guide-secret"
    credentials_wo_version = 1
  }
  targets        = [{ cluster_group = fleet_cluster_group.edge.name }]
  wait_for_ready = true
}

resource "fleet_gitrepo_restriction" "team" {
  name                      = "team"
  namespace                 = %[1]q
  allowed_target_namespaces = ["default"]
}

resource "fleet_registry" "site" {
  name                = "site"
  namespace           = %[1]q
  server              = "registry.example.internal:5000"
  username            = "puller"
  password_wo         = "guide-registry-secret-%[3]d"
  password_wo_version = %[3]d
}
`, ns, repoURL, revision)
	}
	// Create, then update (a label, a rotated password), then import each.
	config := configFor(2)
	steps := []resource.TestStep{{Config: configFor(1), Check: notAdmin(ns)}, {Config: config}}
	for _, address := range []string{
		"fleet_cluster_group.edge", "fleet_cluster.predefined", "fleet_cluster_registration_token.bootstrap",
		"fleet_gitrepo.apps", "fleet_gitrepo_restriction.team", "fleet_registry.site",
	} {
		steps = append(steps, resource.TestStep{
			Config: config, ResourceName: address, ImportState: true, ImportStateVerify: true,
			ImportStateVerifyIgnore: []string{"timeouts", "wait_for_ready", "helm_credentials", "password_wo_version", "ready", "ready_bundles"},
		})
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps:                    steps,
	})
}

const serviceAccount = "terraform"

// restrictedProvider binds the given ClusterRoles of the guide (and only
// those) to a new ServiceAccount and returns a provider block that connects
// with its token. The environment's KUBE_CONFIG_PATH, an admin kubeconfig,
// stays set, as it often is in a CI job.
func restrictedProvider(t *testing.T, ns string, files []string) string {
	t.Helper()
	ctx := context.Background()
	core := acctest.Env.Upstream.Core
	sa, err := core.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: serviceAccount}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		role := readGuideRole(t, file)
		role.Name = ns + "-" + role.Name // cluster-scoped: one per test
		if _, err := core.RbacV1().ClusterRoles().Create(ctx, role, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		binding := &rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: role.Name},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role.Name},
			Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Namespace: ns, Name: sa.Name}},
		}
		if _, err := core.RbacV1().ClusterRoleBindings().Create(ctx, binding, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			for _, err := range []error{
				core.RbacV1().ClusterRoleBindings().Delete(ctx, role.Name, metav1.DeleteOptions{}),
				core.RbacV1().ClusterRoles().Delete(ctx, role.Name, metav1.DeleteOptions{}),
			} {
				if err != nil && !apierrors.IsNotFound(err) {
					t.Logf("clean up %s: %v", role.Name, err)
				}
			}
		})
	}
	hour := int64(3600)
	token, err := core.CoreV1().ServiceAccounts(ns).CreateToken(ctx, sa.Name,
		&authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: &hour}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("provider \"fleet\" {\n  host                   = %q\n  token                  = %q\n  cluster_ca_certificate = %q\n}\n",
		acctest.Env.Upstream.Host, token.Status.Token, string(acctest.Env.Upstream.CAPEM))
}

// notAdmin checks that the provider's identity has no more than the guide
// grants: it may not bind roles (what an admin could).
func notAdmin(ns string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		review, err := acctest.Env.Upstream.Core.AuthorizationV1().SubjectAccessReviews().Create(context.Background(),
			&authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
				User:               "system:serviceaccount:" + ns + ":" + serviceAccount,
				Groups:             []string{"system:serviceaccounts", "system:serviceaccounts:" + ns, "system:authenticated"},
				ResourceAttributes: &authorizationv1.ResourceAttributes{Verb: "create", Group: rbacv1.GroupName, Resource: "clusterrolebindings"},
			}}, metav1.CreateOptions{})
		if err != nil {
			return err
		}
		if review.Status.Allowed {
			return fmt.Errorf("the test's ServiceAccount may create ClusterRoleBindings: %s", review.Status.Reason)
		}
		return nil
	}
}

func readGuideRole(t *testing.T, file string) *rbacv1.ClusterRole {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "..", "examples", "permissions", file))
	if err != nil {
		t.Fatal(err)
	}
	var role rbacv1.ClusterRole
	if err := yaml.UnmarshalStrict(data, &role); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	if role.Kind != "ClusterRole" || len(role.Rules) == 0 {
		t.Fatalf("%s is not a ClusterRole with rules", file)
	}
	return &role
}
