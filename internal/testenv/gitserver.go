package testenv

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// GitServer is a real git server for GitRepo tests: `git daemon` on loopback,
// serving (and accepting pushes to) every repository under its folder at
// git://127.0.0.1:<port>/<name>. No other host resolves here, and Fleet's
// gitcloner and commit poller speak git:// as they speak https://.
type GitServer struct {
	dir  string
	port int
	proc *process
}

// StartGitServer runs git daemon for the repositories under dir (created if
// needed); its log is dir/git-daemon.log. It dies with the calling process;
// Stop ends it earlier.
func StartGitServer(ctx context.Context, dir string) (*GitServer, error) {
	if err := os.MkdirAll(filepath.Join(dir, ".work"), 0o755); err != nil {
		return nil, err
	}
	// Run git-daemon itself rather than `git daemon`, which would be its
	// parent: the parent-death signal must reach the daemon.
	execPath, err := gitOutput(dir, "--exec-path")
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	p, err := startProcess(dir, "git-daemon", filepath.Join(strings.TrimSpace(execPath), "git-daemon"), []string{
		"--export-all", "--base-path=" + dir, "--listen=127.0.0.1",
		fmt.Sprintf("--port=%d", port), "--reuseaddr", "--enable=receive-pack", "--informative-errors",
	}, nil)
	if err != nil {
		return nil, err
	}
	s := &GitServer{dir: dir, port: port, proc: p}
	err = waitFor(ctx, "git daemon", 30*time.Second, []*process{p}, func(ctx context.Context) error {
		conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", loopback(port))
		if err == nil {
			conn.Close()
		}
		return err
	})
	if err != nil {
		p.stop(time.Second)
		return nil, err
	}
	return s, nil
}

// Stop ends the git daemon.
func (s *GitServer) Stop() { s.proc.stop(5 * time.Second) }

// URL is the clone URL of repository name.
func (s *GitServer) URL(name string) string {
	return fmt.Sprintf("git://%s/%s", loopback(s.port), name)
}

// CreateRepo creates repository name with branch master (Fleet's default)
// holding files (path relative to the repository root → content) in one
// commit, and returns its clone URL and the commit hash.
func (s *GitServer) CreateRepo(name string, files map[string]string) (url, commit string, err error) {
	bare := filepath.Join(s.dir, name)
	work := filepath.Join(s.dir, ".work", name)
	if _, err := os.Stat(bare); err == nil {
		return "", "", fmt.Errorf("git repository %s exists", name)
	}
	if err := gitRun(s.dir, "init", "--quiet", "--bare", "--initial-branch=master", bare); err != nil {
		return "", "", err
	}
	if err := gitRun(s.dir, "init", "--quiet", "--initial-branch=master", work); err != nil {
		return "", "", err
	}
	if err := gitRun(work, "remote", "add", "origin", bare); err != nil {
		return "", "", err
	}
	commit, err = s.Commit(name, files)
	if err != nil {
		return "", "", err
	}
	return s.URL(name), commit, nil
}

// Commit writes files into repository name (an empty content removes the
// file), commits them on master and pushes; it returns the new commit hash.
func (s *GitServer) Commit(name string, files map[string]string) (string, error) {
	work := filepath.Join(s.dir, ".work", name)
	for path, content := range files {
		full := filepath.Join(work, filepath.FromSlash(path))
		if !strings.HasPrefix(full, work+string(filepath.Separator)) {
			return "", fmt.Errorf("file %q is outside the repository", path)
		}
		if content == "" {
			if err := os.Remove(full); err != nil && !os.IsNotExist(err) {
				return "", err
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			return "", err
		}
	}
	if err := gitRun(work, "add", "--all"); err != nil {
		return "", err
	}
	if err := gitRun(work, "commit", "--quiet", "--allow-empty", "--message", fmt.Sprintf("testenv commit %d", time.Now().UnixNano())); err != nil {
		return "", err
	}
	if err := gitRun(work, "push", "--quiet", "origin", "master"); err != nil {
		return "", err
	}
	out, err := gitOutput(work, "rev-parse", "HEAD")
	return strings.TrimSpace(out), err
}

// gitEnv keeps the caller's git configuration out and names a committer.
var gitEnv = []string{
	"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
	"GIT_AUTHOR_NAME=testenv", "GIT_AUTHOR_EMAIL=testenv@example.invalid",
	"GIT_COMMITTER_NAME=testenv", "GIT_COMMITTER_EMAIL=testenv@example.invalid",
}

func gitRun(dir string, args ...string) error {
	_, err := gitOutput(dir, args...)
	return err
}

func gitOutput(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), gitEnv...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return string(out), nil
}
