package testenv

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

// rancherCRDs are Rancher's real provisioning.cattle.io Cluster CRD (v2.15)
// and minimal management.cattle.io ones (see the files for why).
//
//go:embed testdata/rancher/*.yaml
var rancherCRDs embed.FS

// InstallRancherCRDs installs, on the upstream cluster, the Rancher CRDs the
// provider's Rancher resources work with, and waits until they are served.
// Start does not install them: only the Rancher tests need them. It is
// idempotent and safe to call from tests running in parallel.
func (e *Env) InstallRancherCRDs(ctx context.Context) error {
	return e.installCRDFiles(ctx, rancherCRDs, "testdata/rancher", "Rancher CRDs")
}

// installCRDFiles creates every CRD of the YAML files in dir of files that
// is not there yet, and waits until they are all served; what names them in
// errors.
func (e *Env) installCRDFiles(ctx context.Context, files embed.FS, dir, what string) error {
	entries, err := files.ReadDir(dir)
	if err != nil {
		return err
	}
	var names []string
	for _, f := range entries {
		data, err := files.ReadFile(dir + "/" + f.Name())
		if err != nil {
			return err
		}
		decoder := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
		for {
			var obj unstructured.Unstructured
			if err := decoder.Decode(&obj.Object); err != nil {
				if errors.Is(err, io.EOF) {
					break
				}
				return fmt.Errorf("%s in %s: %w", what, f.Name(), err)
			}
			if obj.Object == nil {
				continue
			}
			if _, err := e.Upstream.Dynamic.Resource(crdGVR).Create(ctx, &obj, metav1.CreateOptions{}); ignoreAlreadyExists(err) != nil {
				return fmt.Errorf("create CRD %s: %w", obj.GetName(), err)
			}
			names = append(names, obj.GetName())
		}
	}
	return waitFor(ctx, what, time.Minute, nil, func(ctx context.Context) error {
		for _, name := range names {
			crd, err := e.Upstream.Dynamic.Resource(crdGVR).Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return err
			}
			if !hasCondition(crd, "Established") {
				return fmt.Errorf("CRD %s not established", name)
			}
		}
		return nil
	})
}
