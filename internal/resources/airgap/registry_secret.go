package airgap

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	corev1 "k8s.io/api/core/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/framework/flex"
)

// registryAnnotation is the provider's own annotation on the Secret.
const registryAnnotation = "terraform-provider-fleet/registry"

// registryRecord is the JSON value of registryAnnotation.
type registryRecord struct {
	Server            string   `json:"server"`
	Mirrors           []string `json:"mirrors,omitempty"`
	PasswordWOVersion *int64   `json:"passwordWOVersion,omitempty"`
	DataSHA256        string   `json:"dataSHA256"`
}

// Data keys besides .dockerconfigjson: those Fleet reads from the Helm
// secret of a HelmOp or GitRepo (helmSecretName), so the same Secret lets
// Fleet pull charts from the registry.
const (
	registryCAKey       = "cacerts"
	registryInsecureKey = "insecureSkipVerify"
)

// registrySecretData is the Secret's data.
func registrySecretData(server, username, password, caBundle string, insecure bool) map[string][]byte {
	host, _, _ := strings.Cut(server, "/")
	auth := base64.StdEncoding.EncodeToString([]byte(username + ":" + password))
	// Marshalling a map of strings cannot fail.
	config, _ := json.Marshal(dockerConfig{Auths: map[string]dockerAuth{host: {Username: username, Password: password, Auth: auth}}})
	data := map[string][]byte{
		corev1.DockerConfigJsonKey:  config,
		corev1.BasicAuthUsernameKey: []byte(username),
		corev1.BasicAuthPasswordKey: []byte(password),
	}
	if caBundle != "" {
		data[registryCAKey] = []byte(caBundle)
	}
	if insecure {
		data[registryInsecureKey] = []byte("true")
	}
	return data
}

type dockerConfig struct {
	Auths map[string]dockerAuth `json:"auths"`
}

type dockerAuth struct {
	Username string `json:"username,omitempty"`
	Password string `json:"password,omitempty"`
	Auth     string `json:"auth,omitempty"`
}

// credentials returns the user name and password, from the fields or else
// from auth (base64 of user:password).
func (a dockerAuth) credentials() (string, string) {
	if a.Username != "" || a.Password != "" {
		return a.Username, a.Password
	}
	decoded, _ := base64.StdEncoding.DecodeString(a.Auth)
	user, password, _ := strings.Cut(string(decoded), ":")
	return user, password
}

// dataHash is the SHA-256 of the data, keys sorted, each key and value
// followed by a NUL.
func dataHash(data map[string][]byte) string {
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	h := sha256.New()
	for _, k := range keys {
		h.Write([]byte(k + "\x00"))
		h.Write(append(data[k], 0))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Flatten fills the model from the live Secret. The password enters the
// state only where it came from: `password`, not `password_wo`.
func (m *registryModel) Flatten(secret *corev1.Secret, imported bool) diag.Diagnostics {
	var diags diag.Diagnostics
	var record registryRecord
	recorded := json.Unmarshal([]byte(secret.Annotations[registryAnnotation]), &record) == nil && record.Server != ""
	var config dockerConfig
	_ = json.Unmarshal(secret.Data[corev1.DockerConfigJsonKey], &config) // unreadable: no credentials, shown as drift

	switch {
	case recorded:
		m.Server = types.StringValue(record.Server)
	case imported && len(config.Auths) == 1:
		for host := range config.Auths {
			m.Server = types.StringValue(host)
		}
	case imported:
		diags.AddError("Cannot import the registry Secret", fmt.Sprintf("Secret %s/%s was not written by this provider "+
			"and its .dockerconfigjson does not name exactly one registry.", secret.Namespace, secret.Name))
		return diags
	}
	if recorded || imported {
		m.Mirrors = stringListLike(record.Mirrors, m.Mirrors)
	}
	if imported {
		m.PasswordWOVersion = types.Int64PointerValue(record.PasswordWOVersion)
	}
	host, _, _ := strings.Cut(m.Server.ValueString(), "/")
	user, password := config.Auths[host].credentials()
	m.Username = flex.StringOrNull(user)
	// Written from `password` (or, not imported, configured so): read it back.
	if (imported && recorded && record.PasswordWOVersion == nil) || (!imported && !m.Password.IsNull()) {
		m.Password = flex.StringOrNull(password)
	}
	m.CABundle = flex.StringOrNull(string(secret.Data[registryCAKey]))
	insecure := string(secret.Data[registryInsecureKey]) == "true"
	if insecure || !m.InsecureSkipVerify.IsNull() {
		m.InsecureSkipVerify = types.BoolValue(insecure)
	}
	m.DataInSync = types.BoolValue(recorded && record.DataSHA256 == dataHash(secret.Data))

	delete(secret.Annotations, registryAnnotation)
	delete(secret.Annotations, framework.OwnerAnnotation)
	m.ObjectMetaModel.SetFromServer(secret.ObjectMeta, imported)
	m.ImagePrefix, m.SecretName = m.Server, m.Name
	return diags
}

// stringListLike returns s as a list, or null when it is empty and the prior
// value was null (or after an import).
func stringListLike(s []string, prior types.List) types.List {
	if len(s) == 0 && (prior.IsNull() || prior.IsUnknown()) {
		return types.ListNull(types.StringType)
	}
	return flex.StringListValue(s)
}
