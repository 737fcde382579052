package validate

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// Fleet v0.16 CRDs validate GitRepo spec.pollingInterval,
// ClusterRegistrationToken spec.ttl (and HelmOp/ImageScan intervals) with
// minLength 1, maxLength 32 and the CEL rule
//
//	self == '0' || (self.matches('^([0-9]+([.][0-9]+)?(ns|us|µs|ms|s|m|h))+$')
//	  && duration(self) <= duration('2562047h'))
//
// The micro sign in "µs" is U+00B5, as in the CRD.
var (
	fleetDurationRE = regexp.MustCompile(`^([0-9]+([.][0-9]+)?(ns|us|µs|ms|s|m|h))+$`)
	// Lenient tokenizer used only to explain a rejection.
	durationTokenRE = regexp.MustCompile(`([0-9]+(?:[.][0-9]+)?)([a-zA-Zµμ]+)`)
)

const (
	fleetDurationMaxLen = 32
	fleetDurationMax    = 2562047 * time.Hour
)

// CheckFleetDuration checks a Fleet interval such as GitRepo
// spec.pollingInterval: "0", or a Go duration made only of ns, us, µs, ms,
// s, m and h units with unsigned decimal numbers (e.g. 15s, 1h30m, 1.5h),
// at most 32 characters and at most 2562047h. Days (d) and weeks (w) are
// rejected, as Fleet's CRD rejects them.
func CheckFleetDuration(s string) error {
	if s == "" {
		return errors.New("the duration must not be empty; use e.g. 15s, 5m or 1h")
	}
	if n := utf8.RuneCountInString(s); n > fleetDurationMaxLen {
		return fmt.Errorf("the duration is %d characters long; Fleet allows at most %d", n, fleetDurationMaxLen)
	}
	if s == "0" {
		return nil
	}
	if !fleetDurationRE.MatchString(s) {
		return explainDuration(s)
	}
	d, err := time.ParseDuration(s)
	if err != nil || d > fleetDurationMax {
		return fmt.Errorf("duration %q exceeds Fleet's maximum of 2562047h", s)
	}
	return nil
}

// CheckFleetTTL checks a ClusterRegistrationToken spec.ttl. Fleet's CRD
// applies the same rule as to polling intervals (see CheckFleetDuration).
func CheckFleetTTL(s string) error { return CheckFleetDuration(s) }

// explainDuration builds the error for a string the CRD pattern rejects.
func explainDuration(s string) error {
	const units = "Fleet accepts Go durations using only the units ns, us, µs, ms, s, m and h (e.g. 15s, 5m, 2h, 1h30m)"
	switch {
	case strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+"):
		return fmt.Errorf("duration %q must not have a sign; %s", s, units)
	case strings.Contains(s, "μ"): // U+03BC GREEK SMALL LETTER MU
		return fmt.Errorf("duration %q uses the Greek letter μ (U+03BC); write microseconds as \"us\" or \"µs\" (U+00B5)", s)
	case strings.Contains(s, " "):
		return fmt.Errorf("duration %q must not contain spaces; %s", s, units)
	}
	toks := durationTokenRE.FindAllStringSubmatch(s, -1)
	if strings.Join(flatten(toks), "") == s {
		var total float64
		hasDW, ok := false, true
		for _, t := range toks {
			n, _ := strconv.ParseFloat(t[1], 64)
			switch t[2] {
			case "d":
				hasDW = true
				total += n * 24
			case "w":
				hasDW = true
				total += n * 24 * 7
			default:
				if d, err := time.ParseDuration(t[1] + t[2]); err == nil {
					total += d.Hours()
				} else {
					ok = false
				}
			}
		}
		if hasDW {
			msg := fmt.Sprintf("duration %q uses days (d) or weeks (w), which Fleet rejects; express it in hours instead", s)
			if ok && total <= fleetDurationMax.Hours() {
				msg += fmt.Sprintf(", e.g. %q", formatHours(total))
			}
			return fmt.Errorf("%s (1d = 24h, 1w = 168h)", msg)
		}
	}
	if _, err := time.ParseDuration(s); err == nil {
		return fmt.Errorf("duration %q is accepted by Go but not by Fleet's CRD; write each component as digits[.digits] followed by a unit (ns, us, µs, ms, s, m, h), e.g. 0.5s rather than .5s", s)
	}
	return fmt.Errorf("%q is not a valid duration; %s", s, units)
}

func flatten(toks [][]string) []string {
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t[0]
	}
	return out
}

// formatHours renders h hours as a Fleet-compatible duration.
func formatHours(h float64) string {
	if h == float64(int64(h)) {
		return strconv.FormatInt(int64(h), 10) + "h"
	}
	return strconv.FormatFloat(h, 'f', -1, 64) + "h"
}

// FleetDuration validates a Fleet polling interval (see CheckFleetDuration).
func FleetDuration() validator.String {
	return stringValidator{
		description: "must be 0 or a Go duration using only the units ns, us, µs, ms, s, m, h (e.g. 15s, 5m, 1h30m), at most 2562047h; days (d) and weeks (w) are not supported by Fleet",
		markdown:    "must be `0` or a Go duration using only the units `ns`, `us`, `µs`, `ms`, `s`, `m`, `h` (e.g. `15s`, `5m`, `1h30m`), at most `2562047h`; days (`d`) and weeks (`w`) are not supported by Fleet",
		summary:     "Invalid Fleet duration",
		check:       CheckFleetDuration,
	}
}

// FleetTTL validates a ClusterRegistrationToken TTL (see CheckFleetTTL).
func FleetTTL() validator.String {
	return stringValidator{
		description: "must be 0 or a Go duration using only the units ns, us, µs, ms, s, m, h (e.g. 1h, 24h, 168h), at most 2562047h; days (d) and weeks (w) are not supported by Fleet",
		markdown:    "must be `0` or a Go duration using only the units `ns`, `us`, `µs`, `ms`, `s`, `m`, `h` (e.g. `1h`, `24h`, `168h`), at most `2562047h`; days (`d`) and weeks (`w`) are not supported by Fleet",
		summary:     "Invalid token TTL",
		check:       CheckFleetTTL,
	}
}
