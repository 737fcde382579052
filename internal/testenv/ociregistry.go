package testenv

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/distribution/distribution/v3/configuration"
	"github.com/distribution/distribution/v3/registry/handlers"
	"github.com/sirupsen/logrus"
	"golang.org/x/crypto/bcrypt"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/registry"

	// The registry's storage and authentication, registered by name.
	_ "github.com/distribution/distribution/v3/registry/auth/htpasswd"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/inmemory"
)

// OCIRegistry is a real OCI registry (the CNCF distribution registry, run in
// this process) on loopback, for charts and images "inside the wall": HTTPS
// with a certificate from a private CA of its own, and basic authentication
// (htpasswd, bcrypt). Content lives in memory and is gone after Stop.
type OCIRegistry struct {
	Host     string // 127.0.0.1:<port>, what image and chart references start with
	URL      string // https://127.0.0.1:<port>
	CAPEM    []byte // the private CA that signed the registry's certificate
	CAFile   string // CAPEM on disk, for clients that take a file
	Username string
	Password string
	// CredentialsFile is a Helm registry configuration (Docker's
	// config.json format) holding the account, for HELM_REGISTRY_CONFIG or
	// `helm --registry-config`; clients must still trust CAFile.
	CredentialsFile string

	dir    string
	server *http.Server
	app    *handlers.App
	stop   sync.Once
}

// OCIRegistryOptions configure StartOCIRegistry.
type OCIRegistryOptions struct {
	// Username and Password of the one account; empty means generated.
	Username, Password string
}

// quietRegistryLogs keeps the registry's request logs (logrus's standard
// logger, which it uses) out of test output: it logs every expected 404 of
// a push as an error, and clients see the real errors anyway.
var quietRegistryLogs sync.Once

// StartOCIRegistry serves a registry until ctx ends or Stop.
func StartOCIRegistry(ctx context.Context, opts OCIRegistryOptions) (r *OCIRegistry, err error) {
	quietRegistryLogs.Do(func() { logrus.SetLevel(logrus.FatalLevel) })
	dir, err := os.MkdirTemp("", "testenv-oci-")
	if err != nil {
		return nil, err
	}
	r = &OCIRegistry{dir: dir, Username: opts.Username, Password: opts.Password}
	defer func() {
		if err != nil {
			r.Stop()
		}
	}()
	if r.Username == "" {
		r.Username = "fleet"
	}
	if r.Password == "" {
		if r.Password, err = randomHex(16); err != nil {
			return nil, err
		}
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(r.Password), bcrypt.MinCost)
	if err != nil {
		return nil, err
	}
	htpasswd := filepath.Join(dir, "htpasswd")
	if err := os.WriteFile(htpasswd, []byte(r.Username+":"+string(hash)+"\n"), 0o600); err != nil {
		return nil, err
	}
	r.CredentialsFile = filepath.Join(dir, "registry-config.json")
	caPEM, cert, err := servingCertificate()
	if err != nil {
		return nil, err
	}
	r.CAPEM, r.CAFile = caPEM, filepath.Join(dir, "ca.crt")
	if err := os.WriteFile(r.CAFile, caPEM, 0o644); err != nil {
		return nil, err
	}
	secret, err := randomHex(16)
	if err != nil {
		return nil, err
	}
	config := &configuration.Configuration{
		Storage: configuration.Storage{
			"inmemory":    configuration.Parameters{},
			"maintenance": configuration.Parameters{"uploadpurging": map[any]any{"enabled": false}},
		},
		Auth: configuration.Auth{"htpasswd": configuration.Parameters{"realm": "testenv", "path": htpasswd}},
	}
	config.HTTP.Secret = secret
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r.Host = listener.Addr().String()
	r.URL = "https://" + r.Host
	credentials, err := json.Marshal(map[string]any{"auths": map[string]any{r.Host: map[string]string{
		"auth": base64.StdEncoding.EncodeToString([]byte(r.Username + ":" + r.Password))}}})
	if err != nil {
		listener.Close()
		return nil, err
	}
	if err := os.WriteFile(r.CredentialsFile, credentials, 0o600); err != nil {
		listener.Close()
		return nil, err
	}
	r.app = handlers.NewApp(context.WithoutCancel(ctx), config)
	r.server = &http.Server{
		Handler:           r.app,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0), // TLS handshakes of clients that do not trust the CA
	}
	go func() { _ = r.server.Serve(tls.NewListener(listener, r.server.TLSConfig)) }()
	go func() {
		<-ctx.Done()
		r.Stop()
	}()
	return r, nil
}

// Stop ends the server and drops the content. Safe to call more than once.
func (r *OCIRegistry) Stop() {
	r.stop.Do(func() {
		if r.server != nil {
			_ = r.server.Close()
		}
		if r.app != nil {
			_ = r.app.Shutdown()
		}
		_ = os.RemoveAll(r.dir)
	})
}

// Client is Helm's registry client for this registry: it trusts the CA and
// logs in with the account.
func (r *OCIRegistry) Client() (*registry.Client, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(r.CAPEM) {
		return nil, errors.New("the registry CA does not parse")
	}
	httpClient := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	return registry.NewClient(
		registry.ClientOptHTTPClient(httpClient),
		registry.ClientOptBasicAuth(r.Username, r.Password),
		registry.ClientOptCredentialsFile(r.CredentialsFile),
	)
}

// PushChart packages the chart in chartDir (a chart folder, as in Fleet's
// charts) and pushes it to <repository>/<chart name>:<chart version>. It
// returns the chart's repository URL, oci://127.0.0.1:<port>/<repository>/<name>,
// and its version: what a HelmOp or fleet_agent's chart block takes.
func (r *OCIRegistry) PushChart(chartDir, repository string) (url, version string, err error) {
	chart, err := loader.LoadDir(chartDir)
	if err != nil {
		return "", "", fmt.Errorf("load chart %s: %w", chartDir, err)
	}
	archive, err := chartutil.Save(chart, r.dir)
	if err != nil {
		return "", "", fmt.Errorf("package chart %s: %w", chartDir, err)
	}
	data, err := os.ReadFile(archive)
	if err != nil {
		return "", "", err
	}
	client, err := r.Client()
	if err != nil {
		return "", "", err
	}
	ref := fmt.Sprintf("%s/%s/%s:%s", r.Host, repository, chart.Name(), chart.Metadata.Version)
	if _, err := client.Push(data, ref); err != nil {
		return "", "", fmt.Errorf("push chart %s: %w", ref, err)
	}
	return fmt.Sprintf("oci://%s/%s/%s", r.Host, repository, chart.Name()), chart.Metadata.Version, nil
}

// servingCertificate makes a private CA and, signed by it, a certificate for
// 127.0.0.1 and localhost.
func servingCertificate() (caPEM []byte, cert tls.Certificate, err error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, cert, err
	}
	now := time.Now().Add(-time.Hour)
	caTemplate := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "testenv-oci-registry-ca"},
		NotBefore: now, NotAfter: now.Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTemplate, caTemplate, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, cert, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, cert, err
	}
	template := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "testenv-oci-registry"},
		NotBefore: now, NotAfter: now.Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, template, caTemplate, &key.PublicKey, caKey)
	if err != nil {
		return nil, cert, err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, cert, err
	}
	cert, err = tls.X509KeyPair(pemEncode("CERTIFICATE", der), pemEncode("EC PRIVATE KEY", keyDER))
	return pemEncode("CERTIFICATE", caDER), cert, err
}

func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}
