package fleet

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"
)

// kindCase ties a kind to its Go type, fixture and where its fields live.
type kindCase struct {
	kind     string
	fixture  string
	newObj   func() any
	specType reflect.Type // nil: the fields sit at the top level
}

var kindCases = []kindCase{
	{KindGitRepo, "gitrepo.yaml", func() any { return &GitRepo{} }, reflect.TypeFor[GitRepoSpec]()},
	{KindCluster, "cluster.yaml", func() any { return &Cluster{} }, reflect.TypeFor[ClusterSpec]()},
	{KindClusterGroup, "clustergroup.yaml", func() any { return &ClusterGroup{} }, reflect.TypeFor[ClusterGroupSpec]()},
	{KindClusterRegistrationToken, "clusterregistrationtoken.yaml", func() any { return &ClusterRegistrationToken{} }, reflect.TypeFor[ClusterRegistrationTokenSpec]()},
	{KindHelmOp, "helmop.yaml", func() any { return &HelmOp{} }, reflect.TypeFor[HelmOpSpec]()},
	{KindGitRepoRestriction, "gitreporestriction.yaml", func() any { return &GitRepoRestriction{} }, nil},
	{KindBundleNamespaceMapping, "bundlenamespacemapping.yaml", func() any { return &BundleNamespaceMapping{} }, nil},
	{KindPolicy, "policy.yaml", func() any { return &Policy{} }, nil},
}

func fixtureJSON(t *testing.T, name string) []byte {
	t.Helper()
	y, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	j, err := yaml.YAMLToJSON(y)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return j
}

func generic(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func indent(b []byte) string {
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		return string(b)
	}
	return out.String()
}

// jsonDiff lists the paths where two decoded JSON values differ.
func jsonDiff(path string, a, b any) []string {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		var diffs []string
		for _, k := range sortedKeys(am) {
			diffs = append(diffs, jsonDiff(path+"."+k, am[k], bm[k])...)
		}
		for _, k := range sortedKeys(bm) {
			if _, ok := am[k]; !ok {
				diffs = append(diffs, fmt.Sprintf("%s.%s: added %v", path, k, bm[k]))
			}
		}
		return diffs
	}
	al, aok := a.([]any)
	bl, bok := b.([]any)
	if aok && bok && len(al) == len(bl) {
		var diffs []string
		for i := range al {
			diffs = append(diffs, jsonDiff(fmt.Sprintf("%s[%d]", path, i), al[i], bl[i])...)
		}
		return diffs
	}
	if !reflect.DeepEqual(a, b) {
		return []string{fmt.Sprintf("%s: %v -> %v", path, a, b)}
	}
	return nil
}

// TestRoundTrip decodes a full object of each kind, refusing unknown fields,
// and checks that encoding it again gives the same JSON.
func TestRoundTrip(t *testing.T) {
	for _, c := range kindCases {
		t.Run(c.kind, func(t *testing.T) {
			in := fixtureJSON(t, c.fixture)
			obj := c.newObj()
			dec := json.NewDecoder(bytes.NewReader(in))
			dec.DisallowUnknownFields()
			if err := dec.Decode(obj); err != nil {
				t.Fatalf("decode: %v", err)
			}
			out, err := json.Marshal(obj)
			if err != nil {
				t.Fatal(err)
			}
			if diffs := jsonDiff("", generic(t, in), generic(t, out)); len(diffs) > 0 {
				t.Errorf("round trip changed the object:\n%s\nout: %s", strings.Join(diffs, "\n"), indent(out))
			}
			if got := generic(t, out).(map[string]any)["kind"]; got != c.kind {
				t.Errorf("fixture kind %v, want %s", got, c.kind)
			}
		})
	}
}

// TestZeroSendsNothing checks that a zero spec encodes to {} and a zero object
// to nothing but metadata (and an empty spec).
func TestZeroSendsNothing(t *testing.T) {
	for _, c := range kindCases {
		t.Run(c.kind, func(t *testing.T) {
			if c.specType != nil {
				b, err := json.Marshal(reflect.New(c.specType).Interface())
				if err != nil {
					t.Fatal(err)
				}
				if string(b) != "{}" {
					t.Errorf("zero %s encodes to %s, want {}", c.specType.Name(), b)
				}
			}
			b, err := json.Marshal(c.newObj())
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range generic(t, b).(map[string]any) {
				switch {
				case k == "metadata":
				case k == "spec" && reflect.DeepEqual(v, map[string]any{}):
				default:
					t.Errorf("zero %s sends %s: %v", c.kind, k, v)
				}
			}
		})
	}
}

// TestSpecFieldsOmitted walks every struct type of this package reachable from
// a spec (or from the top level of the spec-less kinds) and checks that each
// field is omitempty/omitzero or inline, and that the zero value encodes to {}.
func TestSpecFieldsOmitted(t *testing.T) {
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type)
	walk = func(typ reflect.Type) {
		typ = deref(typ)
		switch typ.Kind() {
		case reflect.Slice, reflect.Map:
			walk(typ.Elem())
			return
		case reflect.Struct:
		default:
			return
		}
		if typ.PkgPath() != ourPkg || seen[typ] {
			return
		}
		seen[typ] = true
		isObject := false
		for f := range typ.Fields() {
			if f.Type == reflect.TypeFor[Object]() {
				isObject = true // metadata is the caller's business
				continue
			}
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			inline := f.Anonymous && name == ""
			if !inline && !strings.Contains(","+opts+",", ",omitempty,") && !strings.Contains(","+opts+",", ",omitzero,") {
				t.Errorf("%s.%s (%q) is neither omitempty nor omitzero", typ.Name(), f.Name, name)
			}
			walk(f.Type)
		}
		if isObject {
			return // TestZeroSendsNothing checks whole objects
		}
		b, err := json.Marshal(reflect.New(typ).Interface())
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != "{}" {
			t.Errorf("zero %s encodes to %s", typ.Name(), b)
		}
	}
	for _, c := range kindCases {
		if c.specType != nil {
			walk(c.specType)
		} else {
			walk(reflect.TypeOf(c.newObj()))
		}
	}
	if len(seen) < 20 {
		t.Errorf("walked only %d types", len(seen))
	}
}

// TestAgentPullSecrets checks that nil, empty and set encode differently and
// decode back to the same distinction.
func TestAgentPullSecrets(t *testing.T) {
	cases := []struct {
		name  string
		value *[]corev1.LocalObjectReference
		want  string
	}{
		{"nil copies the global secrets", nil, `{}`},
		{"empty means none", &[]corev1.LocalObjectReference{}, `{"agentPullSecrets":[]}`},
		{"set means exactly these", &[]corev1.LocalObjectReference{{Name: "regcred"}}, `{"agentPullSecrets":[{"name":"regcred"}]}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := json.Marshal(ClusterSpec{AgentPullSecrets: c.value})
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != c.want {
				t.Fatalf("got %s, want %s", b, c.want)
			}
			var back ClusterSpec
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			if (back.AgentPullSecrets == nil) != (c.value == nil) {
				t.Fatalf("decoded nil=%v, want nil=%v", back.AgentPullSecrets == nil, c.value == nil)
			}
			if c.value != nil && len(*back.AgentPullSecrets) != len(*c.value) {
				t.Fatalf("decoded %v, want %v", *back.AgentPullSecrets, *c.value)
			}
		})
	}
	var fromNull ClusterSpec
	if err := json.Unmarshal([]byte(`{"agentPullSecrets":null}`), &fromNull); err != nil {
		t.Fatal(err)
	}
	if fromNull.AgentPullSecrets != nil {
		t.Error("null must decode to nil")
	}
}

// TestFalseIsSent checks that a set false is sent while nil is not.
func TestFalseIsSent(t *testing.T) {
	f := false
	b, err := json.Marshal(GitRepoSpec{Paused: &f, CorrectDrift: &CorrectDrift{Enabled: &f}})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"paused":false,"correctDrift":{"enabled":false}}`; string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
}

// TestValuesKeptExactly checks that Helm and template values keep numbers
// that float64 would round, and that an explicitly empty object is sent.
func TestValuesKeptExactly(t *testing.T) {
	in := `{"helm":{"values":{"id":12345678901234567890,"ratio":0.1,"s":"x"}},"pollingInterval":"15s"}`
	var spec HelmOpSpec
	if err := json.Unmarshal([]byte(in), &spec); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != in {
		t.Errorf("got %s, want %s", out, in)
	}
	b, err := json.Marshal(ClusterSpec{TemplateValues: json.RawMessage(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"templateValues":{}}`; string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
}

// TestDurationsCanonical documents that metav1.Duration re-spells durations.
func TestDurationsCanonical(t *testing.T) {
	var spec GitRepoSpec
	if err := json.Unmarshal([]byte(`{"pollingInterval":"1h"}`), &spec); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(spec)
	if want := `{"pollingInterval":"1h0m0s"}`; string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
}

// ---- CRD check ----

const ourPkg = "github.com/fleetform/terraform-provider-fleet/internal/fleet"

// crdSchema is the part of an OpenAPI v3 schema the check reads.
type crdSchema struct {
	Type                 string                `json:"type"`
	Format               string                `json:"format"`
	Properties           map[string]*crdSchema `json:"properties"`
	Items                *crdSchema            `json:"items"`
	AdditionalProperties *crdSchema            `json:"additionalProperties"`
	PreserveUnknown      bool                  `json:"x-kubernetes-preserve-unknown-fields"`
	IntOrString          bool                  `json:"x-kubernetes-int-or-string"`
}

type crdDoc struct {
	Spec struct {
		Names struct {
			Kind string `json:"kind"`
		} `json:"names"`
		Versions []struct {
			Name   string `json:"name"`
			Schema struct {
				OpenAPIV3Schema *crdSchema `json:"openAPIV3Schema"`
			} `json:"schema"`
		} `json:"versions"`
	} `json:"spec"`
}

// fleetCRDs reads Fleet v0.16.0's CRD chart from the module cache, or skips.
func fleetCRDs(t *testing.T) map[string]*crdSchema {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Skipf("go env GOMODCACHE: %v", err)
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "github.com", "rancher", "fleet@v0.16.0")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("Fleet module not in the module cache: %v", err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "charts", "fleet-crd", "templates", "crds.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	schemas := map[string]*crdSchema{}
	for _, doc := range strings.Split(string(raw), "\n---\n") {
		var d crdDoc
		if err := yaml.Unmarshal([]byte(doc), &d); err != nil {
			t.Fatal(err)
		}
		for _, v := range d.Spec.Versions {
			if v.Name == Version && d.Spec.Names.Kind != "" {
				schemas[d.Spec.Names.Kind] = v.Schema.OpenAPIV3Schema
			}
		}
	}
	if len(schemas) < len(kindCases) {
		t.Fatalf("found only %d CRDs", len(schemas))
	}
	return schemas
}

func deref(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// jsonFields maps the JSON names of a struct type to their fields, flattening
// embedded structs the way encoding/json does, and reports duplicates.
func jsonFields(t *testing.T, typ reflect.Type) map[string]reflect.StructField {
	t.Helper()
	fields := map[string]reflect.StructField{}
	for f := range deref(typ).Fields() {
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			for n, sub := range jsonFields(t, f.Type) {
				if _, dup := fields[n]; dup {
					t.Errorf("%s: JSON name %q twice", typ, n)
				}
				fields[n] = sub
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if _, dup := fields[name]; dup {
			t.Errorf("%s: JSON name %q twice", typ, name)
		}
		fields[name] = f
	}
	return fields
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// TestCRDTopLevelNames is the check the names rest on: every property directly
// under spec (or, for the spec-less kinds, at the top level) of the CRD has a
// field with that JSON name.
func TestCRDTopLevelNames(t *testing.T) {
	crds := fleetCRDs(t)
	for _, c := range kindCases {
		t.Run(c.kind, func(t *testing.T) {
			s := crds[c.kind]
			if s == nil {
				t.Fatalf("no CRD for %s", c.kind)
			}
			typ := reflect.TypeOf(c.newObj())
			if c.specType != nil {
				s = s.Properties["spec"]
				typ = c.specType
			}
			have := jsonFields(t, typ)
			for _, name := range sortedKeys(s.Properties) {
				if _, ok := have[name]; !ok {
					t.Errorf("CRD property %q has no field in %s", name, deref(typ).Name())
				}
			}
			for name := range have {
				if _, ok := s.Properties[name]; !ok {
					t.Errorf("field %q of %s is not in the CRD", name, deref(typ).Name())
				}
			}
		})
	}
}

// knownGaps are CRD properties that the shared types of meta.go and
// clustergroup.go do not carry yet: all status, nothing the provider sends.
// Each is a path suffix, optionally for one kind only.
var knownGaps = []struct{ kind, suffix string }{
	{KindClusterGroup, "status.resourceCounts"},
	{"", "conditions[].lastTransitionTime"},
	{"", "nonReadyResources[].modifiedStatus"},
	{"", "nonReadyResources[].nonReadyStatus"},
}

// isKnownGap reports whether path is a known gap and counts the hit in used.
func isKnownGap(kind, path string, used map[int]bool) bool {
	for i, g := range knownGaps {
		if (g.kind == "" || g.kind == kind) && strings.HasSuffix(path, g.suffix) {
			used[i] = true
			return true
		}
	}
	return false
}

// TestCRDDeep compares whole objects with their CRD schema, recursively, in
// both directions: every CRD property has a field and every field a property,
// with a matching type. It stops at Kubernetes' own types (corev1, metav1).
func TestCRDDeep(t *testing.T) {
	crds := fleetCRDs(t)
	used := map[int]bool{}
	for _, c := range kindCases {
		t.Run(c.kind, func(t *testing.T) {
			cmp := crdComparer{t: t, kind: c.kind, usedGaps: used}
			cmp.compare("", reflect.TypeOf(c.newObj()), crds[c.kind])
		})
	}
	for i, g := range knownGaps {
		if !used[i] {
			t.Errorf("known gap %q (%s) no longer occurs: drop it from knownGaps", g.suffix, g.kind)
		}
	}
}

type crdComparer struct {
	t        *testing.T
	kind     string
	usedGaps map[int]bool
}

var (
	timeType     = reflect.TypeFor[metav1.Time]()
	durationType = reflect.TypeFor[metav1.Duration]()
	intstrType   = reflect.TypeFor[intstr.IntOrString]()
	rawType      = reflect.TypeFor[json.RawMessage]()
)

func (c crdComparer) compare(path string, typ reflect.Type, s *crdSchema) {
	t := c.t
	t.Helper()
	typ = deref(typ)
	want := func(crdType string) {
		if s.Type != crdType {
			t.Errorf("%s: Go %s, CRD type %q (want %q)", path, typ, s.Type, crdType)
		}
	}
	switch {
	case typ == rawType:
		if !s.PreserveUnknown {
			t.Errorf("%s: raw JSON but the CRD does not preserve unknown fields", path)
		}
		want("object")
		return
	case typ == timeType:
		want("string")
		if s.Format != "date-time" {
			t.Errorf("%s: time, CRD format %q", path, s.Format)
		}
		return
	case typ == durationType:
		want("string")
		return
	case typ == intstrType:
		if !s.IntOrString {
			t.Errorf("%s: int-or-string, CRD is not", path)
		}
		return
	}
	switch typ.Kind() {
	case reflect.Bool:
		want("boolean")
	case reflect.String:
		want("string")
	case reflect.Int, reflect.Int32, reflect.Int64:
		want("integer")
	case reflect.Slice:
		if typ.Elem().Kind() == reflect.Uint8 {
			want("string")
			if s.Format != "byte" {
				t.Errorf("%s: []byte, CRD format %q", path, s.Format)
			}
			return
		}
		want("array")
		if s.Items != nil {
			c.compare(path+"[]", typ.Elem(), s.Items)
		}
	case reflect.Map:
		want("object")
		if s.AdditionalProperties != nil {
			c.compare(path+"{}", typ.Elem(), s.AdditionalProperties)
		}
	case reflect.Struct:
		want("object")
		if typ.PkgPath() != ourPkg {
			return // a Kubernetes type: its schema is Kubernetes' business
		}
		have := jsonFields(t, typ)
		for _, name := range sortedKeys(s.Properties) {
			p := strings.TrimPrefix(path+"."+name, ".")
			f, ok := have[name]
			if !ok {
				if !isKnownGap(c.kind, p, c.usedGaps) {
					t.Errorf("%s: CRD property has no field in %s", p, typ.Name())
				}
				continue
			}
			c.compare(p, f.Type, s.Properties[name])
		}
		for _, name := range sortedKeys(have) {
			if _, ok := s.Properties[name]; !ok {
				t.Errorf("%s: field of %s is not in the CRD", strings.TrimPrefix(path+"."+name, "."), typ.Name())
			}
		}
	default:
		t.Errorf("%s: unexpected Go kind %s", path, typ.Kind())
	}
}
