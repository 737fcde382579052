package validate

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	testPEMOnce sync.Once
	testCertPEM string // a self-signed certificate, generated per test run
	testKeyPEM  string // its PKCS#8 private key
)

func testPEM(t testing.TB) (cert, key string) {
	t.Helper()
	testPEMOnce.Do(func() {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic(err)
		}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(1),
			Subject:      pkix.Name{CommonName: "validate-test"},
			NotBefore:    time.Now().Add(-time.Hour),
			NotAfter:     time.Now().Add(time.Hour),
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
		if err != nil {
			panic(err)
		}
		kder, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			panic(err)
		}
		testCertPEM = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
		testKeyPEM = string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}))
	})
	return testCertPEM, testKeyPEM
}

func TestCheckPEM(t *testing.T) {
	cert, key := testPEM(t)
	junkBlock := "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n"
	runCheck(t, CheckPEM, cases(
		good(cert, key, cert+key, cert+"\n\n"+cert, "  \n"+cert+"\n  ", strings.TrimSuffix(cert, "\n"),
			strings.ReplaceAll(cert, "\n", "\r\n"),
			"-----BEGIN FOO-----\nAAAA\n-----END FOO-----\n"),
		bad("", "   \n", "hello", "not pem\n"+cert, cert+"trailing text", cert+"junk\n"+cert,
			junkBlock, junkBlock+cert, cert+junkBlock,
			"-----BEGIN CERTIFICATE-----\nAAAA\n-----END KEY-----\n",
			"-----BEGIN CERTIFICATE-----\nAAAA\n",
			strings.Replace(cert, "-----END CERTIFICATE-----", "-----END CERTIFICATE----- x", 1)),
		[]checkCase{
			{in: "", errHas: "no PEM block"},
			{in: "hello", errHas: "must start with a PEM block"},
			{in: cert + "junk", errHas: "after block 1"},
			{in: cert + junkBlock, errHas: "PEM block 2 is malformed"},
		},
	))
}

func TestCheckPEMCertificates(t *testing.T) {
	cert, key := testPEM(t)
	notX509 := "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
	runCheck(t, CheckPEMCertificates, cases(
		good(cert, cert+cert, "\n"+cert+"\n\n"+cert+"\n"),
		bad("", "x", key, cert+key, notX509, cert+notX509),
		[]checkCase{
			{in: cert + key, errHas: `PEM block 2 has type "PRIVATE KEY"`},
			{in: notX509, errHas: "not a valid X.509 certificate"},
		},
	))
}

func TestPEMErrorsDoNotLeakContent(t *testing.T) {
	_, key := testPEM(t)
	body := strings.Split(key, "\n")[1] // first base64 line of the key
	for _, in := range []string{key, "junk " + key, key + "junk", strings.Replace(key, "-----END", "-----XEND", 1)} {
		for _, check := range []func(string) error{CheckPEM, CheckPEMCertificates} {
			if err := check(in); err != nil && strings.Contains(err.Error(), body[:16]) {
				t.Errorf("error leaks key material: %v", err)
			}
		}
	}
}
