package connection

import (
	"context"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fleetform/terraform-provider-fleet/internal/kube"
)

var allEnv = []string{
	EnvConfigPath, EnvConfigPaths, EnvConfigContext, EnvHost, EnvToken,
	EnvClusterCACertificate, EnvClientCertificate, EnvClientKey, EnvInsecure,
	EnvTLSServerName, EnvProxyURL,
}

// clearEnv makes the test independent of the KUBE_* variables of the
// environment running it (an empty variable counts as unset).
func clearEnv(t *testing.T) {
	t.Helper()
	for _, e := range allEnv {
		t.Setenv(e, "")
	}
}

func nullModel() Model {
	return Model{
		ConfigPath:           types.StringNull(),
		ConfigPaths:          types.ListNull(types.StringType),
		ConfigContext:        types.StringNull(),
		Host:                 types.StringNull(),
		Token:                types.StringNull(),
		ClusterCACertificate: types.StringNull(),
		ClientCertificate:    types.StringNull(),
		ClientKey:            types.StringNull(),
		Insecure:             types.BoolNull(),
		TLSServerName:        types.StringNull(),
		ProxyURL:             types.StringNull(),
		Exec:                 types.ObjectNull(ExecAttrTypes()),
	}
}

func stringList(vals ...string) types.List {
	elems := make([]attr.Value, len(vals))
	for i, v := range vals {
		elems[i] = types.StringValue(v)
	}
	return types.ListValueMust(types.StringType, elems)
}

func execObject(t *testing.T, e ExecModel) types.Object {
	t.Helper()
	o, diags := types.ObjectValueFrom(context.Background(), ExecAttrTypes(), e)
	if diags.HasError() {
		t.Fatal(diags)
	}
	return o
}

func mustConfig(t *testing.T, m Model) kube.Config {
	t.Helper()
	cfg, diags, unknown := m.Config(context.Background())
	if diags.HasError() {
		t.Fatalf("unexpected diagnostics: %v", diags)
	}
	if unknown {
		t.Fatal("unexpected unknown")
	}
	return cfg
}

func TestConfig_EnvFallbacks(t *testing.T) {
	clearEnv(t)
	t.Setenv(EnvConfigPath, "/env/config")
	t.Setenv(EnvConfigPaths, strings.Join([]string{"/env/a", "", "/env/b"}, string(os.PathListSeparator)))
	t.Setenv(EnvConfigContext, "env-ctx")
	t.Setenv(EnvHost, "env.example:6443")
	t.Setenv(EnvToken, "env-token")
	t.Setenv(EnvClusterCACertificate, "env-ca")
	t.Setenv(EnvClientCertificate, "env-cert")
	t.Setenv(EnvClientKey, "env-key")
	t.Setenv(EnvInsecure, "false")
	t.Setenv(EnvTLSServerName, "env-tls")
	t.Setenv(EnvProxyURL, "http://env-proxy:3128")

	got := mustConfig(t, nullModel())
	want := kube.Config{
		ConfigPath:           "/env/config",
		ConfigPaths:          []string{"/env/a", "/env/b"},
		ConfigContext:        "env-ctx",
		Host:                 "env.example:6443",
		Token:                "env-token",
		ClusterCACertificate: "env-ca",
		ClientCertificate:    "env-cert",
		ClientKey:            "env-key",
		TLSServerName:        "env-tls",
		ProxyURL:             "http://env-proxy:3128",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}

	t.Setenv(EnvInsecure, "true")
	t.Setenv(EnvClusterCACertificate, "")
	if !mustConfig(t, nullModel()).Insecure {
		t.Error("KUBE_INSECURE=true not applied")
	}
}

func TestConfig_AttributesWinOverEnv(t *testing.T) {
	clearEnv(t)
	t.Setenv(EnvHost, "env.example")
	t.Setenv(EnvToken, "env-token")
	t.Setenv(EnvInsecure, "true")
	t.Setenv(EnvConfigPath, "/env/config")
	t.Setenv(EnvConfigPaths, "/env/a")
	t.Setenv(EnvProxyURL, "http://env-proxy")

	m := nullModel()
	m.Host = types.StringValue("attr.example")
	m.Token = types.StringValue("attr-token")
	m.Insecure = types.BoolValue(false)
	m.ConfigPaths = stringList("/attr/a", "/attr/b")
	m.ProxyURL = types.StringValue("") // explicitly empty: no fallback

	got := mustConfig(t, m)
	if got.Host != "attr.example" || got.Token != "attr-token" || got.Insecure {
		t.Errorf("attributes did not win: %+v", got)
	}
	// Setting either path attribute disables both path variables.
	if got.ConfigPath != "" || !reflect.DeepEqual(got.ConfigPaths, []string{"/attr/a", "/attr/b"}) {
		t.Errorf("paths: %q %q", got.ConfigPath, got.ConfigPaths)
	}
	if got.ProxyURL != "" {
		t.Errorf("ProxyURL = %q, want empty", got.ProxyURL)
	}
}

func TestConfig_InvalidEnv(t *testing.T) {
	clearEnv(t)
	t.Setenv(EnvInsecure, "maybe")
	_, diags, _ := nullModel().Config(context.Background())
	assertAttrError(t, diags, path.Root(AttrInsecure), "KUBE_INSECURE")

	clearEnv(t)
	t.Setenv(EnvHost, "h")
	t.Setenv(EnvProxyURL, "ftp://proxy")
	_, diags, _ = nullModel().Config(context.Background())
	assertAttrError(t, diags, path.Root(AttrProxyURL), "KUBE_PROXY_URL")
}

func assertAttrError(t *testing.T, diags diag.Diagnostics, p path.Path, contains string) {
	t.Helper()
	if !diags.HasError() {
		t.Fatalf("expected an error at %s", p)
	}
	for _, d := range diags.Errors() {
		wp, ok := d.(diag.DiagnosticWithPath)
		if ok && wp.Path().Equal(p) && strings.Contains(d.Detail()+d.Summary(), contains) {
			return
		}
	}
	t.Errorf("no error at %s containing %q in %v", p, contains, diags)
}

func TestConfig_Unknown(t *testing.T) {
	clearEnv(t)
	unknownExecArg := ExecModel{
		APIVersion: types.StringValue("client.authentication.k8s.io/v1"),
		Command:    types.StringValue("cmd"),
		Args:       types.ListValueMust(types.StringType, []attr.Value{types.StringUnknown()}),
		Env:        types.MapNull(types.StringType),
	}
	unknownExecEnv := unknownExecArg
	unknownExecEnv.Args = types.ListNull(types.StringType)
	unknownExecEnv.Env = types.MapValueMust(types.StringType, map[string]attr.Value{"A": types.StringUnknown()})

	cases := map[string]func(*Model){
		"host":         func(m *Model) { m.Host = types.StringUnknown() },
		"token":        func(m *Model) { m.Token = types.StringUnknown() },
		"insecure":     func(m *Model) { m.Insecure = types.BoolUnknown() },
		"config_paths": func(m *Model) { m.ConfigPaths = types.ListUnknown(types.StringType) },
		"config_paths[0]": func(m *Model) {
			m.ConfigPaths = types.ListValueMust(types.StringType, []attr.Value{types.StringUnknown()})
		},
		"exec":         func(m *Model) { m.Exec = types.ObjectUnknown(ExecAttrTypes()) },
		"exec.args[0]": func(m *Model) { m.Exec = execObject(t, unknownExecArg) },
		"exec.env.A":   func(m *Model) { m.Exec = execObject(t, unknownExecEnv) },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			m := nullModel()
			m.Host = types.StringValue("known.example")
			mutate(&m)
			cfg, diags, unknown := m.Config(context.Background())
			if !unknown {
				t.Error("unknown = false")
			}
			if diags.HasError() {
				t.Errorf("diagnostics: %v", diags)
			}
			if !reflect.DeepEqual(cfg, kube.Config{}) {
				t.Errorf("config not empty: %+v", cfg)
			}
		})
	}

	rm := ResourceModel{Model: nullModel(), KubeconfigWO: types.StringUnknown()}
	if _, _, unknown := rm.Config(context.Background(), path.Root("kubernetes")); !unknown {
		t.Error("unknown kubeconfig_wo not reported")
	}
}

func TestConfig_Exec(t *testing.T) {
	clearEnv(t)
	m := nullModel()
	m.Host = types.StringValue("https://h.example")
	m.Exec = execObject(t, ExecModel{
		APIVersion: types.StringValue("client.authentication.k8s.io/v1beta1"),
		Command:    types.StringValue("aws"),
		Args:       stringList("eks", "get-token", "--cluster-name", "c"),
		Env:        types.MapValueMust(types.StringType, map[string]attr.Value{"AWS_PROFILE": types.StringValue("p")}),
	})
	got := mustConfig(t, m).Exec
	want := &kube.ExecConfig{
		APIVersion: "client.authentication.k8s.io/v1beta1",
		Command:    "aws",
		Args:       []string{"eks", "get-token", "--cluster-name", "c"},
		Env:        map[string]string{"AWS_PROFILE": "p"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("exec = %+v, want %+v", got, want)
	}

	// Optional members may be null.
	m.Exec = execObject(t, ExecModel{
		APIVersion: types.StringValue("client.authentication.k8s.io/v1"),
		Command:    types.StringValue("cmd"),
		Args:       types.ListNull(types.StringType),
		Env:        types.MapNull(types.StringType),
	})
	got = mustConfig(t, m).Exec
	if got == nil || got.Command != "cmd" || got.Args != nil || got.Env != nil {
		t.Errorf("exec = %+v", got)
	}

	// Validation errors point into the exec object.
	m.Exec = execObject(t, ExecModel{
		APIVersion: types.StringValue("client.authentication.k8s.io/v1alpha1"),
		Command:    types.StringValue("cmd"),
		Args:       types.ListNull(types.StringType),
		Env:        types.MapNull(types.StringType),
	})
	_, diags, _ := m.Config(context.Background())
	assertAttrError(t, diags, path.Root(AttrExec).AtName(AttrExecAPIVersion), "v1alpha1")
}

func TestResourceModelConfig(t *testing.T) {
	clearEnv(t)
	t.Setenv(EnvHost, "env.example") // must be ignored by resources
	t.Setenv(EnvToken, "env-token")

	base := path.Root("kubernetes")
	rm := ResourceModel{Model: nullModel(), KubeconfigWO: types.StringNull()}
	if !rm.IsEmpty() {
		t.Error("IsEmpty() = false for an all-null model")
	}
	cfg, diags, unknown := rm.Config(context.Background(), base)
	if diags.HasError() || unknown {
		t.Fatalf("diags=%v unknown=%v", diags, unknown)
	}
	if !reflect.DeepEqual(cfg, kube.Config{}) {
		t.Errorf("environment leaked into a resource connection: %+v", cfg)
	}

	rm.KubeconfigWO = types.StringValue("apiVersion: v1\nkind: Config\n")
	rm.ConfigContext = types.StringValue("downstream")
	if rm.IsEmpty() {
		t.Error("IsEmpty() = true")
	}
	cfg, diags, _ = rm.Config(context.Background(), base)
	if diags.HasError() {
		t.Fatal(diags)
	}
	if cfg.Kubeconfig != "apiVersion: v1\nkind: Config\n" || cfg.ConfigContext != "downstream" {
		t.Errorf("cfg = %+v", cfg)
	}

	// Errors are attached below the base path.
	rm.ConfigPath = types.StringValue("/some/file")
	_, diags, _ = rm.Config(context.Background(), base)
	assertAttrError(t, diags, base.AtName(AttrKubeconfigWO), "config_path")
}

func TestDiagnostic(t *testing.T) {
	base := path.Root("kubernetes")
	d := Diagnostic(base, "s", &kube.SettingError{Setting: "exec.command", Message: "m"})
	if wp, ok := d.(diag.DiagnosticWithPath); !ok || !wp.Path().Equal(base.AtName("exec").AtName("command")) {
		t.Errorf("diagnostic path: %v", d)
	}
	d = Diagnostic(path.Empty(), "s", &kube.SettingError{Message: "no connection"})
	if _, ok := d.(diag.DiagnosticWithPath); ok {
		t.Errorf("diagnostic without setting has a path: %v", d)
	}
	if d.Detail() != "no connection" || d.Summary() != "s" {
		t.Errorf("diagnostic = %q / %q", d.Summary(), d.Detail())
	}
}
