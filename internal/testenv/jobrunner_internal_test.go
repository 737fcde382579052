package testenv

import (
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// Fleet mounts one volume at /workspace in the cloner and at
// /workspace/source in fleet apply, next to /tmp and /run/config: the nested
// mount must win and unrelated look-alike paths stay as they are.
func TestMountTableRewritesPaths(t *testing.T) {
	c := corev1.Container{Name: "fleet", VolumeMounts: []corev1.VolumeMount{
		{Name: "tmp", MountPath: "/tmp"},
		{Name: "workspace", MountPath: "/workspace"},
		{Name: "source", MountPath: "/workspace/source/"},
		{Name: "config", MountPath: "/run/config", SubPath: "sub"},
	}}
	mounts, err := newMountTable(c, map[string]string{"tmp": "/t/tmp", "workspace": "/t/ws", "source": "/t/src", "config": "/t/cfg"})
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		"/workspace/source":                   "/t/src",
		"/workspace/source/sub/dir":           "/t/src/sub/dir",
		"/workspace":                          "/t/ws",
		"/workspace/other":                    "/t/ws/other",
		"/tmpfile":                            "/tmpfile",
		"--targets-file=/run/config/t.yaml":   "--targets-file=/t/cfg/sub/t.yaml",
		"--label=fleet.cattle.io/repo-name=x": "--label=fleet.cattle.io/repo-name=x",
		"git://127.0.0.1:1/workspace":         "git://127.0.0.1:1/workspace",
		"--branch":                            "--branch",
	} {
		if got := mounts.arg(in); got != want {
			t.Errorf("arg(%q) = %q, want %q", in, got, want)
		}
	}
	if _, err := newMountTable(corev1.Container{Name: "x", VolumeMounts: []corev1.VolumeMount{{Name: "missing", MountPath: "/m"}}}, nil); err == nil {
		t.Error("a mount of an unknown volume must fail")
	}
}

// The kubelet keeps the last 80 lines of a failed container's log, at most
// 2 KiB of them, as its termination message.
func TestTerminationTail(t *testing.T) {
	var lines []string
	for i := 1; i <= 100; i++ {
		lines = append(lines, fmt.Sprintf("line %d", i))
	}
	got := terminationTail([]byte(strings.Join(lines, "\n") + "\n"))
	if !strings.HasPrefix(got, "line 21\n") || !strings.HasSuffix(got, "line 100") {
		t.Errorf("80-line tail = %q...%q", got[:10], got[len(got)-10:])
	}
	long := strings.Repeat("x", 3000) + "\nlast"
	if got := terminationTail([]byte(long)); len(got) != terminationLogBytes || !strings.HasSuffix(got, "\nlast") {
		t.Errorf("byte-limited tail has %d bytes, ends %q", len(got), got[len(got)-5:])
	}
	tail := &tailBuffer{max: 4}
	fmt.Fprint(tail, "abc")
	fmt.Fprint(tail, "defg")
	if string(tail.buf) != "defg" {
		t.Errorf("tailBuffer kept %q", tail.buf)
	}
}
