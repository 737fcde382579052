package downstream

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	k8stypes "k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"

	"github.com/fleetform/terraform-provider-fleet/internal/framework"
)

// ObjectRef names one applied object.
type ObjectRef struct {
	APIVersion, Kind, Namespace, Name string
}

func refOf(u *unstructured.Unstructured) ObjectRef {
	return ObjectRef{APIVersion: u.GetAPIVersion(), Kind: u.GetKind(), Namespace: u.GetNamespace(), Name: u.GetName()}
}

// String is how drifted_objects names the object.
func (r ObjectRef) String() string {
	if r.Namespace == "" {
		return fmt.Sprintf("%s %s %s", r.APIVersion, r.Kind, r.Name)
	}
	return fmt.Sprintf("%s %s %s/%s", r.APIVersion, r.Kind, r.Namespace, r.Name)
}

// Resource returns the client for ref's kind, in ref's namespace when the
// Kind is namespaced, and whether it is.
func (c *Cluster) Resource(ref ObjectRef) (dynamic.ResourceInterface, bool, error) {
	gv, err := schema.ParseGroupVersion(ref.APIVersion)
	if err != nil {
		return nil, false, err
	}
	mapper, err := c.restMapper()
	if err != nil {
		return nil, false, err
	}
	mapping, err := mapper.RESTMapping(gv.WithKind(ref.Kind).GroupKind(), gv.Version)
	if err != nil {
		return nil, false, fmt.Errorf("the downstream cluster does not serve %s %s: %w", ref.APIVersion, ref.Kind, err)
	}
	if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
		return c.dynamic.Resource(mapping.Resource).Namespace(ref.Namespace), true, nil
	}
	return c.dynamic.Resource(mapping.Resource), false, nil
}

// PlannedObject is a manifest object ready to apply.
type PlannedObject struct {
	obj    *unstructured.Unstructured
	client dynamic.ResourceInterface
}

// Plan maps every object before anything is written, so that a manifest the
// cluster cannot take fails as a whole. Rancher's template gives some
// cluster-scoped objects a namespace; it is dropped, as kubectl does.
func (c *Cluster) Plan(objects []*unstructured.Unstructured) ([]PlannedObject, error) {
	out := make([]PlannedObject, 0, len(objects))
	for _, obj := range objects {
		client, namespaced, err := c.Resource(refOf(obj))
		if err != nil {
			return nil, err
		}
		if !namespaced {
			obj.SetNamespace("")
		}
		out = append(out, PlannedObject{obj: obj, client: client})
	}
	return out, nil
}

// AppliedObject is what the state remembers of an applied object, and the
// fields the provider owns after the apply (field names only, from
// managedFields), kept in private state for drift detection.
type AppliedObject struct {
	Ref ObjectRef
	// Created: the object did not exist before the provider applied it, so
	// destroy deletes it.
	Created bool
	Fields  json.RawMessage
}

// Apply writes one object with server-side apply as the provider's field
// manager, forcing conflicts (Rancher's manifest is the source of truth).
func (p PlannedObject) Apply(ctx context.Context) (AppliedObject, error) {
	ref := refOf(p.obj)
	_, err := p.client.Get(ctx, ref.Name, metav1.GetOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return AppliedObject{}, fmt.Errorf("read %s: %w", ref, err)
	}
	created := apierrors.IsNotFound(err)
	body, err := json.Marshal(p.obj.Object)
	if err != nil {
		return AppliedObject{}, err
	}
	force := true
	live, err := p.client.Patch(ctx, ref.Name, k8stypes.ApplyPatchType, body, metav1.PatchOptions{FieldManager: framework.FieldManager, Force: &force})
	if err != nil {
		// The error names the object; Secret data is never part of it.
		return AppliedObject{}, fmt.Errorf("apply %s: %w", ref, err)
	}
	return AppliedObject{Ref: ref, Created: created, Fields: OwnFields(live)}, nil
}

// OwnFields returns the fields the provider's apply owns in obj.
func OwnFields(obj *unstructured.Unstructured) json.RawMessage {
	for _, f := range obj.GetManagedFields() {
		if f.Manager == framework.FieldManager && f.Operation == metav1.ManagedFieldsOperationApply && f.Subresource == "" && f.FieldsV1 != nil {
			return json.RawMessage(f.FieldsV1.Raw)
		}
	}
	return nil
}

// Drift tells whether an applied object was deleted or changed by someone
// else than the provider and Rancher since it was applied; "" when not.
// Fields the provider applied that another manager now owns, or nobody
// (removed), are changes; fields Rancher's redeploy took over are not.
func (c *Cluster) Drift(ctx context.Context, applied AppliedObject, tolerated map[string]bool) (string, error) {
	client, _, err := c.Resource(applied.Ref)
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
	current, err := fieldSet(OwnFields(live))
	if err != nil {
		return "", err
	}
	lost := recorded.Difference(current)
	if lost.Empty() {
		return "", nil
	}
	var changedBy []string
	for _, f := range live.GetManagedFields() {
		if f.Manager == framework.FieldManager || f.FieldsV1 == nil {
			continue
		}
		theirs, err := fieldSet(f.FieldsV1.Raw)
		if err != nil {
			return "", err
		}
		if taken := lost.Intersection(theirs); !taken.Empty() {
			lost = lost.Difference(taken)
			if !tolerated[f.Manager] {
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

// Remove deletes the object when it is there, and reports whether it is gone.
func (c *Cluster) Remove(ctx context.Context, ref ObjectRef) (bool, error) {
	client, _, err := c.Resource(ref)
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

// Gone reports whether the object no longer exists.
func (c *Cluster) Gone(ctx context.Context, ref ObjectRef) (bool, error) {
	client, _, err := c.Resource(ref)
	if err != nil {
		return false, err
	}
	_, err = client.Get(ctx, ref.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return true, nil
	}
	return false, err
}
