package workloads

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"

	"github.com/fleetform/terraform-provider-fleet/internal/framework"
)

// gitRepoDataModel is fleet_gitrepo's resource model without what only the
// Resource has (credentials, wait_for_ready, timeouts).
type gitRepoDataModel struct {
	framework.ObjectMetaModel
	gitRepoSpecModel
}

type gitRepoDataSource struct{ framework.DataSourceBase }

var _ datasource.DataSourceWithConfigure = (*gitRepoDataSource)(nil)

// NewGitRepoDataSource is data source fleet_gitrepo.
func NewGitRepoDataSource() datasource.DataSource { return &gitRepoDataSource{} }

func (d *gitRepoDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_gitrepo"
}

func (d *gitRepoDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	spec := gitRepoSpecAttributes()
	attrs := framework.DataSourceAttributes(spec, framework.AsOutput)
	framework.AddNamedObjectAttributes(attrs, "GitRepo")
	resp.Schema = dschema.Schema{
		Description: "Reads a Fleet GitRepo: its repository, targets and options, and the deployment status Fleet reports.",
		Attributes:  attrs,
	}
}

func (d *gitRepoDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config gitRepoDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	g := framework.ReadNamedObject(ctx, &d.DataSourceBase, gitRepoAPI, config.ObjectMetaModel, &resp.Diagnostics)
	if g == nil {
		return
	}
	var m gitRepoModel
	m.Flatten(g, true)
	m.ShowAllKeys(g.ObjectMeta)
	resp.Diagnostics.Append(resp.State.Set(ctx, &gitRepoDataModel{ObjectMetaModel: m.ObjectMetaModel, gitRepoSpecModel: m.gitRepoSpecModel})...)
}
