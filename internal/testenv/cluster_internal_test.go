package testenv

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A wait that times out on a process still running quotes the last line of
// its log: an agent waiting for its registration says so there.
func TestWaitForTimeoutQuotesTheLastLogLine(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "agent.log")
	p, err := launch(logPath, "agent", "", "/bin/sh", []string{"-c", "echo starting; echo waiting for secret c-1234; exec sleep 60"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.stop(time.Second) })
	deadline := time.Now().Add(10 * time.Second)
	for lastLogLine(logPath) != "waiting for secret c-1234" && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}

	err = waitFor(context.Background(), "agent to check in", 300*time.Millisecond, []*process{p}, func(context.Context) error {
		return errors.New("lastSeen is not set")
	})
	if err == nil || !strings.Contains(err.Error(), logPath+", whose last line is: waiting for secret c-1234") {
		t.Fatalf("timeout error %v does not quote the agent's last log line", err)
	}
}
