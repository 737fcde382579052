package workloads

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/compat"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/kube"
)

var gitRepoAPI = framework.ObjectAPI[fleet.GitRepo]{GVR: fleet.GitRepos, Kind: fleet.KindGitRepo}

// gitRepoBundleLabel names the GitRepo on the bundles made from it.
const gitRepoBundleLabel = "fleet.cattle.io/repo-name"

// gitRepoType is the resource type, which owns the credentials Secrets.
const gitRepoType = "fleet_gitrepo"

// gitRepoResource is fleet_gitrepo on the generic object resource.
type gitRepoResource = framework.ObjectResource[fleet.GitRepo, gitRepoModel, *gitRepoModel]

var (
	_ resource.ResourceWithImportState = (*gitRepoResource)(nil)
	_ resource.ResourceWithIdentity    = (*gitRepoResource)(nil)
)

// NewGitRepoResource is fleet_gitrepo.
func NewGitRepoResource() resource.Resource {
	return framework.NewObjectResource(framework.ObjectResourceSpec[fleet.GitRepo, gitRepoModel]{
		TypeName: gitRepoType,
		API:      gitRepoAPI,
		Schema:   gitRepoSchema,
		Gates:    compat.GatesFor("fleet_gitrepo"),
		Hooks: framework.ObjectHooks[fleet.GitRepo, gitRepoModel]{
			BeforeApply: gitRepoBeforeApply,
			AfterApply:  gitRepoAwaitApplied,
			AfterRead:   gitRepoReadRelated,
			AfterDelete: gitRepoAfterDelete,
		},
	})
}

// gitRepoCredentials pairs the credentials attributes of plan and prior
// state (nil on create).
func gitRepoCredentials(plan, priorState *gitRepoModel) []ownedCredentials {
	prior := priorState
	if prior == nil {
		prior = &gitRepoModel{}
	}
	name := plan.Name.ValueString()
	return []ownedCredentials{
		credentials("git_credentials", name+gitCredentialsSuffix, plan.GitCredentials, prior.GitCredentials,
			plan.ClientSecretName, prior.ClientSecretName, priorState),
		credentials("helm_credentials", name+gitRepoHelmCredentialsSuffix, plan.HelmCredentials, prior.HelmCredentials,
			plan.HelmSecretName, prior.HelmSecretName, priorState),
	}
}

// gitRepoBeforeApply writes the credentials Secrets before the GitRepo that
// refers to them, so Fleet's first git job finds them.
func gitRepoBeforeApply(ctx context.Context, c *kube.Client, req framework.ApplyRequest[gitRepoModel]) diag.Diagnostics {
	namespace := req.Plan.Namespace.ValueString()
	owner := credentialsOwner(gitRepoType, namespace, req.Plan.Name.ValueString())
	stale, diags := syncCredentials(ctx, c, req.Config, owner, namespace, gitRepoCredentials(req.Plan, req.State)...)
	req.Plan.staleSecrets = stale
	return diags
}

func gitRepoAwaitApplied(ctx context.Context, c *kube.Client, plan *gitRepoModel, applied *fleet.GitRepo, _ bool) (*fleet.GitRepo, diag.Diagnostics) {
	owner := credentialsOwner(gitRepoType, applied.Namespace, applied.Name)
	diags := deleteCredentialSecrets(ctx, c, owner, applied.Namespace, plan.staleSecrets)
	diags.Append(tieCredentialSecrets(ctx, c, owner, fleet.KindGitRepo, applied.ObjectMeta, gitRepoOwnedSecrets(plan))...)
	if !plan.WaitForReady.ValueBool() {
		return applied, diags
	}
	current, since := applied, framework.AppliedAt(applied.ManagedFields)
	diags.Append(awaitDeployed(ctx, fleet.KindGitRepo, applied.Namespace, applied.Name, func(ctx context.Context) (deployCheck, error) {
		g, err := gitRepoAPI.Get(ctx, c, applied.Namespace, applied.Name)
		if err != nil {
			return deployCheck{}, err
		}
		current = g
		return gitRepoCheck(ctx, c, g, since)
	})...)
	return current, diags
}

// gitRepoCheck judges a GitRepo by Fleet's gitjob and status controllers:
// the gitjob controller has seen this generation, and its job (which
// rewrites the bundles, and which it deletes once it succeeds) is gone;
// every bundle of the GitRepo is processed and ready; the GitRepo's status
// agrees. A failure reported since since (see reportedSince) ends the wait
// even before the generation is observed: Fleet reports a GitRepo that a
// restriction refuses without observing its generation (updateErrorStatus
// with the old status).
func gitRepoCheck(ctx context.Context, c *kube.Client, g *fleet.GitRepo, since time.Time) (deployCheck, error) {
	status := g.Status
	if status == nil {
		status = &fleet.GitRepoStatus{}
	}
	current, stale := failedCondition(status.Conditions, since)
	if current != "" {
		return deployCheck{failed: current}, nil
	}
	if status.ObservedGeneration != g.Generation {
		return withStale(waitingFor("the Fleet gitjob controller has not processed generation %d yet", g.Generation), stale), nil
	}
	check, err := gitRepoDeployed(ctx, c, g, status, since)
	return withStale(check, stale), err
}

// gitRepoDeployed judges a GitRepo whose generation the gitjob controller
// processed and whose conditions report no failure.
func gitRepoDeployed(ctx context.Context, c *kube.Client, g *fleet.GitRepo, status *fleet.GitRepoStatus, since time.Time) (deployCheck, error) {
	if status.Commit == "" {
		msg := "no commit has been fetched from the repository yet"
		if p := fleet.FindCondition(status.Conditions, "GitPolling"); p != nil && p.Status == "False" && p.Message != "" {
			msg += " (" + p.Message + ")"
		}
		return waitingFor("%s", msg), nil
	}
	job, err := gitJobOf(ctx, c, g)
	if err != nil || job != "" {
		return waitingFor("git job %s has not finished", job), err
	}
	bundles, err := bundleAPI.List(ctx, c, g.Namespace, gitRepoBundleLabel+"="+g.Name)
	if err != nil {
		return deployCheck{}, err
	}
	deployments := 0
	for i := range bundles {
		if check := bundleCheck(&bundles[i]); !check.ready {
			return check, nil
		}
		deployments += bundles[i].Status.Summary.DesiredReady
	}
	// The status controller counts the bundles' deployments a moment later.
	if status.Summary.DesiredReady != deployments {
		return waitingFor("Fleet has counted %d of the %d bundle deployments of the GitRepo", status.Summary.DesiredReady, deployments), nil
	}
	return statusCheck(status.StatusBase, since), nil
}

// gitJobOf returns the name of a Job of the GitRepo that still exists.
func gitJobOf(ctx context.Context, c *kube.Client, g *fleet.GitRepo) (string, error) {
	core, err := c.Core()
	if err != nil {
		return "", err
	}
	jobs, err := core.BatchV1().Jobs(g.Namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return "", fmt.Errorf("list the git jobs in namespace %s: %w", g.Namespace, err)
	}
	for _, j := range jobs.Items {
		if owner := metav1.GetControllerOf(&j); owner != nil && owner.UID == g.UID {
			return j.Name, nil
		}
	}
	return "", nil
}

// gitRepoReadRelated notices credentials Secrets deleted out of band.
func gitRepoReadRelated(ctx context.Context, c *kube.Client, m *gitRepoModel, g *fleet.GitRepo) diag.Diagnostics {
	owner := credentialsOwner(gitRepoType, g.Namespace, g.Name)
	diags := forgetMissingCredentials(ctx, c, owner, g.Namespace, g.Name+gitCredentialsSuffix, &m.GitCredentials)
	diags.Append(forgetMissingCredentials(ctx, c, owner, g.Namespace, g.Name+gitRepoHelmCredentialsSuffix, &m.HelmCredentials)...)
	return diags
}

// gitRepoAfterDelete deletes the provider's credential Secrets the GitRepo
// used (also after a create that failed); DeleteOwnedSecret leaves any
// Secret that is not this resource's.
func gitRepoAfterDelete(ctx context.Context, c *kube.Client, state *gitRepoModel) diag.Diagnostics {
	namespace := state.Namespace.ValueString()
	owner := credentialsOwner(gitRepoType, namespace, state.Name.ValueString())
	return deleteCredentialSecrets(ctx, c, owner, namespace, gitRepoOwnedSecrets(state))
}

// gitRepoOwnedSecrets names the provider's Secrets that m refers to.
func gitRepoOwnedSecrets(m *gitRepoModel) []string {
	name := m.Name.ValueString()
	var owned []string
	if m.ClientSecretName.ValueString() == name+gitCredentialsSuffix {
		owned = append(owned, name+gitCredentialsSuffix)
	}
	if m.HelmSecretName.ValueString() == name+gitRepoHelmCredentialsSuffix {
		owned = append(owned, name+gitRepoHelmCredentialsSuffix)
	}
	return owned
}
