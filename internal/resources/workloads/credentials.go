package workloads

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/kube"
	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

// Credentials given as write-only attributes, which the provider stores in a
// Secret of its own that the GitRepo or HelmOp refers to. Write-only values
// are only in the configuration (never in plan or state), so the Secret is
// written when the credentials are added and when one of their stored
// attributes changes: credentials_wo_version is the user's way to say
// "the secret values changed".

// Suffixes of the Secrets' names: distinct per kind and use, as a GitRepo
// and a HelmOp may share a name.
const (
	gitCredentialsSuffix         = "-git-credentials"
	gitRepoHelmCredentialsSuffix = "-gitrepo-helm-credentials"
	helmOpCredentialsSuffix      = "-helmop-credentials"
)

// gitCredentialsModel is `git_credentials` of fleet_gitrepo.
type gitCredentialsModel struct {
	Username             types.String `tfsdk:"username"`
	PasswordWO           types.String `tfsdk:"password_wo"`
	SSHPrivateKeyWO      types.String `tfsdk:"ssh_private_key_wo"`
	KnownHosts           types.String `tfsdk:"known_hosts"`
	CredentialsWOVersion types.Int64  `tfsdk:"credentials_wo_version"`
}

// helmCredentialsModel is `helm_credentials` of fleet_gitrepo and fleet_helmop.
type helmCredentialsModel struct {
	Username             types.String `tfsdk:"username"`
	PasswordWO           types.String `tfsdk:"password_wo"`
	CredentialsWOVersion types.Int64  `tfsdk:"credentials_wo_version"`
}

func credentialsVersionAttribute() schema.Int64Attribute {
	return schema.Int64Attribute{
		Optional: true,
		Description: "Version of the write-only values, required with them: change this number to write new ones to " +
			"the Secret, as they are not stored and Terraform cannot see them change.",
	}
}

// requiresCredentialsVersion makes a write-only value of a credentials
// block require the block's credentials_wo_version, so that a rotated
// secret cannot be configured without the number that makes it written.
// The other direction holds by construction: every credentials block has
// one write-only value set.
func requiresCredentialsVersion() validator.String {
	return stringvalidator.AlsoRequires(path.MatchRelative().AtParent().AtName("credentials_wo_version"))
}

func gitCredentialsAttribute() schema.SingleNestedAttribute {
	sibling := func(name string) path.Expression { return path.MatchRelative().AtParent().AtName(name) }
	return schema.SingleNestedAttribute{
		Optional: true,
		Description: "Credentials for the git repository. The provider stores them in a Secret named " +
			"`<name>" + gitCredentialsSuffix + "` in the GitRepo's namespace (type `kubernetes.io/basic-auth` " +
			"with a password, `kubernetes.io/ssh-auth` with an SSH key), sets `client_secret_name` to it, and " +
			"deletes it with the GitRepo. The secret values never enter the plan or state. After an import, " +
			"the first apply writes the Secret again.",
		Attributes: map[string]schema.Attribute{
			"username": schema.StringAttribute{
				Optional:    true,
				Description: "User name for HTTP(S) basic authentication; goes with `password_wo`.",
				Validators:  append(framework.NonEmptyString(), stringvalidator.AlsoRequires(sibling("password_wo"))),
			},
			"password_wo": schema.StringAttribute{
				Optional: true, WriteOnly: true, Sensitive: true,
				Description: "Password or access token for HTTP(S) basic authentication (write-only).",
				Validators: append(framework.NonEmptyString(),
					stringvalidator.ExactlyOneOf(sibling("ssh_private_key_wo")),
					stringvalidator.AlsoRequires(sibling("username")), requiresCredentialsVersion()),
			},
			"ssh_private_key_wo": schema.StringAttribute{
				Optional: true, WriteOnly: true, Sensitive: true,
				Description: "PEM-encoded SSH private key for `ssh://` and `git@host:path` URLs (write-only).",
				Validators:  []validator.String{validate.PEM(), requiresCredentialsVersion()},
			},
			"known_hosts": schema.StringAttribute{
				Optional: true,
				Description: "known_hosts lines for the git host, checked when connecting with `ssh_private_key_wo`; " +
					"unset, Fleet uses its own known_hosts.",
				Validators: append(framework.NonEmptyString(), stringvalidator.AlsoRequires(sibling("ssh_private_key_wo"))),
			},
			"credentials_wo_version": credentialsVersionAttribute(),
		},
	}
}

func helmCredentialsAttribute(kind, field, suffix string) schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		Optional: true,
		Description: "Basic-auth credentials for the Helm chart repository. The provider stores them in a Secret " +
			"named `<name>" + suffix + "` (type `kubernetes.io/basic-auth`) in the " + kind +
			"'s namespace, sets `" + field + "` to it, and deletes it with the " + kind + ". The password never " +
			"enters the plan or state.",
		Attributes: map[string]schema.Attribute{
			"username": schema.StringAttribute{Required: true, Description: "User name.", Validators: framework.NonEmptyString()},
			"password_wo": schema.StringAttribute{
				Required: true, WriteOnly: true, Sensitive: true,
				Description: "Password or token (write-only).",
				Validators:  append(framework.NonEmptyString(), requiresCredentialsVersion()),
			},
			"credentials_wo_version": credentialsVersionAttribute(),
		},
	}
}

// secretNameAttribute is a spec field naming a Secret, which the provider
// sets itself when the credentials attribute is used.
func secretNameAttribute(description, credentials, suffix string) schema.StringAttribute {
	return schema.StringAttribute{
		Optional:    true,
		Computed:    true,
		Description: description + " Conflicts with `" + credentials + "`, which sets it to `<name>" + suffix + "`.",
		Validators: append(framework.NonEmptyString(), validate.ResourceName(),
			stringvalidator.ConflictsWith(path.MatchRoot(credentials))),
		PlanModifiers: []planmodifier.String{ownedSecretName{credentials: credentials, suffix: suffix}},
	}
}

// ownedSecretName plans the name of the provider's Secret when the
// credentials attribute is configured, else the configured value (or null).
type ownedSecretName struct{ credentials, suffix string }

func (m ownedSecretName) Description(context.Context) string {
	return "set to <name>" + m.suffix + " when " + m.credentials + " is configured"
}

func (m ownedSecretName) MarkdownDescription(ctx context.Context) string { return m.Description(ctx) }

func (m ownedSecretName) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	var creds types.Object
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root(m.credentials), &creds)...)
	var name types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("name"), &name)...)
	switch {
	case resp.Diagnostics.HasError():
	case creds.IsNull():
		resp.PlanValue = req.ConfigValue
	case creds.IsUnknown() || name.IsUnknown():
		resp.PlanValue = types.StringUnknown()
	default:
		resp.PlanValue = types.StringValue(name.ValueString() + m.suffix)
	}
}

// ownedCredentials is one credentials attribute of a resource being applied.
type ownedCredentials struct {
	attribute  string // e.g. "git_credentials"
	secretName string // <name><suffix>
	// planned is the planned credentials model (*gitCredentialsModel or
	// *helmCredentialsModel), nil when unset.
	planned any
	// write: on create, when added, and when a stored attribute changed.
	write bool
	// stale: the provider's Secret is no longer used: the prior state
	// referred to it (also after an import), or, on create, it was left
	// behind by an earlier object of the same name deleted out of band.
	stale bool
}

// credentials compares the stored (not write-only) credential attributes of
// Plan and prior state, and the spec field that names the Secret, e.g.
// client_secret_name. On create, priorState is nil.
func credentials[C comparable, M any](attribute, secretName string, planned, prior *C, planRef, priorRef types.String, priorState *M) ownedCredentials {
	o := ownedCredentials{attribute: attribute, secretName: secretName}
	if planned != nil {
		o.planned = planned
		o.write = prior == nil || *planned != *prior
	} else {
		o.stale = planRef.ValueString() != secretName && (priorState == nil || priorRef.ValueString() == secretName)
	}
	return o
}

// writeCredentialSecret writes the Secret from the configuration's
// write-only values. The Secret type cannot change in place, so a Secret of
// the provider with another type is deleted first.
func writeCredentialSecret(ctx context.Context, c *kube.Client, config tfsdk.Config, owner framework.SecretOwner, namespace string, o ownedCredentials) diag.Diagnostics {
	var diags diag.Diagnostics
	root := path.Root(o.attribute)
	read := func(name string) string {
		var v types.String
		diags.Append(config.GetAttribute(ctx, root.AtName(name), &v)...)
		return v.ValueString()
	}
	secret := framework.OwnedSecret{Owner: owner, Namespace: namespace, Name: o.secretName, Data: map[string][]byte{}}
	switch creds := o.planned.(type) {
	case *gitCredentialsModel:
		if key := read("ssh_private_key_wo"); key != "" {
			secret.Type = corev1.SecretTypeSSHAuth
			secret.Data[corev1.SSHAuthPrivateKey] = []byte(key)
			if kh := creds.KnownHosts.ValueString(); kh != "" {
				secret.Data["known_hosts"] = []byte(kh)
			}
		} else {
			secret.Type = corev1.SecretTypeBasicAuth
			secret.Data[corev1.BasicAuthUsernameKey] = []byte(creds.Username.ValueString())
			secret.Data[corev1.BasicAuthPasswordKey] = []byte(read("password_wo"))
		}
	case *helmCredentialsModel:
		secret.Type = corev1.SecretTypeBasicAuth
		secret.Data[corev1.BasicAuthUsernameKey] = []byte(creds.Username.ValueString())
		secret.Data[corev1.BasicAuthPasswordKey] = []byte(read("password_wo"))
	}
	if diags.HasError() {
		return diags
	}
	summary := "Cannot write the Secret of " + o.attribute
	if err := deleteOwnedSecretOfOtherType(ctx, c, owner, namespace, o.secretName, secret.Type); err != nil {
		diags.AddAttributeError(root, summary, err.Error())
		return diags
	}
	if err := framework.ApplyOwnedSecret(ctx, c, secret); err != nil {
		diags.AddAttributeError(root, summary, err.Error())
	}
	return diags
}

func deleteOwnedSecretOfOtherType(ctx context.Context, c *kube.Client, owner framework.SecretOwner, namespace, name string, want corev1.SecretType) error {
	core, err := c.Core()
	if err != nil {
		return err
	}
	existing, err := core.CoreV1().Secrets(namespace).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read Secret %s/%s: %w", namespace, name, err)
	}
	if existing.Type == want {
		return nil
	}
	// DeleteOwnedSecret leaves a Secret that is not this resource's, which
	// ApplyOwnedSecret then refuses to overwrite.
	return framework.DeleteOwnedSecret(ctx, c, owner, namespace, name)
}

// syncCredentials writes the Secrets that need it, and returns the names of
// those to delete once the object no longer refers to them.
func syncCredentials(ctx context.Context, c *kube.Client, config tfsdk.Config, owner framework.SecretOwner, namespace string, creds ...ownedCredentials) ([]string, diag.Diagnostics) {
	var diags diag.Diagnostics
	var stale []string
	for _, o := range creds {
		if o.write {
			diags.Append(writeCredentialSecret(ctx, c, config, owner, namespace, o)...)
		}
		if o.stale {
			stale = append(stale, o.secretName)
		}
	}
	return stale, diags
}

// deleteCredentialSecrets deletes the resource's Secrets among names.
func deleteCredentialSecrets(ctx context.Context, c *kube.Client, owner framework.SecretOwner, namespace string, names []string) diag.Diagnostics {
	var diags diag.Diagnostics
	for _, name := range names {
		if err := framework.DeleteOwnedSecret(ctx, c, owner, namespace, name); err != nil {
			diags.AddError("Cannot delete the credentials Secret", err.Error())
		}
	}
	return diags
}

// ownedSecretMissing reports whether the resource's Secret is gone, or was
// replaced by one that is not its own: the credentials must be written again
// (which refuses to overwrite another's Secret, with an error naming it).
func ownedSecretMissing(ctx context.Context, c *kube.Client, owner framework.SecretOwner, namespace, name string) (bool, error) {
	_, err := framework.ReadOwnedSecret(ctx, c, owner, namespace, name)
	if errors.Is(err, framework.ErrNotFound) || errors.Is(err, framework.ErrForeignSecret) {
		return true, nil
	}
	return false, err
}

// forgetMissingCredentials drops credentials from the model whose Secret is
// missing, so the plan shows them to be added again and the apply rewrites
// the Secret from the configuration.
func forgetMissingCredentials[C any](ctx context.Context, c *kube.Client, owner framework.SecretOwner, namespace, name string, creds **C) diag.Diagnostics {
	var diags diag.Diagnostics
	if *creds == nil {
		return diags
	}
	missing, err := ownedSecretMissing(ctx, c, owner, namespace, name)
	if err != nil {
		diags.AddError("Cannot read the credentials Secret", err.Error())
	}
	if missing {
		*creds = nil
	}
	return diags
}

// credentialsOwner is the resource a GitRepo's or HelmOp's credentials
// Secrets belong to.
func credentialsOwner(resourceType, namespace, name string) framework.SecretOwner {
	return framework.SecretOwner{Type: resourceType, ID: namespace + "/" + name}
}

// tieCredentialSecrets makes the resource's Secrets among names dependents of
// obj, so that the garbage collector deletes them with it, also when obj is
// deleted outside Terraform.
func tieCredentialSecrets(ctx context.Context, c *kube.Client, owner framework.SecretOwner, kind string, obj metav1.ObjectMeta, names []string) diag.Diagnostics {
	var diags diag.Diagnostics
	ref := metav1.OwnerReference{APIVersion: fleet.APIVersion, Kind: kind, Name: obj.Name, UID: obj.UID}
	for _, name := range names {
		if err := framework.SetSecretOwnerReference(ctx, c, owner, obj.Namespace, name, ref); err != nil {
			diags.AddWarning("Cannot tie the credentials Secret to its object", err.Error())
		}
	}
	return diags
}
