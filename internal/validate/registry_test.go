package validate

import (
	"strings"
	"testing"
)

func TestCheckRegistryServer(t *testing.T) {
	runCheck(t, CheckRegistryServer, cases(
		good("docker.io", "ghcr.io", "registry.example.com:5000", "localhost", "localhost:5000",
			"10.0.0.5:5000", "[2001:db8::1]:5000", "[::1]", "Registry.Example.com",
			"harbor.example.com/library", "harbor.example.com/charts/team-a", "r.io/a.b_c__d--e"),
		bad("", "https://registry.example.com", "oci://ghcr.io/org", "registry.example.com/",
			"registry.example.com//x", "registry.example.com/Charts", "registry.example.com/-x",
			"registry.example.com/x_", "registry.example.com:0", "registry.example.com:65536",
			"registry.example.com:", "registry.example.com:abc", "reg istry.io", "reg_istry.io",
			"-registry.io", "2001:db8::1", "[2001:db8::1", "[1.2.3.4]:5000", "/charts", ":5000"),
		[]checkCase{
			{in: "https://r.io", errHas: "must not include a scheme"},
			{in: "r.io/Team", errHas: `"Team" must be lowercase`},
			{in: "r.io:70000", errHas: "out of range"},
		},
	))
}

func TestCheckImageReference(t *testing.T) {
	sha := strings.Repeat("a1", 32)
	runCheck(t, CheckImageReference, cases(
		good("nginx", "nginx:1.27", "nginx:latest", "library/nginx", "docker.io/library/nginx:1.27-alpine",
			"ghcr.io/org/app:v1.0.0", "ghcr.io/org/app@sha256:"+sha, "ghcr.io/org/app:v1@sha256:"+sha,
			"localhost:5000/app", "localhost:5000", "localhost/app:dev", "10.0.0.5:5000/team/app:1",
			"[2001:db8::1]:5000/app:1", "Registry.Example.com/app", "a/b/c/d/e", "app:_tag", "app:Tag.1-x",
			"my.registry/app__x:1", "app@sha512:"+strings.Repeat("f", 128),
			"app@multihash+base58:"+strings.Repeat("Q", 46)),
		bad("", "Nginx", "nginx:", "nginx:-tag", "nginx:.tag", "nginx:"+strings.Repeat("t", 129),
			"nginx:a/b", "https://ghcr.io/org/app", "ghcr.io/Org/app", "ghcr.io//app", "ghcr.io/app/",
			"/app", "app@", "@sha256:"+sha, "app@sha256:"+sha[:63], "app@sha256:"+strings.ToUpper(sha),
			"app@sha256:"+sha+"@sha256:"+sha, "app@md5", "app@sha256:"+sha+":x", "app name", "app:tag name",
			"registry.io:0/app", "reg_istry.io/app", "app-", "-app", "a..b",
			"r.io/"+strings.Repeat("a", 251)),
		[]checkCase{
			{in: "Nginx", errHas: "must be lowercase"},
			{in: "app:tag!", errHas: `tag "tag!"`},
			{in: "app@sha256:abc", errHas: "64 lowercase hex"},
			{in: "http://r.io/app", errHas: "must not include a scheme"},
			{in: "r.io/" + strings.Repeat("a", 251), errHas: "at most 255"},
		},
	))
}
