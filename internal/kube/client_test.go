package kube

import (
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestNewClientIsLazy(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "does-not-exist")

	c := NewClient(Config{ConfigPath: missing})
	if c == nil {
		t.Fatal("NewClient returned nil")
	}

	_, err := c.RESTConfig()
	wantErr(t, err, "config_path", missing)

	// The same error is reported by every accessor.
	if _, err := c.Dynamic(); err == nil || err.Error() != errString(c) {
		t.Errorf("Dynamic() error = %v", err)
	}
	if _, err := c.Core(); err == nil || err.Error() != errString(c) {
		t.Errorf("Core() error = %v", err)
	}
}

func errString(c *Client) string {
	_, err := c.RESTConfig()
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestClientBuildsOnceAndConcurrently(t *testing.T) {
	pki := newTestPKI(t)
	c := NewClient(Config{Host: "https://127.0.0.1:1", Token: "t", ClusterCACertificate: pki.certPEM})

	var wg sync.WaitGroup
	errs := make(chan error, 30)
	for range 10 {
		wg.Add(3)
		go func() { defer wg.Done(); _, err := c.Dynamic(); errs <- err }()
		go func() { defer wg.Done(); _, err := c.Core(); errs <- err }()
		go func() { defer wg.Done(); _, err := c.RESTConfig(); errs <- err }()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}

	d1, _ := c.Dynamic()
	d2, _ := c.Dynamic()
	if d1 != d2 {
		t.Error("Dynamic() built more than one client")
	}
	k1, _ := c.Core()
	k2, _ := c.Core()
	if k1 != k2 {
		t.Error("Core() built more than one client")
	}

	// RESTConfig returns a copy callers may change.
	rc, _ := c.RESTConfig()
	rc.Host = "https://changed"
	rc2, _ := c.RESTConfig()
	if rc2.Host != "https://127.0.0.1:1" {
		t.Errorf("shared config was modified: %q", rc2.Host)
	}
}

func TestNewClientError(t *testing.T) {
	want := errors.New("settings unknown during plan")
	c := NewClientError(want)
	if _, err := c.RESTConfig(); !errors.Is(err, want) {
		t.Errorf("RESTConfig() error = %v", err)
	}
	if _, err := c.Dynamic(); !errors.Is(err, want) {
		t.Errorf("Dynamic() error = %v", err)
	}
	if _, err := c.Core(); !errors.Is(err, want) {
		t.Errorf("Core() error = %v", err)
	}
}

func TestNilClient(t *testing.T) {
	var c *Client
	if _, err := c.Dynamic(); err == nil || !strings.Contains(err.Error(), "not configured") {
		t.Errorf("Dynamic() on nil client: %v", err)
	}
}

func TestClientBadKeyPair(t *testing.T) {
	const key = "-----BEGIN EC PRIVATE KEY-----\nbm90IGEga2V5IGF0IGFsbA==\n-----END EC PRIVATE KEY-----\n"
	c := NewClient(Config{Host: "https://h", ClientCertificate: "not a cert", ClientKey: key})
	_, err := c.Dynamic()
	if err == nil {
		t.Fatal("expected an error for an invalid key pair")
	}
	if strings.Contains(err.Error(), "bm90IGEga2V5") {
		t.Errorf("error leaks the key: %v", err)
	}
}

// TestCached: the first call's answer, error included, is every caller's;
// concurrent callers wait for that one call; keys are apart; a client that
// cannot be built never calls fetch.
func TestCached(t *testing.T) {
	pki := newTestPKI(t)
	c := NewClient(Config{Host: "https://127.0.0.1:1", Token: "t", ClusterCACertificate: pki.certPEM})
	var calls sync.Map
	fetch := func(key string, err error) func() (any, error) {
		return func() (any, error) {
			n, _ := calls.LoadOrStore(key, new(int))
			*n.(*int)++
			return key + "-value", err
		}
	}
	failure := errors.New("unreachable")
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			if v, err := c.Cached("a", fetch("a", nil)); v != "a-value" || err != nil {
				t.Errorf("a: %v, %v", v, err)
			}
		}()
		go func() {
			defer wg.Done()
			if _, err := c.Cached("b", fetch("b", failure)); !errors.Is(err, failure) {
				t.Errorf("b: %v", err)
			}
		}()
	}
	wg.Wait()
	for _, key := range []string{"a", "b"} {
		if n, _ := calls.Load(key); *n.(*int) != 1 {
			t.Errorf("%s fetched %d times", key, *n.(*int))
		}
	}

	broken := NewClientError(failure)
	if _, err := broken.Cached("a", func() (any, error) { t.Fatal("fetched"); return nil, nil }); !errors.Is(err, failure) {
		t.Errorf("broken client: %v", err)
	}
}
