package tenancy

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
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

var gitRepoRestrictionAPI = framework.ObjectAPI[fleet.GitRepoRestriction]{GVR: fleet.GitRepoRestrictions, Kind: fleet.KindGitRepoRestriction}

// gitRepoRestrictionModel is the state of fleet_gitrepo_restriction.
type gitRepoRestrictionModel struct {
	framework.ObjectMetaModel
	DefaultServiceAccount          types.String                  `tfsdk:"default_service_account"`
	AllowedServiceAccounts         types.List                    `tfsdk:"allowed_service_accounts"`
	AllowedRepoPatterns            types.List                    `tfsdk:"allowed_repo_patterns"`
	DefaultClientSecretName        types.String                  `tfsdk:"default_client_secret_name"`
	AllowedClientSecretNames       types.List                    `tfsdk:"allowed_client_secret_names"`
	AllowedTargetNamespaces        types.List                    `tfsdk:"allowed_target_namespaces"`
	AllowedTargetNamespaceSelector *framework.LabelSelectorModel `tfsdk:"allowed_target_namespace_selector"`
	Timeouts                       timeouts.Value                `tfsdk:"timeouts"`
}

func (m *gitRepoRestrictionModel) Meta() *framework.ObjectMetaModel { return &m.ObjectMetaModel }

func (m *gitRepoRestrictionModel) TimeoutsValue() timeouts.Value { return m.Timeouts }

func (m *gitRepoRestrictionModel) Expand(ctx context.Context) (*fleet.GitRepoRestriction, diag.Diagnostics) {
	meta, diags := m.ObjectMeta(ctx)
	out := &fleet.GitRepoRestriction{
		Object:                  fleet.Object{TypeMeta: fleet.TypeMeta(fleet.KindGitRepoRestriction), ObjectMeta: meta},
		DefaultServiceAccount:   m.DefaultServiceAccount.ValueString(),
		DefaultClientSecretName: m.DefaultClientSecretName.ValueString(),
	}
	diags.Append(m.AllowedServiceAccounts.ElementsAs(ctx, &out.AllowedServiceAccounts, false)...)
	diags.Append(m.AllowedRepoPatterns.ElementsAs(ctx, &out.AllowedRepoPatterns, false)...)
	diags.Append(m.AllowedClientSecretNames.ElementsAs(ctx, &out.AllowedClientSecretNames, false)...)
	diags.Append(m.AllowedTargetNamespaces.ElementsAs(ctx, &out.AllowedTargetNamespaces, false)...)
	selector, d := framework.ExpandLabelSelector(ctx, m.AllowedTargetNamespaceSelector)
	diags.Append(d...)
	out.AllowedTargetNamespaceSelector = selector
	return out, diags
}

func (m *gitRepoRestrictionModel) Flatten(r *fleet.GitRepoRestriction, imported bool) {
	m.SetFromServer(r.ObjectMeta, imported)
	m.DefaultServiceAccount = flex.StringOrNull(r.DefaultServiceAccount)
	m.AllowedServiceAccounts = flex.StringListOrNull(r.AllowedServiceAccounts)
	m.AllowedRepoPatterns = flex.StringListOrNull(r.AllowedRepoPatterns)
	m.DefaultClientSecretName = flex.StringOrNull(r.DefaultClientSecretName)
	m.AllowedClientSecretNames = flex.StringListOrNull(r.AllowedClientSecretNames)
	m.AllowedTargetNamespaces = flex.StringListOrNull(r.AllowedTargetNamespaces)
	m.AllowedTargetNamespaceSelector = framework.FlattenLabelSelector(r.AllowedTargetNamespaceSelector)
}

// gitRepoRestrictionResource is fleet_gitrepo_restriction on the generic object resource.
type gitRepoRestrictionResource = framework.ObjectResource[fleet.GitRepoRestriction, gitRepoRestrictionModel, *gitRepoRestrictionModel]

var (
	_ resource.ResourceWithImportState = (*gitRepoRestrictionResource)(nil)
	_ resource.ResourceWithIdentity    = (*gitRepoRestrictionResource)(nil)
)

// NewGitRepoRestrictionResource is fleet_gitrepo_restriction.
func NewGitRepoRestrictionResource() resource.Resource {
	return framework.NewObjectResource(framework.ObjectResourceSpec[fleet.GitRepoRestriction, gitRepoRestrictionModel]{
		TypeName: "fleet_gitrepo_restriction",
		API:      gitRepoRestrictionAPI,
		Schema:   gitRepoRestrictionSchema,
		Gates:    compat.GatesFor("fleet_gitrepo_restriction"),
	})
}

// nameList is an optional list of at least one string, each checked by v.
// At least one: Fleet drops an empty list, which would read back as unset.
func restrictionList(description string, v validator.String) schema.ListAttribute {
	return schema.ListAttribute{
		Optional:    true,
		ElementType: types.StringType,
		Description: description,
		Validators:  []validator.List{listvalidator.SizeAtLeast(1), listvalidator.ValueStringsAre(v)},
	}
}

func gitRepoRestrictionSchema(ctx context.Context) schema.Schema {
	attrs := framework.ObjectMetaAttributes("GitRepo restriction")
	attrs["default_service_account"] = schema.StringAttribute{
		Optional:    true,
		Description: "Service account that GitRepos of the namespace which set none deploy with.",
		Validators:  []validator.String{validate.ResourceName()},
	}
	attrs["allowed_service_accounts"] = restrictionList("Service accounts GitRepos of the namespace may set; unset allows any.", validate.ResourceName())
	attrs["allowed_repo_patterns"] = restrictionList("Regular expressions (Go RE2 syntax) of the repository URLs GitRepos of the namespace may use; "+
		"unset allows any. Fleet matches them unanchored (a match anywhere in the URL suffices), so anchor them with `^` and `$`; "+
		"a pattern equal to the URL also matches.", validate.Regexp())
	attrs["default_client_secret_name"] = schema.StringAttribute{
		Optional:    true,
		Description: "Git credentials Secret that GitRepos of the namespace which set none use.",
		Validators:  []validator.String{validate.ResourceName()},
	}
	attrs["allowed_client_secret_names"] = restrictionList("Git credentials Secrets GitRepos of the namespace may set; unset allows any.", validate.ResourceName())
	attrs["allowed_target_namespaces"] = restrictionList("Downstream namespaces GitRepos of the namespace may deploy into. When set, every GitRepo "+
		"must set its target namespace, and it must be listed here or match `allowed_target_namespace_selector`.", validate.NamespaceName())
	attrs["allowed_target_namespace_selector"] = framework.LabelSelectorAttribute("Selects, by their labels on the downstream cluster, the namespaces " +
		"GitRepos of the namespace may deploy into; checked by the Fleet agent at deploy time. When set, every GitRepo must set its " +
		"target namespace, and it must match here or be listed in `allowed_target_namespaces`. " +
		compat.Lookup("fleet_gitrepo_restriction", "allowed_target_namespace_selector").Requirement())
	return schema.Schema{
		Description: "A Fleet GitRepoRestriction: limits, and gives defaults for, what the GitRepos of its namespace (Fleet " +
			"workspace) may use. Fleet merges every restriction of the namespace; a GitRepo that breaks one is not deployed and " +
			"its Accepted condition names the violation.",
		Attributes: attrs,
	}
}
