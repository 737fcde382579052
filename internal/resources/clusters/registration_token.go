package clusters

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/customtypes/duration"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/framework/flex"
	"github.com/fleetform/terraform-provider-fleet/internal/kube"
	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

// CreateOwnedToken creates the resource's own token, replacing one left by
// an earlier failed create (its TTL runs from its creation).
func CreateOwnedToken(ctx context.Context, c *kube.Client, namespace, name string, ttl time.Duration) error {
	existing, err := RegistrationTokenAPI.Get(ctx, c, namespace, name)
	switch {
	case errors.Is(err, framework.ErrNotFound):
	case err != nil:
		return err
	case existing.Labels[framework.ManagedByLabel] != framework.ManagedByValue:
		return fmt.Errorf("ClusterRegistrationToken %s/%s exists and was not created by this provider; set registration_token to use it", namespace, name)
	default:
		if err := RegistrationTokenAPI.Delete(ctx, c, namespace, name); err != nil {
			return err
		}
	}
	token := &fleet.ClusterRegistrationToken{Object: fleet.Object{
		TypeMeta:   fleet.TypeMeta(fleet.KindClusterRegistrationToken),
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace, Labels: map[string]string{framework.ManagedByLabel: framework.ManagedByValue}},
	}}
	token.Spec.TTL = &metav1.Duration{Duration: ttl}
	_, err = RegistrationTokenAPI.Apply(ctx, c, namespace, name, token)
	return err
}

// DeleteOwnedToken deletes the resource's own token, if it is still there.
func DeleteOwnedToken(ctx context.Context, c *kube.Client, namespace, name string) error {
	token, err := RegistrationTokenAPI.Get(ctx, c, namespace, name)
	if errors.Is(err, framework.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if token.Labels[framework.ManagedByLabel] != framework.ManagedByValue {
		return nil
	}
	return RegistrationTokenAPI.Delete(ctx, c, namespace, name)
}

var RegistrationTokenAPI = framework.ObjectAPI[fleet.ClusterRegistrationToken]{GVR: fleet.ClusterRegistrationTokens, Kind: fleet.KindClusterRegistrationToken}

// registrationValuesKey is the key of the values in the Secret Fleet writes
// for a token (type fleet.cattle.io/cluster-registration-values).
const registrationValuesKey = "values"

// registrationTokenModel is the state of fleet_cluster_registration_token.
type registrationTokenModel struct {
	framework.ObjectMetaModel
	TTL          duration.Value `tfsdk:"ttl"`
	TokenInState types.Bool     `tfsdk:"token_in_state"`
	SecretName   types.String   `tfsdk:"secret_name"`
	Expires      types.String   `tfsdk:"expires"`
	Values       types.String   `tfsdk:"values"`
	Timeouts     timeouts.Value `tfsdk:"timeouts"`
}

func (m *registrationTokenModel) Meta() *framework.ObjectMetaModel { return &m.ObjectMetaModel }

func (m *registrationTokenModel) TimeoutsValue() timeouts.Value { return m.Timeouts }

func (m *registrationTokenModel) Expand(ctx context.Context) (*fleet.ClusterRegistrationToken, diag.Diagnostics) {
	meta, diags := m.ObjectMeta(ctx)
	token := &fleet.ClusterRegistrationToken{Object: fleet.Object{TypeMeta: fleet.TypeMeta(fleet.KindClusterRegistrationToken), ObjectMeta: meta}}
	if d, ok := duration.Of(m.TTL); ok {
		token.Spec.TTL = &metav1.Duration{Duration: d}
	}
	return token, diags
}

func (m *registrationTokenModel) Flatten(t *fleet.ClusterRegistrationToken, imported bool) {
	m.SetFromServer(t.ObjectMeta, imported)
	m.TTL = flex.FlattenInterval(t.Spec.TTL) // "1h30m", not Fleet's "1h30m0s": an import plans no replacement
	status := t.Status
	if status == nil {
		status = &fleet.ClusterRegistrationTokenStatus{}
	}
	if m.TokenInState.IsNull() {
		m.TokenInState = types.BoolValue(true) // imported: the default
	}
	m.SecretName = types.StringValue(status.SecretName)
	m.Expires = types.StringValue("")
	if expires, ok := TokenExpiry(t); ok {
		m.Expires = types.StringValue(expires.UTC().Format(time.RFC3339))
	}
}

// TokenExpiry returns when a token expires; ok is false for a token that
// never does. Fleet v0.16 sets status.expires to creation + ttl whenever a
// ttl is set, also for a ttl of 0, which never expires (Fleet only deletes
// tokens whose ttl is above 0).
func TokenExpiry(t *fleet.ClusterRegistrationToken) (expires time.Time, ok bool) {
	if t.Spec.TTL == nil || t.Spec.TTL.Duration <= 0 || t.Status == nil || t.Status.Expires == nil {
		return time.Time{}, false
	}
	return t.Status.Expires.Time, true
}

// registrationTokenResource is fleet_cluster_registration_token on the generic object resource.
type registrationTokenResource = framework.ObjectResource[fleet.ClusterRegistrationToken, registrationTokenModel, *registrationTokenModel]

var (
	_ resource.ResourceWithImportState = (*registrationTokenResource)(nil)
	_ resource.ResourceWithIdentity    = (*registrationTokenResource)(nil)
)

// NewClusterRegistrationTokenResource is fleet_cluster_registration_token.
func NewClusterRegistrationTokenResource() resource.Resource {
	return framework.NewObjectResource(framework.ObjectResourceSpec[fleet.ClusterRegistrationToken, registrationTokenModel]{
		TypeName: "fleet_cluster_registration_token",
		API:      RegistrationTokenAPI,
		Schema:   registrationTokenSchema,
		Hooks: framework.ObjectHooks[fleet.ClusterRegistrationToken, registrationTokenModel]{
			AfterApply: AwaitRegistrationValues,
			AfterRead:  readRegistrationValues,
		},
	})
}

func registrationTokenSchema(ctx context.Context) schema.Schema {
	attrs := framework.ObjectMetaAttributes("registration token")
	attrs["ttl"] = schema.StringAttribute{
		Optional: true, CustomType: duration.Type{},
		Description: "How long the token is valid, as a Go duration in units up to hours (Fleet rejects days), " +
			"e.g. `\"24h\"`; unset or `\"0\"` never expires. Changing it replaces the token.",
		Validators:    []validator.String{validate.FleetTTL()},
		PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
	}
	attrs["secret_name"] = schema.StringAttribute{Computed: true, Description: "Name of the Secret Fleet wrote the registration values into."}
	attrs["expires"] = schema.StringAttribute{Computed: true, Description: "When the token expires (RFC 3339); empty when it never " +
		"does (no `ttl`, or a `ttl` of zero)."}
	attrs["token_in_state"] = framework.TokenInState("`values`", "the ephemeral resource `fleet_cluster_registration_token`")
	attrs["values"] = schema.StringAttribute{
		Computed: true, Sensitive: true,
		Description: "The registration values Fleet generated (YAML: `apiServerURL`, `apiServerCA`, `clusterNamespace`, " +
			"`systemRegistrationNamespace`, `token`, `tokenName`), the values of the fleet-agent chart. Kept in the state " +
			"(sensitive) unless `token_in_state = false`, then null.",
		PlanModifiers: []planmodifier.String{framework.NullUnless("token_in_state")},
	}
	return schema.Schema{
		Description: "A Fleet ClusterRegistrationToken: lets agents register their clusters (agent-initiated registration). " +
			"Create returns once Fleet has written the registration values.",
		Attributes: attrs,
	}
}

// AwaitRegistrationValues waits until Fleet has written the token's Secret:
// until then a token is not usable, which is not an error.
func AwaitRegistrationValues(ctx context.Context, c *kube.Client, _ *registrationTokenModel, applied *fleet.ClusterRegistrationToken, _ bool) (*fleet.ClusterRegistrationToken, diag.Diagnostics) {
	var diags diag.Diagnostics
	current := applied
	err := framework.Poll(ctx, func(ctx context.Context) (bool, error) {
		token, err := RegistrationTokenAPI.Get(ctx, c, applied.Namespace, applied.Name)
		if err != nil {
			return false, err
		}
		current = token
		if token.Status == nil || token.Status.SecretName == "" {
			return false, nil
		}
		_, err = RegistrationValues(ctx, c, applied.Namespace, token.Status.SecretName)
		if errors.Is(err, framework.ErrNotFound) {
			return false, nil
		}
		return err == nil, err
	})
	if err != nil {
		detail := err.Error()
		if ctx.Err() != nil {
			detail = "Fleet did not write the registration values before the timeout" + framework.TransientCause(err) + ". Is the Fleet controller running?"
		}
		diags.AddError(fmt.Sprintf("ClusterRegistrationToken %s/%s is not ready", applied.Namespace, applied.Name), detail)
	}
	return current, diags
}

// readRegistrationValues copies the values from Fleet's Secret; an empty
// value means the Secret is not there (yet, or any more). With
// token_in_state false, the values stay out of the state.
func readRegistrationValues(ctx context.Context, c *kube.Client, m *registrationTokenModel, token *fleet.ClusterRegistrationToken) diag.Diagnostics {
	var diags diag.Diagnostics
	if !m.TokenInState.ValueBool() {
		m.Values = types.StringNull()
		return diags
	}
	m.Values = types.StringValue("")
	if token.Status == nil || token.Status.SecretName == "" {
		return diags
	}
	values, err := RegistrationValues(ctx, c, token.Namespace, token.Status.SecretName)
	switch {
	case errors.Is(err, framework.ErrNotFound):
	case err != nil:
		diags.AddError("Cannot read the registration values", err.Error())
	default:
		m.Values = types.StringValue(values)
	}
	return diags
}

func RegistrationValues(ctx context.Context, c *kube.Client, namespace, secretName string) (string, error) {
	core, err := c.Core()
	if err != nil {
		return "", err
	}
	secret, err := core.CoreV1().Secrets(namespace).Get(ctx, secretName, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return "", framework.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("read Secret %s/%s: %w", namespace, secretName, err)
	}
	return string(secret.Data[registrationValuesKey]), nil
}
