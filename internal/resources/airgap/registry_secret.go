package airgap

import (
	"crypto/hmac"
	"crypto/rand"
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
	// DataHMAC is the HMAC-SHA256 of the data (see dataHMAC). A plain hash
	// of data that includes the password would let whoever reads only
	// metadata (informers, kube-state-metrics) guess the password offline;
	// the HMAC's key is in the data, which they cannot read.
	DataHMAC string `json:"dataHMAC"`
}

// registryHMACKey is the data key of the random key of DataHMAC.
const registryHMACKey = ".terraform-provider-fleet.hmac-key"

// withHMACKey adds a new random HMAC key to data.
func withHMACKey(data map[string][]byte) (map[string][]byte, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	data[registryHMACKey] = key
	return data, nil
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

// dataHMAC is the HMAC-SHA256, keyed with the data's registryHMACKey, of
// the rest of the data: keys sorted, each key and value followed by a NUL.
// It is "" when the data holds no key.
func dataHMAC(data map[string][]byte) string {
	key := data[registryHMACKey]
	if len(key) == 0 {
		return ""
	}
	keys := make([]string, 0, len(data))
	for k := range data {
		if k != registryHMACKey {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	h := hmac.New(sha256.New, key)
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
	if insecure || !m.InsecureSkipTLSVerify.IsNull() {
		m.InsecureSkipTLSVerify = types.BoolValue(insecure)
	}
	sum := dataHMAC(secret.Data)
	m.DataInSync = types.BoolValue(recorded && sum != "" && hmac.Equal([]byte(record.DataHMAC), []byte(sum)))

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
