package validate

import (
	"strings"
	"testing"
)

// TestCheckHTTPHostPort: KubeSphere's documented address mistakes are
// refused with the reason, and only scheme://host:port passes.
func TestCheckHTTPHostPort(t *testing.T) {
	for in, want := range map[string]string{
		"http://139.198.120.120:30721":     "",
		"https://tower.example.com:8080":   "",
		"http://[fd00::1]:8080":            "",
		"139.198.120.120:30721":            "no http:// or https:// scheme",
		"tower.example.com:8080":           "no http:// or https:// scheme",
		"ws://tower.example.com:8080":      "no http:// or https:// scheme",
		"http://tower.example.com":         "no explicit port",
		"http://tower.example.com:0":       `port "0" is out of range`,
		"http://tower.example.com:8080/x":  "without path",
		"http://u:p@tower.example.com:80":  "without path, query or credentials",
		"http://tower.example.com:8080?q=": "without path",
	} {
		err := CheckHTTPHostPort(in)
		switch {
		case want == "" && err != nil:
			t.Errorf("%s: %v", in, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("%s: got %v, want an error containing %q", in, err, want)
		}
	}
}
