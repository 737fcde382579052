package validate

import (
	"strings"
	"testing"
)

func TestCheckFleetDuration(t *testing.T) {
	runCheck(t, CheckFleetDuration, cases(
		good("0", "0s", "15s", "5m", "2h", "1h30m", "1.5h", "100ms", "10us", "10µs", "500ns",
			"1h1m1s1ms1us1ns", "2562047h", "2562046h59m59s", "0.5s",
			strings.Repeat("0", 30)+"ns"), // exactly 32 characters
		bad("", "00", "5", "1d", "2w", "1h1d", "-5s", "+5s", ".5s", "5.s", "5 s", " 5s", "5s ",
			"5S", "5H", "1y", "10μs", "2562047h1ns", "2562048h", "99999999999999999999h", "h", "1.h",
			strings.Repeat("0", 31)+"ns"), // 33 characters
		[]checkCase{
			{in: "1d", errHas: `e.g. "24h"`},
			{in: "2w", errHas: `e.g. "336h"`},
			{in: "1d12h", errHas: `e.g. "36h"`},
			{in: "1.5d", errHas: `e.g. "36h"`},
			{in: "1w", errHas: "Fleet rejects"},
			{in: "1d", errHas: "1d = 24h, 1w = 168h"},
			{in: "999999999999w", errHas: "days (d) or weeks (w)"},
			{in: "-1m", errHas: "must not have a sign"},
			{in: "10μs", errHas: "U+03BC"},
			{in: ".5s", errHas: "accepted by Go but not by Fleet"},
			{in: "2562048h", errHas: "exceeds Fleet's maximum"},
			{in: "", errHas: "must not be empty"},
			{in: strings.Repeat("1", 40) + "s", errHas: "at most 32"},
		},
	))
}

func TestFleetDurationLengthCountsCharacters(t *testing.T) {
	// 31 characters but 32 bytes: the CRD's maxLength counts characters.
	s := strings.Repeat("0", 29) + "µs"
	if n := len([]rune(s)); n != 31 {
		t.Fatalf("test setup: %d characters", n)
	}
	if err := CheckFleetDuration(s); err != nil {
		t.Fatalf("%q: %v", s, err)
	}
}

func TestCheckFleetTTL(t *testing.T) {
	runCheck(t, CheckFleetTTL, cases(
		good("0", "1h", "24h", "168h", "30m", "1h30m"),
		bad("", "1d", "7d", "1w", "-1h", "forever"),
	))
}
