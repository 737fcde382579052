package tenancy

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fleetform/terraform-provider-fleet/internal/compat"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/framework/flex"
	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

var policyAPI = framework.ObjectAPI[fleet.Policy]{GVR: fleet.Policies, Kind: fleet.KindPolicy}

// policyModel is the state of fleet_policy.
type policyModel struct {
	framework.ObjectMetaModel
	RequireServiceAccount  types.Bool          `tfsdk:"require_service_account"`
	AllowedServiceAccounts types.List          `tfsdk:"allowed_service_accounts"`
	GitRepo                *policyGitRepoModel `tfsdk:"gitrepo"`
	HelmOp                 *policyHelmOpModel  `tfsdk:"helmop"`
	Timeouts               timeouts.Value      `tfsdk:"timeouts"`
}

// policyGitRepoModel is the gitrepo block: what only Fleet's GitRepo reconciler reads.
type policyGitRepoModel struct {
	DefaultServiceAccount    types.String `tfsdk:"default_service_account"`
	DefaultClientSecretName  types.String `tfsdk:"default_client_secret_name"`
	AllowedClientSecretNames types.List   `tfsdk:"allowed_client_secret_names"`
	AllowedRepoPatterns      types.List   `tfsdk:"allowed_repo_patterns"`
}

// policyHelmOpModel is the helmop block: what only Fleet's HelmOp reconciler reads.
type policyHelmOpModel struct {
	DefaultServiceAccount   types.String `tfsdk:"default_service_account"`
	DefaultHelmSecretName   types.String `tfsdk:"default_helm_secret_name"`
	AllowedHelmSecretNames  types.List   `tfsdk:"allowed_helm_secret_names"`
	AllowedHelmRepoPatterns types.List   `tfsdk:"allowed_helm_repo_patterns"`
	AllowedChartPatterns    types.List   `tfsdk:"allowed_chart_patterns"`
}

func (m *policyModel) Meta() *framework.ObjectMetaModel { return &m.ObjectMetaModel }

func (m *policyModel) TimeoutsValue() timeouts.Value { return m.Timeouts }

func (m *policyModel) Expand(ctx context.Context) (*fleet.Policy, diag.Diagnostics) {
	meta, diags := m.ObjectMeta(ctx)
	out := &fleet.Policy{
		Object:                fleet.Object{TypeMeta: fleet.TypeMeta(fleet.KindPolicy), ObjectMeta: meta},
		RequireServiceAccount: m.RequireServiceAccount.ValueBool(),
	}
	diags.Append(m.AllowedServiceAccounts.ElementsAs(ctx, &out.AllowedServiceAccounts, false)...)
	if g := m.GitRepo; g != nil {
		out.GitRepo = &fleet.GitRepoPolicy{
			DefaultServiceAccount:   g.DefaultServiceAccount.ValueString(),
			DefaultClientSecretName: g.DefaultClientSecretName.ValueString(),
		}
		diags.Append(g.AllowedClientSecretNames.ElementsAs(ctx, &out.GitRepo.AllowedClientSecretNames, false)...)
		diags.Append(g.AllowedRepoPatterns.ElementsAs(ctx, &out.GitRepo.AllowedRepoPatterns, false)...)
	}
	if h := m.HelmOp; h != nil {
		out.HelmOp = &fleet.HelmOpPolicy{
			DefaultServiceAccount: h.DefaultServiceAccount.ValueString(),
			DefaultHelmSecretName: h.DefaultHelmSecretName.ValueString(),
		}
		diags.Append(h.AllowedHelmSecretNames.ElementsAs(ctx, &out.HelmOp.AllowedHelmSecretNames, false)...)
		diags.Append(h.AllowedHelmRepoPatterns.ElementsAs(ctx, &out.HelmOp.AllowedHelmRepoPatterns, false)...)
		diags.Append(h.AllowedChartPatterns.ElementsAs(ctx, &out.HelmOp.AllowedChartPatterns, false)...)
	}
	return out, diags
}

func (m *policyModel) Flatten(p *fleet.Policy, imported bool) {
	m.SetFromServer(p.ObjectMeta, imported)
	m.RequireServiceAccount = types.BoolValue(p.RequireServiceAccount)
	m.AllowedServiceAccounts = flex.StringListOrNull(p.AllowedServiceAccounts)
	m.GitRepo = nil
	if g := p.GitRepo; g != nil {
		m.GitRepo = &policyGitRepoModel{
			DefaultServiceAccount:    flex.StringOrNull(g.DefaultServiceAccount),
			DefaultClientSecretName:  flex.StringOrNull(g.DefaultClientSecretName),
			AllowedClientSecretNames: flex.StringListOrNull(g.AllowedClientSecretNames),
			AllowedRepoPatterns:      flex.StringListOrNull(g.AllowedRepoPatterns),
		}
	}
	m.HelmOp = nil
	if h := p.HelmOp; h != nil {
		m.HelmOp = &policyHelmOpModel{
			DefaultServiceAccount:   flex.StringOrNull(h.DefaultServiceAccount),
			DefaultHelmSecretName:   flex.StringOrNull(h.DefaultHelmSecretName),
			AllowedHelmSecretNames:  flex.StringListOrNull(h.AllowedHelmSecretNames),
			AllowedHelmRepoPatterns: flex.StringListOrNull(h.AllowedHelmRepoPatterns),
			AllowedChartPatterns:    flex.StringListOrNull(h.AllowedChartPatterns),
		}
	}
}

// policyResource is fleet_policy on the generic object resource.
type policyResource = framework.ObjectResource[fleet.Policy, policyModel, *policyModel]

var (
	_ resource.ResourceWithImportState = (*policyResource)(nil)
	_ resource.ResourceWithIdentity    = (*policyResource)(nil)
)

// NewPolicyResource is fleet_policy.
func NewPolicyResource() resource.Resource {
	return framework.NewObjectResource(framework.ObjectResourceSpec[fleet.Policy, policyModel]{
		TypeName: "fleet_policy",
		API:      policyAPI,
		Schema:   policySchema,
		Gates:    compat.GatesFor("fleet_policy"),
	})
}

// anchoredPatterns describes a list of patterns Fleet matches against the
// whole value, unlike GitRepoRestriction's.
func anchoredPatterns(what string) string {
	return "Regular expressions (Go RE2 syntax) of the " + what + "; unset allows any. Fleet anchors them " +
		"(the whole value must match, as `^(?:pattern)$`); a pattern equal to the value also matches."
}

func defaultName(description string) schema.StringAttribute {
	return schema.StringAttribute{Optional: true, Description: description, Validators: []validator.String{validate.ResourceName()}}
}

func policySchema(ctx context.Context) schema.Schema {
	attrs := framework.ObjectMetaAttributes("Policy")
	attrs["require_service_account"] = framework.FalseByDefault("Refuse every GitRepo, HelmOp and Bundle of the namespace " +
		"whose service account is empty once the defaults of `gitrepo` and `helmop` are applied.")
	attrs["allowed_service_accounts"] = restrictionList("Service accounts GitRepos, HelmOps and Bundles of the namespace may set; "+
		"unset allows any. An object that sets none passes unless `require_service_account` is true.", validate.ResourceName())
	attrs["gitrepo"] = schema.SingleNestedAttribute{
		Optional:    true,
		Description: "Defaults and restrictions only Fleet's GitRepo reconciler reads.",
		Attributes: map[string]schema.Attribute{
			"default_service_account":     defaultName("Service account that GitRepos of the namespace which set none deploy with."),
			"default_client_secret_name":  defaultName("Git credentials Secret that GitRepos of the namespace which set none use."),
			"allowed_client_secret_names": restrictionList("Git credentials Secrets GitRepos of the namespace may set; unset allows any.", validate.ResourceName()),
			"allowed_repo_patterns":       restrictionList(anchoredPatterns("repository URLs GitRepos of the namespace may use"), validate.Regexp()),
		},
	}
	attrs["helmop"] = schema.SingleNestedAttribute{
		Optional:    true,
		Description: "Defaults and restrictions only Fleet's HelmOp reconciler reads.",
		Attributes: map[string]schema.Attribute{
			"default_service_account":   defaultName("Service account that HelmOps of the namespace which set none deploy with."),
			"default_helm_secret_name":  defaultName("Helm repository credentials Secret that HelmOps of the namespace which set none use."),
			"allowed_helm_secret_names": restrictionList("Helm repository credentials Secrets HelmOps of the namespace may set; unset allows any.", validate.ResourceName()),
			"allowed_helm_repo_patterns": restrictionList(anchoredPatterns("chart repository URLs (`helm.repo`) HelmOps of the namespace may use"),
				validate.Regexp()),
			"allowed_chart_patterns": restrictionList(anchoredPatterns("charts (`helm.chart`) HelmOps of the namespace may install"), validate.Regexp()),
		},
	}
	return schema.Schema{
		Description: "A Fleet Policy: limits, and gives defaults for, what the GitRepos, HelmOps and Bundles of its namespace " +
			"(Fleet workspace) may use; the only way to restrict HelmOps. Fleet merges every Policy of the namespace (a default " +
			"comes from the first Policy by name that sets it, lists are joined); a HelmOp or GitRepo that breaks one is not " +
			"deployed and its Accepted condition names the violation. Where a `fleet_gitrepo_restriction` also gives a GitRepo " +
			"default, it wins. " + compat.Lookup("fleet_policy", "").Requirement(),
		Attributes: attrs,
	}
}
