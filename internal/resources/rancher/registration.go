package rancher

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/kube"
	rancherapi "github.com/fleetform/terraform-provider-fleet/internal/rancher"
	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

// readRancherRegistration fills manifest_url and registration_command from
// the cluster's registration token; both are empty while Rancher has not
// issued it, and null with token_in_state false.
func readRancherRegistration(ctx context.Context, c *kube.Client, m *clusterModel, cluster *rancherapi.Cluster) diag.Diagnostics {
	var diags diag.Diagnostics
	if !m.TokenInState.ValueBool() {
		m.ManifestURL, m.RegistrationCommand = types.StringNull(), types.StringNull()
		return diags
	}
	reg, err := rancherRegistrationOf(ctx, c, cluster)
	if err != nil {
		diags.AddError("Cannot read the Rancher cluster's registration token", err.Error())
		return diags
	}
	m.ManifestURL = types.StringValue(reg.manifestURL)
	m.RegistrationCommand = types.StringValue(reg.command)
	return diags
}

// rancherRegistration is what a downstream cluster needs to import itself.
type rancherRegistration struct {
	clusterID   string
	token       string // the registration token (secret)
	manifestURL string // with the token filled in
	command     string
	// pending says what Rancher has not done yet; empty when the rest is set.
	pending string
}

// rancherRegistrationOf reads the cluster's default-token and fills in the
// token: from its Secret on Rancher 2.13.8 and later (the status holds a
// {token} placeholder), from status.token before.
func rancherRegistrationOf(ctx context.Context, c *kube.Client, cluster *rancherapi.Cluster) (rancherRegistration, error) {
	var reg rancherRegistration
	if cluster.Status == nil || cluster.Status.ClusterName == "" {
		reg.pending = "Rancher has not assigned it a cluster ID (status.clusterName)"
		return reg, nil
	}
	reg.clusterID = cluster.Status.ClusterName
	crt, err := crtAPI.Get(ctx, c, reg.clusterID, rancherapi.DefaultTokenName)
	if errors.Is(err, framework.ErrNotFound) {
		reg.pending = fmt.Sprintf("Rancher has not created its registration token %s/%s", reg.clusterID, rancherapi.DefaultTokenName)
		return reg, nil
	}
	if err != nil {
		return reg, err
	}
	if crt.Status.ManifestURL == "" {
		reg.pending = fmt.Sprintf("Rancher has not written the manifest URL of registration token %s/%s", reg.clusterID, rancherapi.DefaultTokenName)
		return reg, nil
	}
	reg.token = crt.Status.Token
	if strings.Contains(crt.Status.ManifestURL, rancherapi.TokenPlaceholder) {
		secretName := crt.Status.TokenSecretName
		if secretName == "" {
			secretName = rancherapi.TokenSecretName(crt.Name)
		}
		if reg.token, err = secretValue(ctx, c, reg.clusterID, secretName, rancherapi.TokenSecretKey); err != nil {
			return reg, err
		}
		if reg.token == "" {
			reg.pending = fmt.Sprintf("the registration token is not in Secret %s/%s (key %q)", reg.clusterID, secretName, rancherapi.TokenSecretKey)
			return reg, nil
		}
	}
	fill := strings.NewReplacer(rancherapi.TokenPlaceholder, reg.token)
	reg.manifestURL = fill.Replace(crt.Status.ManifestURL)
	reg.command = fill.Replace(crt.Status.Command)
	return reg, nil
}

// secretValue returns one key of a Secret, "" when the Secret or key is missing.
func secretValue(ctx context.Context, c *kube.Client, namespace, name, key string) (string, error) {
	core, err := c.Core()
	if err != nil {
		return "", err
	}
	secret, err := core.CoreV1().Secrets(namespace).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read Secret %s/%s: %w", namespace, name, err)
	}
	return string(secret.Data[key]), nil
}

// registrationOf reads the registration of the Rancher cluster ref
// (`namespace/name`); it is an error while Rancher has not issued it.
func registrationOf(ctx context.Context, c *kube.Client, ref string) (rancherRegistration, diag.Diagnostics) {
	var diags diag.Diagnostics
	workspace, name, err := validate.SplitNamespacedName(ref)
	if err != nil {
		diags.AddAttributeError(path.Root("cluster"), "Invalid cluster reference", err.Error())
		return rancherRegistration{}, diags
	}
	cluster, err := clusterAPI.Get(ctx, c, workspace, name)
	if errors.Is(err, framework.ErrNotFound) {
		diags.AddAttributeError(path.Root("cluster"), "Rancher cluster not found",
			fmt.Sprintf("There is no provisioning.cattle.io Cluster %s/%s. Create it with fleet_rancher_cluster first.", workspace, name))
		return rancherRegistration{}, diags
	}
	if err != nil {
		diags.AddError("Cannot read the Rancher cluster", err.Error())
		return rancherRegistration{}, diags
	}
	reg, err := rancherRegistrationOf(ctx, c, cluster)
	if err != nil {
		diags.AddError("Cannot read the Rancher cluster's registration token", err.Error())
		return rancherRegistration{}, diags
	}
	if reg.pending != "" {
		diags.AddAttributeError(path.Root("cluster"), "The cluster cannot be imported yet",
			fmt.Sprintf("Rancher cluster %s/%s has no usable registration: %s.", workspace, name, reg.pending))
	}
	return reg, diags
}
