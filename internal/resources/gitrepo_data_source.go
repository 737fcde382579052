package resources

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

// gitRepoDataModel is fleet_gitrepo's resource model without what only the
// resource has (credentials, wait_for_ready, timeouts).
type gitRepoDataModel struct {
	objectMetaModel
	gitRepoSpecModel
}

type gitRepoDataSource struct{ dataSourceBase }

// NewGitRepoDataSource is data source fleet_gitrepo.
func NewGitRepoDataSource() datasource.DataSource { return &gitRepoDataSource{} }

func (d *gitRepoDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_gitrepo"
}

func (d *gitRepoDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	spec := gitRepoSpecAttributes()
	attrs := dataSourceAttributes(spec, asOutput)
	keepCustomTypes(spec, attrs)
	attrs["id"] = dschema.StringAttribute{Computed: true, Description: "`namespace/name` of the GitRepo."}
	attrs["name"] = dschema.StringAttribute{
		Required:    true,
		Description: "Name of the GitRepo to read.",
		Validators:  []validator.String{validate.ResourceName()},
	}
	ns := dataSourceNamespaceAttribute("of the GitRepo")
	ns.Computed = true
	attrs["namespace"] = ns
	attrs["labels"] = dschema.MapAttribute{Computed: true, ElementType: types.StringType, Description: "All labels of the GitRepo."}
	attrs["annotations"] = dschema.MapAttribute{Computed: true, ElementType: types.StringType, Description: "All annotations of the GitRepo."}
	resp.Schema = dschema.Schema{
		Description: "Reads a Fleet GitRepo: its repository, targets and options, and the deployment status Fleet reports.",
		Attributes:  attrs,
	}
}

func (d *gitRepoDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config gitRepoDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	namespace, diags := d.namespace(config.Namespace)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := config.Name.ValueString()
	g, err := gitRepoAPI.get(ctx, d.data.Client, namespace, name)
	if errors.Is(err, errNotFound) {
		resp.Diagnostics.AddError("GitRepo not found", fmt.Sprintf("There is no GitRepo %s/%s.", namespace, name))
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the GitRepo", err.Error())
		return
	}
	var m gitRepoModel
	m.flatten(g, true)
	// A data source shows every label and annotation, system ones included.
	m.Labels, m.Annotations = stringMapValue(g.Labels), stringMapValue(g.Annotations)
	resp.Diagnostics.Append(resp.State.Set(ctx, &gitRepoDataModel{objectMetaModel: m.objectMetaModel, gitRepoSpecModel: m.gitRepoSpecModel})...)
}

// keepCustomTypes gives converted string attributes the custom type of the
// resource attribute they came from (dataSourceAttribute drops it), so the
// data source reads into the same model types.
func keepCustomTypes(from map[string]rschema.Attribute, to map[string]dschema.Attribute) {
	for name, a := range from {
		switch a := a.(type) {
		case rschema.StringAttribute:
			if s, ok := to[name].(dschema.StringAttribute); ok && a.CustomType != nil {
				s.CustomType = a.CustomType
				to[name] = s
			}
		case rschema.SingleNestedAttribute:
			if n, ok := to[name].(dschema.SingleNestedAttribute); ok {
				keepCustomTypes(a.Attributes, n.Attributes)
			}
		case rschema.ListNestedAttribute:
			if n, ok := to[name].(dschema.ListNestedAttribute); ok {
				keepCustomTypes(a.NestedObject.Attributes, n.NestedObject.Attributes)
			}
		}
	}
}
