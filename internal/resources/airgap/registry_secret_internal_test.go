package airgap

import (
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"slices"
	"strings"
	"testing"
)

// TestDataHMACKeepsPasswordsFromMetadata: the annotation holds an HMAC keyed
// with a random key kept in the data, so reading the metadata alone gives
// nothing to test password guesses against (review L11); an edit of the
// data still changes it.
func TestDataHMACKeepsPasswordsFromMetadata(t *testing.T) {
	data := func() map[string][]byte {
		d, err := withHMACKey(registrySecretData("registry.corp:5000", "puller", "weak-password", "", false))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	a, b := data(), data()
	sumA, sumB := dataHMAC(a), dataHMAC(b)
	if sumA == "" || sumA == sumB {
		t.Fatalf("the same data under two keys gives %q and %q: the key does not enter the HMAC", sumA, sumB)
	}
	// What an earlier provider kept: SHA-256 over the sorted keys and values.
	guess := registrySecretData("registry.corp:5000", "puller", "weak-password", "", false)
	keys := slices.Sorted(maps.Keys(guess))
	h := sha256.New()
	for _, k := range keys {
		h.Write([]byte(k + "\x00"))
		h.Write(append(guess[k], 0))
	}
	if strings.Contains(sumA, hex.EncodeToString(h.Sum(nil))) {
		t.Fatal("the annotation reveals a plain hash of the data")
	}
	for k := range a {
		if k != registryHMACKey {
			a[k] = append(a[k], 'x')
			break
		}
	}
	if dataHMAC(a) == sumA {
		t.Fatal("an edit of the data keeps the HMAC")
	}
	delete(b, registryHMACKey)
	if dataHMAC(b) != "" {
		t.Fatal("data without a key (written by an older provider) must not verify")
	}
}
