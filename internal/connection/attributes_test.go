package connection

import (
	"context"
	"encoding/base64"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	pschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

type described interface {
	GetDescription() string
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestProviderAttributes(t *testing.T) {
	ctx := context.Background()
	attrs := ProviderAttributes()
	s := pschema.Schema{Attributes: attrs}
	if diags := s.ValidateImplementation(ctx); diags.HasError() {
		t.Fatalf("invalid schema: %v", diags)
	}

	want := []string{
		"client_certificate", "client_key", "cluster_ca_certificate", "config_context", "config_path",
		"config_paths", "exec", "host", "insecure", "proxy_url", "tls_server_name", "token",
	}
	if got := keys(attrs); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("attributes = %v, want %v", got, want)
	}

	for name, a := range attrs {
		checkDescriptions(t, name, a)
		if a.IsRequired() {
			t.Errorf("%s is required", name)
		}
	}
	for _, name := range []string{"token", "client_key"} {
		if !attrs[name].IsSensitive() {
			t.Errorf("%s is not sensitive", name)
		}
	}
	if !strings.Contains(attrs["host"].GetDescription(), "KUBE_HOST") {
		t.Errorf("host description does not mention KUBE_HOST: %q", attrs["host"].GetDescription())
	}
	exec := attrs["exec"].(pschema.SingleNestedAttribute)
	if !exec.Attributes["api_version"].IsRequired() || !exec.Attributes["command"].IsRequired() {
		t.Error("exec.api_version and exec.command must be required")
	}
}

func checkDescriptions(t *testing.T, name string, a described) {
	t.Helper()
	if strings.TrimSpace(a.GetDescription()) == "" {
		t.Errorf("%s has no description", name)
	}
	var nested map[string]described
	switch n := a.(type) {
	case pschema.SingleNestedAttribute:
		nested = map[string]described{}
		for k, v := range n.Attributes {
			nested[k] = v
		}
	case rschema.SingleNestedAttribute:
		nested = map[string]described{}
		for k, v := range n.Attributes {
			nested[k] = v
		}
	}
	for k, v := range nested {
		checkDescriptions(t, name+"."+k, v)
	}
}

func resourceSchema() rschema.Schema {
	return rschema.Schema{Attributes: map[string]rschema.Attribute{
		"kubernetes": ResourceNestedAttribute("Downstream cluster."),
	}}
}

func TestResourceAttributes(t *testing.T) {
	ctx := context.Background()
	s := resourceSchema()
	if diags := s.ValidateImplementation(ctx); diags.HasError() {
		t.Fatalf("invalid schema: %v", diags)
	}

	attrs := ResourceAttributes()
	provider := ProviderAttributes()
	if got, want := len(attrs), len(provider)+1; got != want {
		t.Errorf("%d resource attributes, want %d", got, want)
	}
	for name, a := range attrs {
		checkDescriptions(t, name, a)
		if name == AttrKubeconfigWO {
			continue
		}
		p, ok := provider[name]
		if !ok {
			t.Errorf("%s missing from the provider attributes", name)
			continue
		}
		// One description, extended for the provider with its variable.
		if !strings.HasPrefix(p.GetDescription(), a.GetDescription()) {
			t.Errorf("%s: descriptions diverge:\n%q\n%q", name, a.GetDescription(), p.GetDescription())
		}
		if strings.Contains(a.GetDescription(), "KUBE_") {
			t.Errorf("%s: resource description mentions an environment variable", name)
		}
		if p.IsSensitive() != a.IsSensitive() || p.IsOptional() != a.IsOptional() {
			t.Errorf("%s: flags differ between provider and resource", name)
		}
	}

	wo, ok := attrs[AttrKubeconfigWO].(rschema.StringAttribute)
	if !ok || !wo.WriteOnly || !wo.Sensitive || !wo.Optional {
		t.Errorf("kubeconfig_wo = %+v, want an optional sensitive write-only string", attrs[AttrKubeconfigWO])
	}
	if _, ok := provider[AttrKubeconfigWO]; ok {
		t.Error("the provider must not have kubeconfig_wo")
	}

	typ, diags := s.TypeAtPath(ctx, path.Root("kubernetes"))
	if diags.HasError() {
		t.Fatal(diags)
	}
	if want := (types.ObjectType{AttrTypes: ResourceAttrTypes()}); !typ.Equal(want) {
		t.Errorf("ResourceAttrTypes() = %v, schema type %v", want, typ)
	}
}

// nullAttrs returns a value of object type with every attribute null.
func nullAttrs(typ tftypes.Object, set map[string]tftypes.Value) tftypes.Value {
	vals := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
	}
	for name, v := range set {
		vals[name] = v
	}
	return tftypes.NewValue(typ, vals)
}

func TestModelMatchesSchema(t *testing.T) {
	ctx := context.Background()

	ps := pschema.Schema{Attributes: ProviderAttributes()}
	ptyp := ps.Type().TerraformType(ctx).(tftypes.Object)
	execTyp := ptyp.AttributeTypes["exec"].(tftypes.Object)
	cfg := tfsdk.Config{Schema: ps, Raw: nullAttrs(ptyp, map[string]tftypes.Value{
		"host": tftypes.NewValue(tftypes.String, "h.example"),
		"exec": nullAttrs(execTyp, map[string]tftypes.Value{
			"command":     tftypes.NewValue(tftypes.String, "cmd"),
			"api_version": tftypes.NewValue(tftypes.String, "client.authentication.k8s.io/v1"),
		}),
	})}
	var m Model
	if diags := cfg.Get(ctx, &m); diags.HasError() {
		t.Fatalf("provider model: %v", diags)
	}
	if m.Host.ValueString() != "h.example" || !m.Token.IsNull() || m.Exec.IsNull() {
		t.Errorf("model = %+v", m)
	}

	rs := resourceSchema()
	rtyp := rs.Type().TerraformType(ctx).(tftypes.Object)
	ktyp := rtyp.AttributeTypes["kubernetes"].(tftypes.Object)
	rcfg := tfsdk.Config{Schema: rs, Raw: tftypes.NewValue(rtyp, map[string]tftypes.Value{
		"kubernetes": nullAttrs(ktyp, map[string]tftypes.Value{
			"kubeconfig_wo": tftypes.NewValue(tftypes.String, "raw"),
		}),
	})}
	var rm ResourceModel
	if diags := rcfg.GetAttribute(ctx, path.Root("kubernetes"), &rm); diags.HasError() {
		t.Fatalf("resource model: %v", diags)
	}
	if rm.KubeconfigWO.ValueString() != "raw" || !rm.Host.IsNull() {
		t.Errorf("resource model = %+v", rm)
	}
}

func runStringValidator(v validator.String, value string) (string, bool) {
	req := validator.StringRequest{Path: path.Root("x"), ConfigValue: types.StringValue(value)}
	resp := &validator.StringResponse{}
	v.ValidateString(context.Background(), req, resp)
	if !resp.Diagnostics.HasError() {
		return "", true
	}
	d := resp.Diagnostics.Errors()[0]
	return d.Summary() + " " + d.Detail(), false
}

func TestValidators(t *testing.T) {
	const certPEM = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIBATAKBggqhkjOPQQDAjA=\n-----END CERTIFICATE-----\n"
	const keyPEM = "-----BEGIN EC PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END EC PRIVATE KEY-----\n"

	cert := pemValidator("certificates", isCertificate)
	key := pemValidator("private key", isPrivateKey)

	if msg, ok := runStringValidator(cert, certPEM); !ok {
		t.Errorf("valid certificate rejected: %s", msg)
	}
	if msg, ok := runStringValidator(cert, keyPEM+certPEM); !ok {
		t.Errorf("certificate after another block rejected: %s", msg)
	}
	if _, ok := runStringValidator(cert, keyPEM); ok {
		t.Error("a key accepted as certificate")
	}
	msg, ok := runStringValidator(cert, base64.StdEncoding.EncodeToString([]byte(certPEM)))
	if ok || !strings.Contains(msg, "base64") {
		t.Errorf("base64 PEM: ok=%v msg=%q", ok, msg)
	}
	if msg, ok := runStringValidator(key, keyPEM); !ok {
		t.Errorf("valid key rejected: %s", msg)
	}
	msg, ok = runStringValidator(key, "not-a-key-but-secret-material")
	if ok || strings.Contains(msg, "secret-material") {
		t.Errorf("garbage key: ok=%v msg=%q", ok, msg)
	}

	proxy := proxyURLValidator()
	for _, good := range []string{"http://p:3128", "https://p", "socks5://u:pw@p:1080"} {
		if msg, ok := runStringValidator(proxy, good); !ok {
			t.Errorf("proxy %q rejected: %s", good, msg)
		}
	}
	for _, bad := range []string{"p:3128", "ftp://p", "http://", "http://u:hunter22@[::1"} {
		msg, ok := runStringValidator(proxy, bad)
		if ok {
			t.Errorf("proxy %q accepted", bad)
		}
		if strings.Contains(msg, "hunter22") {
			t.Errorf("proxy error leaks the password: %s", msg)
		}
	}

	host := hostValidator()
	for _, good := range []string{"", "h", "h:6443", "https://h/p", "http://10.0.0.1:8080"} {
		if msg, ok := runStringValidator(host, good); !ok {
			t.Errorf("host %q rejected: %s", good, msg)
		}
	}
	for _, bad := range []string{"ftp://h", "https://", "https://u:p@h"} {
		if _, ok := runStringValidator(host, bad); ok {
			t.Errorf("host %q accepted", bad)
		}
	}
}
