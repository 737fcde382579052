package kube

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
)

// SettingError reports a problem with one connection setting. Setting is the
// Terraform attribute name (for example "host" or "config_paths"); Message
// never contains secret values.
type SettingError struct {
	Setting string
	Message string
}

func (e *SettingError) Error() string {
	if e.Setting == "" {
		return e.Message
	}
	return e.Setting + ": " + e.Message
}

// Is makes errors.Is(err, ErrNotConfigured) work for the error reporting a
// missing connection.
func (e *SettingError) Is(target error) bool {
	return target == ErrNotConfigured && e.Setting == "" && e.Message == ErrNotConfigured.Error()
}

func settingErr(setting, format string, args ...any) error {
	return &SettingError{Setting: setting, Message: fmt.Sprintf(format, args...)}
}

// ErrNotConfigured is returned (wrapped in a *SettingError) when neither a
// kubeconfig nor a host is configured.
var ErrNotConfigured = errors.New("no cluster connection configured: set config_path, config_paths, host (with token, client_certificate/client_key or exec), or the matching KUBE_* environment variables")

func describeFileErr(err error) string {
	switch {
	case os.IsNotExist(err):
		return "file does not exist"
	case os.IsPermission(err):
		return "permission denied"
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// quoted matches text a parser may echo from its input: anything in double
// quotes, backticks or json-iterator style |...| excerpts.
var quoted = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|` + "`[^`]*`" + `|\|[^|\n]*\|`)

// scrubParseError returns the message of an error from parsing kubeconfig
// content with every quoted excerpt removed: parsers may quote the input,
// and any value of a kubeconfig may be a credential.
func scrubParseError(err error) string {
	return quoted.ReplaceAllString(err.Error(), "[redacted]")
}

// sanitize rewrites an error as a *SettingError whose message has every
// known secret value masked. The original error is not kept (not even for
// errors.Unwrap), so it cannot reveal them later.
func (c Config) sanitize(err error) error {
	se, ok := err.(*SettingError)
	if !ok {
		se = &SettingError{Message: err.Error()}
	}
	msg := se.Message
	for _, secret := range c.secrets() {
		msg = strings.ReplaceAll(msg, secret, "[redacted]")
	}
	return &SettingError{Setting: se.Setting, Message: msg}
}

// secrets lists the values that must never appear in an error message.
func (c Config) secrets() []string {
	var out []string
	add := func(s string) {
		s = strings.TrimSpace(s)
		if len(s) >= 4 {
			out = append(out, s)
		}
	}
	add(c.Token)
	add(c.ClientKey)
	for _, line := range strings.Split(c.ClientKey, "\n") {
		add(line)
	}
	if c.Exec != nil {
		for _, v := range c.Exec.Env {
			add(v)
		}
	}
	// Every value of the raw kubeconfig may be a credential.
	for _, line := range strings.Split(c.Kubeconfig, "\n") {
		if i := strings.Index(line, ":"); i >= 0 {
			v := strings.Trim(strings.TrimSpace(line[i+1:]), `"'`)
			if len(v) >= 12 {
				add(v)
			}
		}
	}
	// Longest first, so that a value containing another is masked whole.
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}
