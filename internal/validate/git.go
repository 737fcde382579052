package validate

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

var gitSchemes = map[string]bool{"https": true, "http": true, "ssh": true, "git": true}

// CheckGitURL checks a Git repository URL that Fleet can clone: an
// https://, http://, ssh:// or git:// URL with a host, or the scp-like SSH
// form user@host:path (e.g. git@github.com:org/repo.git). Local paths,
// file:// URLs and other schemes are rejected. Error messages never repeat
// the URL, which may contain credentials.
func CheckGitURL(s string) error {
	if s == "" {
		return errors.New("the repository URL must not be empty")
	}
	if i := strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }); i >= 0 {
		return fmt.Errorf("the repository URL must not contain whitespace or control characters (found at byte %d)", i)
	}
	if i := strings.Index(s, "://"); i >= 0 {
		return checkGitStandardURL(s, s[:i])
	}
	if strings.HasPrefix(s, "/") || strings.HasPrefix(s, ".") || strings.HasPrefix(s, "~") ||
		strings.Contains(s, `\`) || (len(s) >= 2 && s[1] == ':' && isASCIILetter(s[0])) {
		return errors.New("the repository URL looks like a local path; Fleet clones from a remote, so use https://host/org/repo.git or git@host:org/repo.git")
	}
	if scheme, _, ok := strings.Cut(s, ":"); ok && (gitSchemes[strings.ToLower(scheme)] || strings.EqualFold(scheme, "file")) {
		return fmt.Errorf("the repository URL is missing \"//\" after %q; write %s://host/path", scheme+":", scheme)
	}
	return checkGitSCPLike(s)
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func checkGitStandardURL(s, scheme string) error {
	lower := strings.ToLower(scheme)
	if lower == "file" {
		return errors.New("file:// URLs are not supported; Fleet clones from a remote, so use an https://, http://, ssh:// or git:// URL")
	}
	if !gitSchemes[lower] {
		return fmt.Errorf("URL scheme %q is not supported; use https://, http://, ssh://, git:// or the scp-like form git@host:org/repo.git", scheme)
	}
	u, err := url.Parse(s)
	if err != nil {
		reason := urlErrReason(err)
		if lower == "ssh" && strings.Contains(reason, "invalid port") {
			reason += "; ssh:// URLs take host[:port]/path, while the scp-like form is written without ssh:// (git@host:org/repo.git)"
		}
		return fmt.Errorf("the repository URL cannot be parsed: %s", reason)
	}
	if u.Host == "" {
		return errors.New("the repository URL has no host")
	}
	if u.Opaque != "" {
		return errors.New("the repository URL must have the form scheme://host/path")
	}
	return checkURLHost(u)
}

// checkURLHost checks the host and optional port of a parsed URL.
func checkURLHost(u *url.URL) error {
	h := u.Hostname()
	if h == "" {
		return errors.New("the URL has no host")
	}
	if err := checkHostname(h); err != nil {
		return err
	}
	if strings.HasSuffix(u.Host, ":") {
		return errors.New("the URL has an empty port after ':'")
	}
	if p := u.Port(); p != "" {
		return checkPort(p)
	}
	return nil
}

// urlErrReason returns the reason from a *url.Error without the URL itself.
func urlErrReason(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// checkGitSCPLike checks user@host:path.
func checkGitSCPLike(s string) error {
	const hint = "use the scp-like form user@host:path (e.g. git@github.com:org/repo.git) or a URL with a scheme (https://, http://, ssh://, git://)"
	at := strings.IndexByte(s, '@')
	colon := strings.IndexByte(s, ':')
	if at < 0 || colon < 0 || colon < at {
		if colon >= 0 && (at < 0 || colon < at) && !strings.Contains(s[:colon], "/") {
			return fmt.Errorf("the scp-like SSH form needs a user before the host; %s", hint)
		}
		return fmt.Errorf("the repository URL has no scheme; %s", hint)
	}
	user, rest := s[:at], s[at+1:]
	if user == "" {
		return fmt.Errorf("the user before '@' is empty; %s", hint)
	}
	if strings.ContainsAny(user, "/:") {
		return fmt.Errorf("the user before '@' must not contain '/' or ':'; %s", hint)
	}
	var host, path string
	if strings.HasPrefix(rest, "[") {
		end := strings.Index(rest, "]:")
		if end < 0 {
			return fmt.Errorf("a bracketed IPv6 host must be followed by ':path'; %s", hint)
		}
		host, path = rest[1:end], rest[end+2:]
		if err := checkBracketedV6(host); err != nil {
			return err
		}
	} else {
		i := strings.IndexByte(rest, ':')
		host, path = rest[:i], rest[i+1:]
		if host == "" {
			return fmt.Errorf("the host between '@' and ':' is empty; %s", hint)
		}
		if strings.ContainsAny(host, "@/") {
			return fmt.Errorf("the host must not contain '@' or '/'; %s", hint)
		}
		if err := checkHostname(host); err != nil {
			return err
		}
	}
	if path == "" {
		return fmt.Errorf("the repository path after ':' is empty; %s", hint)
	}
	return nil
}

func checkBracketedV6(h string) error {
	_, _, _, err := splitHostPort("[" + h + "]")
	return err
}

// GitURL validates a Git repository URL (see CheckGitURL).
func GitURL() validator.String {
	return stringValidator{
		description: "must be an https://, http://, ssh:// or git:// URL with a host, or an scp-like SSH address such as git@github.com:org/repo.git",
		markdown:    "must be an `https://`, `http://`, `ssh://` or `git://` URL with a host, or an scp-like SSH address such as `git@github.com:org/repo.git`",
		summary:     "Invalid Git repository URL",
		check:       CheckGitURL,
	}
}
