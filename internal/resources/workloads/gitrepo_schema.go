package workloads

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fleetform/terraform-provider-fleet/internal/compat"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

func gitRepoSchema(ctx context.Context) schema.Schema {
	attrs := framework.ObjectMetaAttributes("GitRepo")
	for name, a := range gitRepoSpecAttributes() {
		attrs[name] = a
	}
	attrs["git_credentials"] = gitCredentialsAttribute()
	attrs["helm_credentials"] = helmCredentialsAttribute("GitRepo", "helm_secret_name", gitRepoHelmCredentialsSuffix)
	attrs["wait_for_ready"] = waitForReadyAttribute("GitRepo")
	return schema.Schema{
		Description: "A Fleet GitRepo: a git repository whose manifests, Helm charts and Kustomize folders Fleet " +
			"deploys as bundles to the targeted clusters. Optionally manages the credentials Secrets and waits " +
			"until the deployment is ready (`wait_for_ready` also reads the GitRepo's Bundles and git Jobs, so " +
			"needs list permission on `bundles.fleet.cattle.io` and `jobs.batch` in the namespace).",
		Attributes: attrs,
	}
}

// gitRepoSpecAttributes are the spec and status attributes, which the data
// source shares.
func gitRepoSpecAttributes() map[string]schema.Attribute {
	attrs := map[string]schema.Attribute{
		"repo": schema.StringAttribute{
			Required: true,
			Description: "URL of the git repository: `https://`, `http://`, `ssh://`, `git://` or `user@host:path`. Not " +
				"sensitive: give a password or token with `git_credentials`, not in the URL.",
			Validators: []validator.String{validate.GitURL(), validate.URLPassword("set git_credentials (or client_secret_name) instead")},
		},
		"branch": framework.OptionalString("Branch to follow; Fleet deploys its latest commit. Unset (and no `revision`), Fleet follows `master`.",
			stringvalidator.ConflictsWith(path.MatchRoot("revision"))),
		"revision": framework.OptionalString("Commit or tag to deploy, instead of following a branch."),
		"paths": schema.ListAttribute{
			Optional:    true,
			ElementType: types.StringType,
			Description: "Folders of the repository to deploy, relative to its root; globs such as `charts/*` are allowed. Unset, the whole repository is scanned.",
			Validators:  []validator.List{listvalidator.SizeAtLeast(1), listvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1))},
		},
		"bundles": schema.ListNestedAttribute{
			Optional: true,
			Description: "Bundle folders to deploy, each with an optional fleet.yaml of its own; when set, Fleet " +
				"reads these folders instead of scanning `paths`. " + compat.Lookup("fleet_gitrepo", "bundles").Requirement(),
			Validators: []validator.List{listvalidator.SizeAtLeast(1)},
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"base":    schema.StringAttribute{Required: true, Description: "Folder of the bundle, relative to the repository root.", Validators: framework.NonEmptyString()},
				"options": framework.OptionalString("fleet.yaml-like options file, relative to `base`."),
			}},
		},
		"targets":          targetsAttribute("the GitRepo's bundles"),
		"target_namespace": framework.OptionalString("Deploy every resource into this namespace, created on demand; cluster-scoped resources are then rejected.", validate.NamespaceName()),
		"service_account":  framework.OptionalString("Service account in the downstream clusters that Fleet deploys with.", validate.ResourceName()),
		"client_secret_name": secretNameAttribute(
			"Name of a Secret in the GitRepo's namespace with the git credentials (type `kubernetes.io/basic-auth` or `kubernetes.io/ssh-auth`).",
			"git_credentials", gitCredentialsSuffix),
		"helm_secret_name": secretNameAttribute(
			"Name of a Secret with credentials (`username`, `password`) for private Helm repositories the bundles use.",
			"helm_credentials", gitRepoHelmCredentialsSuffix),
		"helm_secret_name_for_paths": framework.OptionalString("Name of a Secret holding Helm credentials per path (key `secrets.yaml`).", validate.ResourceName()),
		"helm_repo_url_regex": framework.OptionalString("Send the Helm credentials only to chart repositories whose URL matches this "+
			"regular expression (Go RE2 syntax; Fleet anchors it at the start of the URL).", validate.Regexp()),
		"ca_bundle": framework.OptionalString("PEM certificates to verify the git server's TLS certificate with.",
			validate.PEMCertificates()),
		"insecure_skip_tls_verify": framework.FalseByDefault("Do not verify the git server's TLS certificate."),
		"paused":                   framework.FalseByDefault("Stop deploying changes: new commits mark the bundles OutOfSync instead."),
		"polling_interval":         intervalAttribute("How often Fleet polls the repository for new commits (Fleet's default: 15s)."),
		"disable_polling":          framework.FalseByDefault("Do not poll the repository; only webhooks trigger deployments."),
		"force_sync_generation": schema.Int64Attribute{
			Optional: true, Computed: true, Default: int64default.StaticInt64(0),
			Description: "Increase to make Fleet redeploy the current commit. Defaults to `0`.",
			Validators:  []validator.Int64{int64validator.AtLeast(0)},
		},
		"keep_resources":   framework.FalseByDefault("Keep the deployed resources in the clusters when the GitRepo is deleted."),
		"delete_namespace": framework.FalseByDefault("Delete the namespace created for `target_namespace` when the GitRepo is deleted."),
		"correct_drift":    correctDriftAttribute(),
		"oci_registry_secret": framework.OptionalString("Name of a Secret with an OCI registry to store the bundle contents in, instead of etcd. "+
			compat.Lookup("fleet_gitrepo", "oci_registry_secret").Requirement(), validate.ResourceName()),
		"webhook_secret": framework.OptionalString("Name of a Secret with the token that checks the repository's webhook calls. "+
			compat.Lookup("fleet_gitrepo", "webhook_secret").Requirement(), validate.ResourceName()),
		"image_scan_interval": intervalAttribute("How often image scans write new image versions back to the repository."),
		"image_scan_commit": schema.SingleNestedAttribute{
			Optional:    true,
			Description: "Author and message of the commits that image scans write to the repository.",
			Attributes: map[string]schema.Attribute{
				"author_name":      framework.OptionalString("Commit author name."),
				"author_email":     framework.OptionalString("Commit author e-mail."),
				"message_template": framework.OptionalString("Go template of the commit message."),
			},
		},
		"commit": schema.StringAttribute{Computed: true, Description: "The commit Fleet deploys (or is about to)."},
	}
	deployStatusAttributes(attrs, "GitRepo")
	return attrs
}
