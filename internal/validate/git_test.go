package validate

import (
	"strings"
	"testing"
)

func TestCheckGitURL(t *testing.T) {
	runCheck(t, CheckGitURL, cases(
		good(
			"https://github.com/rancher/fleet-examples",
			"https://github.com/rancher/fleet-examples.git",
			"HTTPS://github.com/org/repo",
			"http://gitea.local:3000/org/repo.git",
			"https://user:token@git.example.com/org/repo.git",
			"ssh://git@github.com/org/repo.git",
			"ssh://git@git.example.com:2222/org/repo.git",
			"git://git.example.com/repo.git",
			"https://10.0.0.5/org/repo",
			"https://[2001:db8::1]:8443/org/repo",
			"https://git.example.com",
			"git@github.com:org/repo.git",
			"git@github.com:repo",
			"deploy@10.1.2.3:org/repo.git",
			"git@[2001:db8::1]:org/repo.git",
		),
		bad(
			"file:///srv/git/repo.git",
			"/srv/git/repo.git",
			"./repo",
			"../repo",
			"~/repo",
			`C:\repos\app`,
			"C:/repos/app",
			`\\server\share\repo`,
			"ftp://example.com/repo.git",
			"https://",
			"https:///org/repo",
			"https://:443/org/repo",
			"https://github.com:0/org/repo",
			"https://github.com:70000/org/repo",
			"https://github.com:/org/repo",
			"https://git_hub.com/org/repo",
			"https://-github.com/org/repo",
			"ssh://git@github.com:org/repo.git",
			"git@:org/repo",
			"@github.com:org/repo",
			"git@github.com:",
			"git@github.com",
			"git@git@github.com:x",
			"git@[github.com]:org/repo",
			"git@[2001:db8::1]org/repo",
			"https:github.com/org/repo",
			"https://github.com/org/my repo",
			"https://github.com/org/repo\n",
			"\thttps://github.com/org/repo",
		),
		[]checkCase{
			{in: "", errHas: "must not be empty"},
			{in: "github.com/org/repo", errHas: "no scheme"},
			{in: "github.com:org/repo", errHas: "needs a user"},
			{in: "file:///srv/repo", errHas: "file:// URLs are not supported"},
			{in: "s3://bucket/repo", errHas: `scheme "s3" is not supported`},
			{in: "/srv/repo", errHas: "local path"},
			{in: "https://example.com/a b", errHas: "whitespace"},
			{in: "https://", errHas: "no host"},
			{in: "https:github.com/org/repo", errHas: `missing "//" after "https:"`},
			{in: "ssh://git@github.com:org/repo.git", errHas: "scp-like form is written without ssh://"},
		},
	))
}

func TestCheckGitURLDoesNotLeakCredentials(t *testing.T) {
	for _, in := range []string{
		"https://user:s3cr3t@github.com:99999/org/repo",
		"ftp://user:s3cr3t@example.com/repo",
		"https://user:s3cr3t@git_hub.com/org/repo",
		"https://user:s3cr3t@github.com/org/repo x",
	} {
		err := CheckGitURL(in)
		if err == nil {
			t.Errorf("%q: expected an error", in)
			continue
		}
		if strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("%q: error leaks the password: %v", in, err)
		}
	}
}
