package framework

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
	"strconv"
	"sync"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/fleetform/terraform-provider-fleet/internal/kube"
)

// A refresh reads every object of the state, one Read call each, and a
// configuration with many objects usually has many of one kind in one
// namespace. Read serves them from one LIST of that kind and namespace
// instead of a GET each: the first Read of a kind and namespace is a GET
// (one object costs what it did), the second lists them all, and that list
// serves every later Read, of objects that were there and of ones that
// were not (deleted out of band: not found, as a GET would say).
//
// The list is as fresh as a GET at the time it was made. It lives as long as
// the kube.Client, one provider configuration, which Terraform makes anew for
// every plan and apply, so a refresh never sees an object older than that
// command. And a list made before the provider's own last write is never
// used again (kube.Client.Writes): a Read after a write sees it.

// pageSize is how many objects one page of the LIST holds: a namespace of
// 10,000 objects takes 20 requests, not one answer of the whole size.
const pageSize = 500

// readsKey is the kube.Client.Cached key of a client's listings.
const readsKey = "framework.listings"

// listings are the lists of one kube.Client, by kind and namespace.
type listings struct {
	mu    sync.Mutex
	kinds map[listingKey]*kindReads
}

type listingKey struct {
	gvr       schema.GroupVersionResource
	namespace string
}

// kindReads is what the Reads of one kind and namespace share.
type kindReads struct {
	reads   int      // since the last write
	listing *listing // nil until the second Read since the last write
}

// listing is one LIST of a kind and namespace.
type listing struct {
	done    chan struct{} // closed when objects and err are set
	writes  uint64        // kube.Client.Writes when it was asked for
	objects map[string]json.RawMessage
	err     error
}

// Read returns the object, or ErrNotFound, like Get; see above for when it
// reads it from a list of its kind and namespace.
func (a ObjectAPI[T]) Read(ctx context.Context, c *kube.Client, namespace, name string) (*T, error) {
	v, err := c.Cached(readsKey, func() (any, error) { return &listings{kinds: map[listingKey]*kindReads{}}, nil })
	if err != nil {
		return nil, err
	}
	l := v.(*listings).forRead(ctx, c, listingKey{a.GVR, namespace}, func(ctx context.Context) (map[string]json.RawMessage, error) {
		return a.list(ctx, c, namespace)
	})
	if l == nil || l.err != nil {
		// The first Read, or the list failed (a role may allow get and not
		// list): a GET answers as before.
		return a.Get(ctx, c, namespace, name)
	}
	raw, ok := l.objects[name]
	if !ok {
		return nil, ErrNotFound
	}
	out := new(T)
	if err := json.Unmarshal(raw, out); err != nil {
		return nil, fmt.Errorf("read %s %s/%s: %w", a.Kind, namespace, name, err)
	}
	return out, nil
}

// forRead returns the listing a Read of key uses, listing the objects with
// list when none is current (the caller's ctx bounds the list; others wait
// for it); nil for the first Read since the client's last write.
func (ls *listings) forRead(ctx context.Context, c *kube.Client, key listingKey, list func(context.Context) (map[string]json.RawMessage, error)) *listing {
	ls.mu.Lock()
	writes := c.Writes()
	k := ls.kinds[key]
	if k == nil || (k.listing != nil && k.listing.writes != writes) {
		k = &kindReads{}
		ls.kinds[key] = k
	}
	k.reads++
	if k.reads == 1 {
		ls.mu.Unlock()
		return nil
	}
	l := k.listing
	if l == nil {
		l = &listing{done: make(chan struct{}), writes: writes}
		k.listing = l
		ls.mu.Unlock()
		l.objects, l.err = list(ctx)
		close(l.done)
		return l
	}
	ls.mu.Unlock()
	select {
	case <-l.done:
		return l
	case <-ctx.Done():
		return &listing{err: ctx.Err()}
	}
}

// list reads every object of the kind in the namespace, page by page, as
// JSON by name: a Read decodes only its own object, straight into T.
func (a ObjectAPI[T]) list(ctx context.Context, c *kube.Client, namespace string) (map[string]json.RawMessage, error) {
	core, err := c.Core()
	if err != nil {
		return nil, err
	}
	objects := map[string]json.RawMessage{}
	for continueToken := ""; ; {
		req := core.Discovery().RESTClient().Get().AbsPath(a.namespacedPath(namespace)).Param("limit", strconv.Itoa(pageSize))
		if continueToken != "" {
			req = req.Param("continue", continueToken)
		}
		raw, err := req.DoRaw(ctx)
		if err != nil {
			return nil, err
		}
		var page struct {
			Metadata struct {
				Continue string `json:"continue"`
			} `json:"metadata"`
			Items []json.RawMessage `json:"items"`
		}
		if err := json.Unmarshal(raw, &page); err != nil {
			return nil, err
		}
		for _, item := range page.Items {
			var named struct {
				Metadata struct {
					Name string `json:"name"`
				} `json:"metadata"`
			}
			if err := json.Unmarshal(item, &named); err != nil {
				return nil, err
			}
			objects[named.Metadata.Name] = item
		}
		if continueToken = page.Metadata.Continue; continueToken == "" {
			return objects, nil
		}
	}
}

// namespacedPath is the API path of the kind's objects in a namespace.
func (a ObjectAPI[T]) namespacedPath(namespace string) string {
	if a.GVR.Group == "" {
		return path.Join("/api", a.GVR.Version, "namespaces", namespace, a.GVR.Resource)
	}
	return path.Join("/apis", a.GVR.Group, a.GVR.Version, "namespaces", namespace, a.GVR.Resource)
}
