package resources

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	k8stypes "k8s.io/apimachinery/pkg/types"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/restmapper"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"

	"github.com/fleetform/terraform-provider-fleet/internal/kube"
)

// Rancher's import manifest (pkg/systemtemplate) installs its cluster agent:
// the cattle-system namespace, RBAC, a credentials Secret holding the
// registration token, and the cattle-cluster-agent Deployment. The provider
// downloads it, applies every object with server-side apply, and remembers
// what it applied (kind, namespace, name: never the content, which holds the
// token).

const (
	importAgentNamespace  = "cattle-system"
	importAgentDeployment = "cattle-cluster-agent"
	// maxManifestSize bounds the download; Rancher's manifest is ~10 KiB.
	maxManifestSize            = 4 << 20
	downstreamDiscoveryTimeout = 30 * time.Second
)

// rancherRedeployManagers are the field managers Rancher's own changes to
// the imported objects come with: once connected, Rancher redeploys its
// agent through the cluster's tunnel with `kubectl apply`
// (pkg/controllers/management/clusterdeploy). Fields they take over are
// Rancher's, not drift.
var rancherRedeployManagers = map[string]bool{"kubectl-client-side-apply": true}

// objectRef names one applied object.
type objectRef struct {
	APIVersion, Kind, Namespace, Name string
}

func refOf(u *unstructured.Unstructured) objectRef {
	return objectRef{APIVersion: u.GetAPIVersion(), Kind: u.GetKind(), Namespace: u.GetNamespace(), Name: u.GetName()}
}

// String is how drifted_objects names the object.
func (r objectRef) String() string {
	if r.Namespace == "" {
		return fmt.Sprintf("%s %s %s", r.APIVersion, r.Kind, r.Name)
	}
	return fmt.Sprintf("%s %s %s/%s", r.APIVersion, r.Kind, r.Namespace, r.Name)
}

// redact hides the registration token in text bound for diagnostics.
func redact(text, token string) string {
	if token == "" {
		return text
	}
	return strings.ReplaceAll(text, token, "<token>")
}

// fetchImportManifest downloads the manifest. rancherCA (PEM) replaces the
// system's CAs; insecure skips verification. The proxy comes from the
// environment (HTTPS_PROXY, NO_PROXY), as for any HTTPS client.
func fetchImportManifest(ctx context.Context, manifestURL, token, rancherCA string, insecure bool) ([]byte, error) {
	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: insecure} //nolint:gosec // the user's explicit choice
	if rancherCA != "" {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM([]byte(rancherCA)) {
			return nil, errors.New("rancher_ca holds no PEM certificate")
		}
		tlsConfig.RootCAs = pool
	}
	client := &http.Client{Transport: &http.Transport{Proxy: http.ProxyFromEnvironment, TLSClientConfig: tlsConfig}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, manifestURL, nil)
	if err != nil {
		return nil, errors.New(redact(err.Error(), token))
	}
	resp, err := client.Do(req)
	if err != nil {
		hint := ""
		if errors.As(err, new(*tls.CertificateVerificationError)) || errors.As(err, new(x509.UnknownAuthorityError)) {
			hint = " (set rancher_ca to the CA of Rancher's certificate)"
		}
		return nil, fmt.Errorf("download the import manifest: %s%s", redact(err.Error(), token), hint)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxManifestSize+1))
	if err != nil {
		return nil, fmt.Errorf("download the import manifest: %s", redact(err.Error(), token))
	}
	if resp.StatusCode != http.StatusOK {
		excerpt := strings.TrimSpace(string(body))
		if len(excerpt) > 300 {
			excerpt = excerpt[:300] + "..."
		}
		return nil, fmt.Errorf("download the import manifest from %s: %s: %s",
			redact(manifestURL, token), resp.Status, redact(excerpt, token))
	}
	if len(body) > maxManifestSize {
		return nil, fmt.Errorf("the import manifest at %s is larger than %d bytes", redact(manifestURL, token), maxManifestSize)
	}
	return body, nil
}

// parseImportManifest splits the manifest into its objects and checks that
// it is Rancher's import manifest (it deploys cattle-cluster-agent), not,
// say, a proxy's error page.
func parseImportManifest(data []byte) ([]*unstructured.Unstructured, error) {
	decoder := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var objects []*unstructured.Unstructured
	hasAgent := false
	for i := 1; ; i++ {
		var raw map[string]any
		if err := decoder.Decode(&raw); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, fmt.Errorf("the import manifest is not YAML (document %d): %v", i, err)
		}
		if len(raw) == 0 {
			continue
		}
		u := &unstructured.Unstructured{Object: raw}
		if u.GetAPIVersion() == "" || u.GetKind() == "" || u.GetName() == "" {
			return nil, fmt.Errorf("document %d of the import manifest is not a Kubernetes object (apiVersion, kind and metadata.name are required)", i)
		}
		hasAgent = hasAgent || (u.GetKind() == "Deployment" && u.GetNamespace() == importAgentNamespace && u.GetName() == importAgentDeployment)
		objects = append(objects, u)
	}
	if !hasAgent {
		return nil, fmt.Errorf("the document is not a Rancher import manifest: it has no Deployment %s/%s", importAgentNamespace, importAgentDeployment)
	}
	return objects, nil
}

// downstream is a connection to the cluster being imported, with a REST
// mapper from one discovery.
type downstream struct {
	dynamic dynamic.Interface
	mapper  meta.RESTMapper
}

func connectDownstream(cfg kube.Config) (*downstream, error) {
	client := kube.NewClient(cfg)
	rc, err := client.RESTConfig()
	if err != nil {
		return nil, err
	}
	dyn, err := client.Dynamic()
	if err != nil {
		return nil, err
	}
	// Discovery takes no context: bound it, so that an unreachable cluster
	// fails in seconds rather than at the end of the create timeout.
	rc.Timeout = downstreamDiscoveryTimeout
	dc, err := discovery.NewDiscoveryClientForConfig(rc)
	if err != nil {
		return nil, err
	}
	groups, err := restmapper.GetAPIGroupResources(dc)
	if err != nil {
		return nil, fmt.Errorf("discover the APIs of the downstream cluster: %w", err)
	}
	return &downstream{dynamic: dyn, mapper: restmapper.NewDiscoveryRESTMapper(groups)}, nil
}

// resource returns the client for ref's kind, in ref's namespace when the
// kind is namespaced, and whether it is.
func (d *downstream) resource(ref objectRef) (dynamic.ResourceInterface, bool, error) {
	gv, err := schema.ParseGroupVersion(ref.APIVersion)
	if err != nil {
		return nil, false, err
	}
	mapping, err := d.mapper.RESTMapping(gv.WithKind(ref.Kind).GroupKind(), gv.Version)
	if err != nil {
		return nil, false, fmt.Errorf("the downstream cluster does not serve %s %s: %w", ref.APIVersion, ref.Kind, err)
	}
	if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
		return d.dynamic.Resource(mapping.Resource).Namespace(ref.Namespace), true, nil
	}
	return d.dynamic.Resource(mapping.Resource), false, nil
}

// plannedObject is a manifest object ready to apply.
type plannedObject struct {
	obj    *unstructured.Unstructured
	client dynamic.ResourceInterface
}

// plan maps every object before anything is written, so that a manifest the
// cluster cannot take fails as a whole. Rancher's template gives some
// cluster-scoped objects a namespace; it is dropped, as kubectl does.
func (d *downstream) plan(objects []*unstructured.Unstructured) ([]plannedObject, error) {
	out := make([]plannedObject, 0, len(objects))
	for _, obj := range objects {
		client, namespaced, err := d.resource(refOf(obj))
		if err != nil {
			return nil, err
		}
		if !namespaced {
			obj.SetNamespace("")
		}
		out = append(out, plannedObject{obj: obj, client: client})
	}
	return out, nil
}

// appliedObject is what the state remembers of an applied object, and the
// fields the provider owns after the apply (field names only, from
// managedFields), kept in private state for drift detection.
type appliedObject struct {
	Ref objectRef
	// Created: the object did not exist before the provider applied it, so
	// destroy deletes it.
	Created bool
	Fields  json.RawMessage
}

// apply writes one object with server-side apply as the provider's field
// manager, forcing conflicts (Rancher's manifest is the source of truth).
func (p plannedObject) apply(ctx context.Context) (appliedObject, error) {
	ref := refOf(p.obj)
	_, err := p.client.Get(ctx, ref.Name, metav1.GetOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return appliedObject{}, fmt.Errorf("read %s: %w", ref, err)
	}
	created := apierrors.IsNotFound(err)
	body, err := json.Marshal(p.obj.Object)
	if err != nil {
		return appliedObject{}, err
	}
	force := true
	live, err := p.client.Patch(ctx, ref.Name, k8stypes.ApplyPatchType, body, metav1.PatchOptions{FieldManager: FieldManager, Force: &force})
	if err != nil {
		// The error names the object; Secret data is never part of it.
		return appliedObject{}, fmt.Errorf("apply %s: %w", ref, err)
	}
	return appliedObject{Ref: ref, Created: created, Fields: ownFields(live)}, nil
}

// ownFields returns the fields the provider's apply owns in obj.
func ownFields(obj *unstructured.Unstructured) json.RawMessage {
	for _, f := range obj.GetManagedFields() {
		if f.Manager == FieldManager && f.Operation == metav1.ManagedFieldsOperationApply && f.Subresource == "" && f.FieldsV1 != nil {
			return json.RawMessage(f.FieldsV1.Raw)
		}
	}
	return nil
}

// drift tells whether an applied object was deleted or changed by someone
// else than the provider and Rancher since it was applied; "" when not.
// Fields the provider applied that another manager now owns, or nobody
// (removed), are changes; fields Rancher's redeploy took over are not.
func (d *downstream) drift(ctx context.Context, applied appliedObject) (string, error) {
	client, _, err := d.resource(applied.Ref)
	if err != nil {
		return "", err
	}
	live, err := client.Get(ctx, applied.Ref.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return "deleted", nil
	}
	if err != nil {
		return "", fmt.Errorf("read %s: %w", applied.Ref, err)
	}
	if len(applied.Fields) == 0 {
		return "", nil // nothing recorded (imported): existence is all that is checked
	}
	recorded, err := fieldSet(applied.Fields)
	if err != nil {
		return "", err
	}
	current, err := fieldSet(ownFields(live))
	if err != nil {
		return "", err
	}
	lost := recorded.Difference(current)
	if lost.Empty() {
		return "", nil
	}
	var changedBy []string
	for _, f := range live.GetManagedFields() {
		if f.Manager == FieldManager || f.FieldsV1 == nil {
			continue
		}
		theirs, err := fieldSet(f.FieldsV1.Raw)
		if err != nil {
			return "", err
		}
		if taken := lost.Intersection(theirs); !taken.Empty() {
			lost = lost.Difference(taken)
			if !rancherRedeployManagers[f.Manager] {
				changedBy = append(changedBy, f.Manager)
			}
		}
	}
	switch {
	case len(changedBy) > 0:
		sort.Strings(changedBy)
		return "changed by " + strings.Join(changedBy, ", "), nil
	case !lost.Empty():
		return "fields removed", nil
	}
	return "", nil
}

func fieldSet(raw []byte) (*fieldpath.Set, error) {
	s := &fieldpath.Set{}
	if len(raw) == 0 {
		return s, nil
	}
	if err := s.FromJSON(bytes.NewReader(raw)); err != nil {
		return nil, fmt.Errorf("parse managed fields: %w", err)
	}
	return s, nil
}

// remove deletes the object when it is there, and reports whether it is gone.
func (d *downstream) remove(ctx context.Context, ref objectRef) (bool, error) {
	client, _, err := d.resource(ref)
	if err != nil {
		return false, err
	}
	propagation := metav1.DeletePropagationBackground
	err = client.Delete(ctx, ref.Name, metav1.DeleteOptions{PropagationPolicy: &propagation})
	if apierrors.IsNotFound(err) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("delete %s: %w", ref, err)
	}
	return false, nil
}
