package validate

import (
	"reflect"
	"strings"
	"testing"
)

func TestCheckProxyURL(t *testing.T) {
	runCheck(t, CheckProxyURL, cases(
		good("http://proxy.example.com:3128", "http://proxy.example.com", "https://proxy:8443/",
			"HTTP://proxy:3128", "socks5://10.0.0.1:1080", "socks5h://proxy:1080",
			"http://user:p%40ss@proxy:3128", "http://[2001:db8::1]:3128", "http://10.1.1.1:65535"),
		bad("", "proxy.example.com:3128", "proxy.example.com", "ftp://proxy:21", "socks4://proxy:1080",
			"http://", "http://:3128", "http://proxy:0", "http://proxy:65536", "http://proxy:",
			"http://proxy:port", "http://proxy:3128/path", "http://proxy:3128//", "http://proxy:3128?x=1",
			"http://proxy:3128?", "http://proxy:3128#frag", "http://prox y:3128", "http://proxy:3128\n",
			"http://under_score:3128", "http:proxy:3128"),
		[]checkCase{
			{in: "proxy:3128", errHas: "no scheme"},
			{in: "ftp://proxy", errHas: `scheme "ftp" is not supported`},
			{in: "http://proxy:3128/x", errHas: "must not have a path"},
			{in: "http://proxy:99999", errHas: "out of range"},
		},
	))
}

func TestProxyURLErrorsDoNotLeakPassword(t *testing.T) {
	for _, in := range []string{"http://u:s3cr3t@proxy:99999", "http://u:s3cr3t@proxy/x", "http://u:s3cr3t@pro_xy:1", "ftp://u:s3cr3t@p"} {
		if err := CheckProxyURL(in); err == nil || strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("%q: want an error without the password, got %v", in, err)
		}
	}
}

func TestCheckNoProxy(t *testing.T) {
	runCheck(t, CheckNoProxy, cases(
		good("*", "localhost", "127.0.0.1", "::1", "10.0.0.0/8", "fd00::/8", "example.com",
			".example.com", "*.example.com", "example.com:8080", "10.0.0.1:443", "[::1]:8080",
			"localhost,127.0.0.1,10.0.0.0/8,.svc,.cluster.local",
			"localhost, 127.0.0.1 ,.svc", "EXAMPLE.com", "10.0.0.1/8"),
		bad("", " ", ",", "a,", ",a", "a,,b", "a, ,b", "exa mple.com", "a b,c", "10.0.0.0/33",
			"10.0.0.0/", "example.com:0", "example.com:99999", "example.com:", "http://example.com",
			"exa_mple.com", "-example.com", "..example.com", "*example.com", "**.example.com", "*.",
			".", "[::1]", "::1:80x", "a\tb"),
		[]checkCase{
			{in: "a,,b", errHas: "entry 2 of the NO_PROXY list is empty"},
			{in: "a,b c", errHas: "contains whitespace"},
			{in: "10.0.0.0/40", errHas: "not a valid CIDR"},
			{in: "", errHas: "must not be empty"},
			{in: "localhost,http://example.com", errHas: "is a URL"},
		},
	))
}

func TestMissingNoProxyDefaults(t *testing.T) {
	all := []string{"127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", ".svc", ".cluster.local"}
	tests := []struct {
		in   string
		want []string
	}{
		{"127.0.0.0/8,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,.svc,.cluster.local", nil},
		{"localhost,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,svc,cluster.local", nil},
		{"127.0.0.1,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,*.svc,*.cluster.local", nil},
		{"*", nil},
		{"0.0.0.0/0,.svc,local", nil},
		{"127.0.0.0/8, 10.0.0.0/7 ,172.0.0.0/8,192.168.0.0/16,.SVC,.Cluster.Local", nil},
		{"", all},
		{"example.com", all},
		{"127.0.0.1:80,localhost:80,.svc:443", all},
		{"not a valid,,entry", all},
		{"10.0.0.0/16,172.16.0.0/16,192.168.1.0/24", all}, // narrower ranges do not cover
		{"10.0.0.0/8,.svc", []string{"127.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", ".cluster.local"}},
		{"svc.cluster.local", all},
		{"::1,fd00::/8", all},
		{"127.0.0.0/8,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,.svc", []string{".cluster.local"}},
	}
	for _, tc := range tests {
		if got := MissingNoProxyDefaults(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("MissingNoProxyDefaults(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
