package rancher

import (
	"context"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestParseImportManifest(t *testing.T) {
	agent := "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: cattle-cluster-agent\n  namespace: cattle-system\n"
	objects, err := parseImportManifest([]byte("\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: cattle-system\n---\n---\n" + agent))
	if err != nil {
		t.Fatal(err)
	}
	if len(objects) != 2 || objects[0].GetKind() != "Namespace" || objects[1].GetName() != "cattle-cluster-agent" {
		t.Fatalf("objects %v", objects)
	}
	for name, tc := range map[string]struct{ doc, want string }{
		"html page":     {"<html><body>Login</body></html>", "not YAML"},
		"no agent":      {"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: cattle-system\n", "not a Rancher import manifest"},
		"not an object": {agent + "---\nfoo: bar\n", "document 2 of the import manifest is not a Kubernetes object"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := parseImportManifest([]byte(tc.doc)); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
}

// TestFetchImportManifestHidesToken: errors name the URL with the token
// replaced, whatever the server echoes.
func TestFetchImportManifestHidesToken(t *testing.T) {
	const token = "s3cr3ttokenvalue0123456789"
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "missing") {
			http.Error(w, "no cluster for "+r.URL.Path, http.StatusNotFound)
			return
		}
		_, _ = w.Write([]byte("ok"))
	}))
	defer srv.Close()
	ca := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))
	ctx := context.Background()

	if body, err := fetchImportManifest(ctx, srv.URL+"/v3/import/"+token+"_c-m-1.yaml", token, ca, false); err != nil || string(body) != "ok" {
		t.Fatalf("with rancher_ca: %q, %v", body, err)
	}
	if _, err := fetchImportManifest(ctx, srv.URL+"/v3/import/"+token+"_c-m-1.yaml", token, "", true); err != nil {
		t.Fatalf("insecure: %v", err)
	}
	_, err := fetchImportManifest(ctx, srv.URL+"/v3/import/"+token+"_missing.yaml", token, ca, false)
	if err == nil || strings.Contains(err.Error(), token) || !strings.Contains(err.Error(), "404") || !strings.Contains(err.Error(), "<token>_missing") {
		t.Fatalf("HTTP error: %v", err)
	}
	_, err = fetchImportManifest(ctx, srv.URL+"/v3/import/"+token+"_c-m-1.yaml", token, "", false)
	if err == nil || strings.Contains(err.Error(), token) || !strings.Contains(err.Error(), "set rancher_ca") {
		t.Fatalf("untrusted: %v", err)
	}
	if _, err := fetchImportManifest(ctx, srv.URL, token, "not a certificate", false); err == nil || !strings.Contains(err.Error(), "rancher_ca") {
		t.Fatalf("bad CA: %v", err)
	}
}

// TestFetchImportManifestRefusesDowngrade: a redirect from https to http
// (the manifest would travel in clear text) is refused; https to https is
// followed.
func TestFetchImportManifestRefusesDowngrade(t *testing.T) {
	const token = "s3cr3ttokenvalue0123456789"
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("plain")) }))
	defer plain.Close()
	var tlsURL string
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/to-http":
			http.Redirect(w, r, plain.URL+"/v3/import/"+token+".yaml", http.StatusFound)
		case "/to-https":
			http.Redirect(w, r, tlsURL+"/ok", http.StatusFound)
		default:
			_, _ = w.Write([]byte("ok"))
		}
	}))
	defer srv.Close()
	tlsURL = srv.URL
	ca := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))
	ctx := context.Background()
	_, err := fetchImportManifest(ctx, srv.URL+"/to-http", token, ca, false)
	if err == nil || !strings.Contains(err.Error(), "refused a redirect from https to http") || strings.Contains(err.Error(), token) {
		t.Fatalf("https to http: %v", err)
	}
	if body, err := fetchImportManifest(ctx, srv.URL+"/to-https", token, ca, false); err != nil || string(body) != "ok" {
		t.Fatalf("https to https: %q, %v", body, err)
	}
}
