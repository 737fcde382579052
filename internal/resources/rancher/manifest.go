package rancher

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
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
	maxManifestSize = 4 << 20
)

// rancherRedeployManagers are the field managers Rancher's own changes to
// the imported objects come with: once connected, Rancher redeploys its
// agent through the cluster's tunnel with `kubectl apply`
// (pkg/controllers/management/clusterdeploy). Fields they take over are
// Rancher's, not drift.
var rancherRedeployManagers = map[string]bool{"kubectl-client-side-apply": true}

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
	client := &http.Client{Transport: &http.Transport{Proxy: http.ProxyFromEnvironment, TLSClientConfig: tlsConfig}, CheckRedirect: refuseDowngrade}
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

// refuseDowngrade follows redirects as Go does, except from https to http:
// the manifest carries the registration token and is applied with the
// connection's rights, so it must not leave TLS on the way.
func refuseDowngrade(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	if via[0].URL.Scheme == "https" && req.URL.Scheme != "https" {
		return fmt.Errorf("refused a redirect from https to %s://%s: the manifest must come over TLS", req.URL.Scheme, req.URL.Host)
	}
	return nil
}
