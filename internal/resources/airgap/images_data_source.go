package airgap

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

// imagesModel is data source fleet_images.
type imagesModel struct {
	FleetVersion types.String       `tfsdk:"fleet_version"`
	ImagePrefix  types.String       `tfsdk:"image_prefix"`
	ExtraImages  []types.String     `tfsdk:"extra_images"`
	Images       []mirrorImageModel `tfsdk:"images"`
	Sources      types.String       `tfsdk:"sources"`
	Mapping      types.String       `tfsdk:"mapping"`
}

type mirrorImageModel struct {
	Component types.String `tfsdk:"component"`
	Source    types.String `tfsdk:"source"`
	Target    types.String `tfsdk:"target"`
}

type imagesDataSource struct{}

var _ datasource.DataSource = (*imagesDataSource)(nil)

// NewImagesDataSource is data source fleet_images.
func NewImagesDataSource() datasource.DataSource { return &imagesDataSource{} }

func (d *imagesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_images"
}

// releaseVersionRE is a Fleet release tag: v<major>.<minor>.<patch>[-pre].
var releaseVersionRE = regexp.MustCompile(`^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$`)

func (d *imagesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "The container images an air-gapped site must copy into its private registry to run a given " +
			"Fleet release (the controller image, which also runs gitjob and helmops, and the agent image), plus " +
			"the images of the charts it deploys. Each image comes with its `source` and its `target` under a " +
			"registry's `image_prefix` (e.g. `fleet_registry.image_prefix`), which is where Fleet looks for it when " +
			"`fleet_cluster.private_repo_url` or Fleet's `systemDefaultRegistry` is that prefix, and where a " +
			"containerd mirror (see `fleet_registries_yaml`) asks for it. Computed offline, from a table of " +
			"Fleet releases built into the provider.",
		Attributes: map[string]schema.Attribute{
			"fleet_version": schema.StringAttribute{
				Required: true,
				Description: "Fleet release, as its tag (e.g. `v0.16.0`). A release missing from the provider's table " +
					"gets a warning and the layout of the newest release in it (controller and agent images, tagged " +
					"with the version).",
				Validators: []validator.String{stringvalidator.RegexMatches(releaseVersionRE,
					"must be a Fleet release tag v<major>.<minor>.<patch>, e.g. v0.16.0")},
			},
			"image_prefix": schema.StringAttribute{
				Required:    true,
				Description: "Registry `host[:port][/path]` the images are copied to, e.g. `fleet_registry.image_prefix`.",
				Validators:  []validator.String{validate.RegistryServer()},
			},
			"extra_images": schema.ListAttribute{
				Optional:    true,
				ElementType: types.StringType,
				Description: "More images to mirror, e.g. those of the charts the fleet deploys (`nginx:1.27`, `ghcr.io/org/app:1.0`).",
				Validators:  []validator.List{listvalidator.ValueStringsAre(validate.ImageReference())},
			},
			"images": schema.ListNestedAttribute{
				Computed:    true,
				Description: "The images, Fleet's first, each with `component`, `source` and `target`.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"component": schema.StringAttribute{Computed: true, Description: "What pulls it: `controller`, `agent`, `agent-chart-hook` or `extra`."},
					"source":    schema.StringAttribute{Computed: true, Description: "The image as published, e.g. `rancher/fleet-agent:v0.16.0`."},
					"target": schema.StringAttribute{Computed: true, Description: "The image in the private registry: `<image_prefix>/<path>`, where " +
						"path drops the source's registry host and puts Docker Hub's official images under `library/`."},
				}},
			},
			"sources": schema.StringAttribute{
				Computed: true,
				Description: "The sources, one per line: the image-list format of Rancher's `rancher-images.txt`, read by " +
					"`rancher-save-images.sh`, `hauler store add image` loops and `xargs -n1 docker pull`.",
			},
			"mapping": schema.StringAttribute{
				Computed: true,
				Description: "`<source> <target>` pairs, one per line, for a copy loop: " +
					"`while read src dst; do skopeo copy --all docker://$src docker://$dst; done` (or `crane copy $src $dst`).",
			},
		},
	}
}

func (d *imagesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m imagesModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	version := m.FleetVersion.ValueString()
	release, known := fleetImageTable[version]
	if !known {
		release = fleetImagesAssumed
	}
	var wanted []wantedImage
	var releaseSources []string
	for _, img := range release {
		wanted = append(wanted, wantedImage{img.component, img.source(version), path.Root("fleet_version")})
		releaseSources = append(releaseSources, img.source(version))
	}
	if !known {
		resp.Diagnostics.AddAttributeWarning(path.Root("fleet_version"), "Fleet release not in the image table",
			fmt.Sprintf("The provider has not checked the images of Fleet %s (it knows %s). Assuming %s; add any "+
				"other image its charts use to extra_images.", version, strings.Join(knownFleetReleases(), ", "),
				strings.Join(releaseSources, " and ")))
	}
	for i, e := range m.ExtraImages {
		wanted = append(wanted, wantedImage{"extra", e.ValueString(), path.Root("extra_images").AtListIndex(i)})
	}
	images, diags := mirrorImages(m.ImagePrefix.ValueString(), wanted)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	var sources, mapping strings.Builder
	for _, img := range images {
		fmt.Fprintf(&sources, "%s\n", img.Source.ValueString())
		fmt.Fprintf(&mapping, "%s %s\n", img.Source.ValueString(), img.Target.ValueString())
	}
	m.Images, m.Sources, m.Mapping = images, types.StringValue(sources.String()), types.StringValue(mapping.String())
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// wantedImage is an image to mirror and the attribute that asked for it.
type wantedImage struct {
	component, source string
	at                path.Path
}

// mirrorImages pairs every source with its target under prefix, each source
// once, in order. Two sources that would land on the same target are an error.
func mirrorImages(prefix string, wanted []wantedImage) ([]mirrorImageModel, diag.Diagnostics) {
	var diags diag.Diagnostics
	var out []mirrorImageModel
	sourceOf := map[string]string{} // target → source
	for _, w := range wanted {
		target := prefix + "/" + mirrorPath(w.source)
		other, taken := sourceOf[target]
		switch {
		case taken && other == w.source:
			continue
		case taken:
			diags.AddAttributeError(w.at, "Two images share a mirror target", validate.Detail(w.at, fmt.Sprintf("%s and %s would both be mirrored as %s: a mirror keeps images by path, without their "+
				"registry host. Mirror one of them into another registry or path.", other, w.source, target)))
			continue
		}
		if err := validate.CheckImageReference(target); err != nil {
			diags.AddAttributeError(w.at, "Invalid mirror target", validate.Detail(w.at, fmt.Sprintf("%s would be mirrored as %s: %v", w.source, target, err)))
			continue
		}
		sourceOf[target] = w.source
		out = append(out, mirrorImageModel{Component: types.StringValue(w.component), Source: types.StringValue(w.source), Target: types.StringValue(target)})
	}
	return out, diags
}

// mirrorPath is where a mirror registry keeps an image: the reference
// without its registry host, with Docker Hub's official images under
// library/. It is also the path containerd asks a mirror endpoint for, and
// what Fleet appends to private_repo_url for images without a registry.
func mirrorPath(ref string) string {
	first, rest, hasSlash := strings.Cut(ref, "/")
	dockerHub := true
	if hasSlash && (strings.ContainsAny(first, ".:") || first == "localhost" || strings.ToLower(first) != first) {
		dockerHub = slices.Contains([]string{"docker.io", "index.docker.io", "registry-1.docker.io"}, first)
		ref = rest
	}
	if name, _, _ := strings.Cut(ref, "@"); dockerHub && !strings.Contains(name, "/") {
		return "library/" + ref
	}
	return ref
}

// source is the image's reference in a release of the given version.
func (img fleetImage) source(version string) string {
	return img.repository + ":" + cmp.Or(img.tag, version)
}

func knownFleetReleases() []string {
	var out []string
	for v := range fleetImageTable {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}
