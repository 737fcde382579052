package airgap

import (
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework/types"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// FuzzRegistrySecret: whatever fleet_registry writes into its Secret
// (registrySecretData) reads back (Flatten) as the configuration that wrote
// it, and the Secret is in sync with its record.
func FuzzRegistrySecret(f *testing.F) {
	f.Add("registry.corp:5000/mirror", "puller", "pass:word", "-----BEGIN CERTIFICATE-----\n", true)
	f.Add("registry.corp", "", "", "", false)
	f.Add("[::1]:5000/a/b", "user:with:colons", "", "", false)
	f.Add("registry.corp", "", "only-a-password", "", false)
	f.Fuzz(func(t *testing.T, server, username, password, caBundle string, insecure bool) {
		if server == "" || !utf8.ValidString(server+username+password+caBundle) {
			t.Skip("Terraform strings are UTF-8; server is required")
		}
		data, err := withHMACKey(registrySecretData(server, username, password, caBundle, insecure))
		if err != nil {
			t.Fatal(err)
		}
		record, err := json.Marshal(registryRecord{Server: server, DataHMAC: dataHMAC(data)})
		if err != nil {
			t.Fatal(err)
		}
		secret := &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "site", Annotations: map[string]string{registryAnnotation: string(record)}},
			Data:       data,
		}
		m := &registryModel{Password: types.StringValue(password), InsecureSkipTLSVerify: types.BoolValue(insecure)}
		if diags := m.Flatten(secret, false); diags.HasError() {
			t.Fatal(diags)
		}
		orNull := func(s string) types.String {
			if s == "" {
				return types.StringNull()
			}
			return types.StringValue(s)
		}
		for _, c := range []struct {
			attribute string
			got, want types.String
		}{
			{"server", m.Server, types.StringValue(server)},
			{"username", m.Username, orNull(username)},
			{"password", m.Password, orNull(password)},
			{"ca_bundle", m.CABundle, orNull(caBundle)},
		} {
			if !c.got.Equal(c.want) {
				t.Errorf("%s reads back as %s, written as %s", c.attribute, c.got, c.want)
			}
		}
		if m.InsecureSkipTLSVerify.ValueBool() != insecure || !m.DataInSync.ValueBool() {
			t.Errorf("insecure_skip_tls_verify = %s (written %t), data_in_sync = %s", m.InsecureSkipTLSVerify, insecure, m.DataInSync)
		}
	})
}
