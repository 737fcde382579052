package framework

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	k8stypes "k8s.io/apimachinery/pkg/types"

	"github.com/fleetform/terraform-provider-fleet/internal/kube"
)

// List returns the objects of a namespace matching a label selector (in
// the string form of labels.Selector; empty selects all).
func (a ObjectAPI[T]) List(ctx context.Context, c *kube.Client, namespace, selector string) ([]T, error) {
	dyn, err := c.Dynamic()
	if err != nil {
		return nil, err
	}
	l, err := dyn.Resource(a.GVR).Namespace(namespace).List(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		return nil, fmt.Errorf("list %s objects in namespace %s: %w", a.Kind, namespace, a.explain(ctx, c, err))
	}
	out := make([]T, 0, len(l.Items))
	for _, item := range l.Items {
		obj, err := decode[T](item.Object)
		if err != nil {
			return nil, err
		}
		out = append(out, *obj)
	}
	return out, nil
}

// FieldManager is the one server-side apply field manager of the provider.
const FieldManager = "terraform-provider-fleet"

// ErrNotFound reports an object that does not exist (any more).
var ErrNotFound = errors.New("not found")

// ObjectAPI reads and writes one kind of namespaced object as the typed Go
// value T, through the dynamic client (no discovery calls).
type ObjectAPI[T any] struct {
	GVR  schema.GroupVersionResource
	Kind string
}

// Get returns the object, or ErrNotFound.
func (a ObjectAPI[T]) Get(ctx context.Context, c *kube.Client, namespace, name string) (*T, error) {
	dyn, err := c.Dynamic()
	if err != nil {
		return nil, err
	}
	u, err := dyn.Resource(a.GVR).Namespace(namespace).Get(ctx, name, metav1.GetOptions{})
	if objectNotFound(err) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read %s %s/%s: %w", a.Kind, namespace, name, a.explain(ctx, c, err))
	}
	return decode[T](u.Object)
}

// objectNotFound reports a 404 about the object itself, which names it. A
// 404 that names no object comes from a type the API server does not serve
// (its CRD is missing, or this is another cluster): reading that as "the
// object is gone" would drop every resource of the type from the state.
func objectNotFound(err error) bool {
	var status apierrors.APIStatus
	if !apierrors.IsNotFound(err) || !errors.As(err, &status) {
		return false
	}
	details := status.Status().Details
	return details != nil && details.Name != ""
}

// explain adds to a 404 that names no object that the type is not served,
// and, when the cluster serves no version of the type's group at all, which
// product is missing (Fleet, Rancher, KubeSphere): the usual cause is a
// connection to a cluster without it.
func (a ObjectAPI[T]) explain(ctx context.Context, c *kube.Client, err error) error {
	if !apierrors.IsNotFound(err) || objectNotFound(err) {
		return err
	}
	if product, ok := groupProducts[a.GVR.Group]; ok && !groupServed(ctx, c, a.GVR.Group) {
		return fmt.Errorf("%s is not installed on this cluster (no %s API): install it, or check the provider's connection. %w",
			product, a.GVR.Group, err)
	}
	return fmt.Errorf("the API server does not serve %s (%s): is the CRD installed, and is this the right cluster? %w",
		a.GVR.GroupResource(), a.GVR.GroupVersion(), err)
}

// groupProducts names the product that installs each API group the provider
// writes to.
var groupProducts = map[string]string{
	"fleet.cattle.io":        "Fleet",
	"management.cattle.io":   "Rancher",
	"provisioning.cattle.io": "Rancher",
	"cluster.kubesphere.io":  "KubeSphere",
}

// groupServed reports whether the cluster serves any version of group. It
// only runs after a 404 for a type, so it costs nothing on the usual path;
// when discovery fails it answers true, leaving the generic message.
func groupServed(ctx context.Context, c *kube.Client, group string) bool {
	core, err := c.Core()
	if err != nil {
		return true
	}
	err = core.Discovery().RESTClient().Get().AbsPath("/apis/" + group).Do(ctx).Error()
	return !apierrors.IsNotFound(err)
}

// Apply sends obj with server-side apply as the provider's field manager and
// returns the object as the server stored it. Only the fields set in obj are
// owned; fields other managers (Fleet's controllers) own are left alone.
func (a ObjectAPI[T]) Apply(ctx context.Context, c *kube.Client, namespace, name string, obj *T) (*T, error) {
	dyn, err := c.Dynamic()
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	force := true
	u, err := dyn.Resource(a.GVR).Namespace(namespace).Patch(ctx, name, k8stypes.ApplyPatchType, body,
		metav1.PatchOptions{FieldManager: FieldManager, Force: &force})
	if err != nil {
		return nil, fmt.Errorf("apply %s %s/%s: %w", a.Kind, namespace, name, a.explain(ctx, c, err))
	}
	return decode[T](u.Object)
}

// Delete deletes the object and waits until it is gone (finalizers run), or
// until ctx ends. It waits for the object it deleted, by UID: one that a
// controller re-creates under the same name is another object.
func (a ObjectAPI[T]) Delete(ctx context.Context, c *kube.Client, namespace, name string) error {
	dyn, err := c.Dynamic()
	if err != nil {
		return err
	}
	objects := dyn.Resource(a.GVR).Namespace(namespace)
	live, err := objects.Get(ctx, name, metav1.GetOptions{})
	if objectNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("delete %s %s/%s: %w", a.Kind, namespace, name, a.explain(ctx, c, err))
	}
	uid := live.GetUID()
	propagation := metav1.DeletePropagationBackground
	err = objects.Delete(ctx, name, metav1.DeleteOptions{PropagationPolicy: &propagation, Preconditions: &metav1.Preconditions{UID: &uid}})
	if objectNotFound(err) || apierrors.IsConflict(err) { // Conflict: the UID precondition failed, the object is another
		return nil
	}
	if err != nil {
		return fmt.Errorf("delete %s %s/%s: %w", a.Kind, namespace, name, a.explain(ctx, c, err))
	}
	err = Poll(ctx, func(ctx context.Context) (bool, error) {
		current, err := objects.Get(ctx, name, metav1.GetOptions{})
		if objectNotFound(err) {
			return true, nil
		}
		if err != nil {
			return false, a.explain(ctx, c, err)
		}
		return current.GetUID() != uid, nil
	})
	if err != nil {
		return fmt.Errorf("waiting for %s %s/%s to be deleted: %w", a.Kind, namespace, name, err)
	}
	return nil
}

// decode converts an unstructured object into T.
func decode[T any](object map[string]any) (*T, error) {
	data, err := json.Marshal(object)
	if err != nil {
		return nil, err
	}
	out := new(T)
	if err := json.Unmarshal(data, out); err != nil {
		return nil, err
	}
	return out, nil
}

// AppliedAt is when the provider's apply last changed the object: the time
// of its entry in the object's managed fields, by the API server's clock, to
// the second. Zero when the provider never applied it.
func AppliedAt(entries []metav1.ManagedFieldsEntry) time.Time {
	for _, e := range entries {
		if e.Manager == FieldManager && e.Operation == metav1.ManagedFieldsOperationApply && e.Subresource == "" && e.Time != nil {
			return e.Time.Time
		}
	}
	return time.Time{}
}
