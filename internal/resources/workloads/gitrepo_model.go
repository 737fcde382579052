package workloads

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fleetform/terraform-provider-fleet/internal/customtypes/duration"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/framework/flex"
)

// gitRepoSpecModel is the spec and status of a GitRepo: what the resource
// and the data source fleet_gitrepo share.
type gitRepoSpecModel struct {
	Repo                   types.String          `tfsdk:"repo"`
	Branch                 types.String          `tfsdk:"branch"`
	Revision               types.String          `tfsdk:"revision"`
	Paths                  types.List            `tfsdk:"paths"`
	Bundles                []bundlePathModel     `tfsdk:"bundles"`
	Targets                []targetModel         `tfsdk:"targets"`
	TargetNamespace        types.String          `tfsdk:"target_namespace"`
	ServiceAccount         types.String          `tfsdk:"service_account"`
	ClientSecretName       types.String          `tfsdk:"client_secret_name"`
	HelmSecretName         types.String          `tfsdk:"helm_secret_name"`
	HelmSecretNameForPaths types.String          `tfsdk:"helm_secret_name_for_paths"`
	HelmRepoURLRegex       types.String          `tfsdk:"helm_repo_url_regex"`
	CABundle               types.String          `tfsdk:"ca_bundle"`
	InsecureSkipTLSVerify  types.Bool            `tfsdk:"insecure_skip_tls_verify"`
	Paused                 types.Bool            `tfsdk:"paused"`
	PollingInterval        duration.Value        `tfsdk:"polling_interval"`
	DisablePolling         types.Bool            `tfsdk:"disable_polling"`
	ForceSyncGeneration    types.Int64           `tfsdk:"force_sync_generation"`
	KeepResources          types.Bool            `tfsdk:"keep_resources"`
	DeleteNamespace        types.Bool            `tfsdk:"delete_namespace"`
	CorrectDrift           *correctDriftModel    `tfsdk:"correct_drift"`
	OCIRegistrySecret      types.String          `tfsdk:"oci_registry_secret"`
	WebhookSecret          types.String          `tfsdk:"webhook_secret"`
	ImageScanInterval      duration.Value        `tfsdk:"image_scan_interval"`
	ImageScanCommit        *imageScanCommitModel `tfsdk:"image_scan_commit"`
	Commit                 types.String          `tfsdk:"commit"`
	deployStatusModel
}

type bundlePathModel struct {
	Base    types.String `tfsdk:"base"`
	Options types.String `tfsdk:"options"`
}

type imageScanCommitModel struct {
	AuthorName      types.String `tfsdk:"author_name"`
	AuthorEmail     types.String `tfsdk:"author_email"`
	MessageTemplate types.String `tfsdk:"message_template"`
}

// gitRepoModel is the state of fleet_gitrepo.
type gitRepoModel struct {
	framework.ObjectMetaModel
	gitRepoSpecModel
	GitCredentials  *gitCredentialsModel  `tfsdk:"git_credentials"`
	HelmCredentials *helmCredentialsModel `tfsdk:"helm_credentials"`
	WaitForReady    types.Bool            `tfsdk:"wait_for_ready"`
	Timeouts        timeouts.Value        `tfsdk:"timeouts"`

	// staleSecrets are the provider's credential Secrets that the GitRepo
	// stops using with this apply: deleted once it is applied.
	staleSecrets []string
}

func (m *gitRepoModel) Meta() *framework.ObjectMetaModel { return &m.ObjectMetaModel }

func (m *gitRepoModel) TimeoutsValue() timeouts.Value { return m.Timeouts }

func (m *gitRepoModel) Expand(ctx context.Context) (*fleet.GitRepo, diag.Diagnostics) {
	meta, diags := m.ObjectMeta(ctx)
	spec, d := m.gitRepoSpecModel.Expand(ctx)
	diags.Append(d...)
	return &fleet.GitRepo{Object: fleet.Object{TypeMeta: fleet.TypeMeta(fleet.KindGitRepo), ObjectMeta: meta}, Spec: spec}, diags
}

func (m *gitRepoModel) Flatten(g *fleet.GitRepo, imported bool) {
	m.SetFromServer(g.ObjectMeta, imported)
	m.gitRepoSpecModel.Flatten(g)
	// Not a Fleet field: after an import it takes its default.
	if m.WaitForReady.IsNull() {
		m.WaitForReady = types.BoolValue(false)
	}
}

func (m *gitRepoSpecModel) Expand(ctx context.Context) (fleet.GitRepoSpec, diag.Diagnostics) {
	var diags diag.Diagnostics
	spec := fleet.GitRepoSpec{
		Repo:                   m.Repo.ValueString(),
		Branch:                 m.Branch.ValueString(),
		Revision:               m.Revision.ValueString(),
		TargetNamespace:        m.TargetNamespace.ValueString(),
		ServiceAccount:         m.ServiceAccount.ValueString(),
		ClientSecretName:       m.ClientSecretName.ValueString(),
		HelmSecretName:         m.HelmSecretName.ValueString(),
		HelmSecretNameForPaths: m.HelmSecretNameForPaths.ValueString(),
		HelmRepoURLRegex:       m.HelmRepoURLRegex.ValueString(),
		InsecureSkipTLSVerify:  flex.BoolPtr(m.InsecureSkipTLSVerify),
		Paused:                 flex.BoolPtr(m.Paused),
		DisablePolling:         flex.BoolPtr(m.DisablePolling),
		ForceSyncGeneration:    m.ForceSyncGeneration.ValueInt64(),
		KeepResources:          flex.BoolPtr(m.KeepResources),
		DeleteNamespace:        flex.BoolPtr(m.DeleteNamespace),
		CorrectDrift:           m.CorrectDrift.Expand(),
		OCIRegistrySecret:      m.OCIRegistrySecret.ValueString(),
		WebhookSecret:          m.WebhookSecret.ValueString(),
	}
	if ca := m.CABundle.ValueString(); ca != "" {
		spec.CABundle = []byte(ca)
	}
	diags.Append(m.Paths.ElementsAs(ctx, &spec.Paths, false)...)
	for _, b := range m.Bundles {
		spec.Bundles = append(spec.Bundles, fleet.BundlePath{Base: b.Base.ValueString(), Options: b.Options.ValueString()})
	}
	targets, d := expandTargets(ctx, m.Targets)
	diags.Append(d...)
	spec.Targets = targets
	var d2 diag.Diagnostics
	spec.PollingInterval, d2 = flex.ExpandInterval(m.PollingInterval, path.Root("polling_interval"))
	diags.Append(d2...)
	spec.ImageScanInterval, d2 = flex.ExpandInterval(m.ImageScanInterval, path.Root("image_scan_interval"))
	diags.Append(d2...)
	if c := m.ImageScanCommit; c != nil {
		spec.ImageScanCommit = &fleet.CommitSpec{
			AuthorName: c.AuthorName.ValueString(), AuthorEmail: c.AuthorEmail.ValueString(), MessageTemplate: c.MessageTemplate.ValueString(),
		}
	}
	return spec, diags
}

func (m *gitRepoSpecModel) Flatten(g *fleet.GitRepo) {
	s := g.Spec
	m.Repo = types.StringValue(s.Repo)
	m.Branch = flex.StringOrNull(s.Branch)
	m.Revision = flex.StringOrNull(s.Revision)
	m.Paths = flex.StringListOrNull(s.Paths)
	m.Bundles = nil
	for _, b := range s.Bundles {
		m.Bundles = append(m.Bundles, bundlePathModel{Base: flex.StringOrNull(b.Base), Options: flex.StringOrNull(b.Options)})
	}
	m.Targets = flattenTargets(s.Targets)
	m.TargetNamespace = flex.StringOrNull(s.TargetNamespace)
	m.ServiceAccount = flex.StringOrNull(s.ServiceAccount)
	m.ClientSecretName = flex.StringOrNull(s.ClientSecretName)
	m.HelmSecretName = flex.StringOrNull(s.HelmSecretName)
	m.HelmSecretNameForPaths = flex.StringOrNull(s.HelmSecretNameForPaths)
	m.HelmRepoURLRegex = flex.StringOrNull(s.HelmRepoURLRegex)
	m.CABundle = flex.StringOrNull(string(s.CABundle))
	m.InsecureSkipTLSVerify = flex.BoolValue(s.InsecureSkipTLSVerify)
	m.Paused = flex.BoolValue(s.Paused)
	m.PollingInterval = flex.FlattenInterval(s.PollingInterval)
	m.DisablePolling = flex.BoolValue(s.DisablePolling)
	m.ForceSyncGeneration = types.Int64Value(s.ForceSyncGeneration)
	m.KeepResources = flex.BoolValue(s.KeepResources)
	m.DeleteNamespace = flex.BoolValue(s.DeleteNamespace)
	m.CorrectDrift = flattenCorrectDrift(s.CorrectDrift)
	m.OCIRegistrySecret = flex.StringOrNull(s.OCIRegistrySecret)
	m.WebhookSecret = flex.StringOrNull(s.WebhookSecret)
	m.ImageScanInterval = flex.FlattenInterval(s.ImageScanInterval)
	m.ImageScanCommit = nil
	if c := s.ImageScanCommit; c != nil {
		m.ImageScanCommit = &imageScanCommitModel{
			AuthorName: flex.StringOrNull(c.AuthorName), AuthorEmail: flex.StringOrNull(c.AuthorEmail), MessageTemplate: flex.StringOrNull(c.MessageTemplate),
		}
	}
	status := g.Status
	if status == nil {
		status = &fleet.GitRepoStatus{}
	}
	m.Commit = types.StringValue(status.Commit)
	m.deployStatusModel = flattenDeployStatus(status.StatusBase)
}
