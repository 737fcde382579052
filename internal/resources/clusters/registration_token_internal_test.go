package clusters

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
)

// TestTokenExpiry: Fleet v0.16 sets status.expires to creation + ttl for
// any ttl, so a token with ttl "0" (never deleted) shows its creation time;
// it must read as never expiring.
func TestTokenExpiry(t *testing.T) {
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	token := func(ttl *time.Duration, expires *time.Time) *fleet.ClusterRegistrationToken {
		tok := &fleet.ClusterRegistrationToken{}
		if ttl != nil {
			tok.Spec.TTL = &metav1.Duration{Duration: *ttl}
		}
		if expires != nil {
			tok.Status = &fleet.ClusterRegistrationTokenStatus{Expires: &metav1.Time{Time: *expires}}
		}
		return tok
	}
	zero, hour := time.Duration(0), time.Hour
	later := created.Add(time.Hour)
	for name, tc := range map[string]struct {
		token  *fleet.ClusterRegistrationToken
		want   time.Time
		expiry bool
	}{
		"no ttl":                   {token(nil, nil), time.Time{}, false},
		"ttl 0, expires = created": {token(&zero, &created), time.Time{}, false},
		"ttl 1h":                   {token(&hour, &later), later, true},
		"ttl 1h, no status yet":    {token(&hour, nil), time.Time{}, false},
	} {
		got, ok := TokenExpiry(tc.token)
		if ok != tc.expiry || !got.Equal(tc.want) {
			t.Errorf("%s: TokenExpiry = %v, %v; want %v, %v", name, got, ok, tc.want, tc.expiry)
		}
	}
}
