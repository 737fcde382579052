package testenv

import (
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// The stand-in finds the Fleet binary an image names under any registry, and
// runs a container's command and args as the container runtime would. It
// refuses an agent that would take ports the harness keeps for tests.
func TestKubeletStandinContainerCommand(t *testing.T) {
	s := &KubeletStandin{releases: map[string]string{"v0.16.0": "/bin-dir", "v0.15.0": "/bin-dir-0.15", "v0.12.0": "/bin-dir-0.12"}}
	for _, tc := range []struct {
		container corev1.Container
		binary    string
		args      []string
		refused   string
	}{
		{container: corev1.Container{Image: "rancher/fleet:v0.16.0", Command: []string{"fleetcontroller"}, Args: []string{"gitjob", "--debug"}},
			binary: "/bin-dir/fleetcontroller", args: []string{"gitjob", "--debug"}},
		{container: corev1.Container{Image: "registry.corp:5000/rancher/fleet:v0.16.0", Command: []string{"/usr/bin/fleet"}, Args: []string{"apply"}},
			binary: "/bin-dir/fleetcli", args: []string{"apply"}},
		{container: corev1.Container{Image: "docker.io/rancher/fleet-agent:v0.16.0"}, binary: "/bin-dir/fleetagent", args: []string{}},
		{container: corev1.Container{Image: "mirror/rancher/fleet:v0.16.0@sha256:0123", Args: []string{"fleetcontroller", "cleanup"}},
			binary: "/bin-dir/fleetcontroller", args: []string{"cleanup"}},
		{container: corev1.Container{Image: "rancher/fleet:v0.15.0", Command: []string{"fleetcontroller"}}, binary: "/bin-dir-0.15/fleetcontroller", args: []string{}},
		{container: corev1.Container{Image: "rancher/fleet:v0.12.0"}, binary: "/bin-dir-0.12/fleetcontroller", args: []string{}},
		{container: corev1.Container{Image: "rancher/fleet-agent:v0.12.0"}, refused: "binds :8080 and :8081 whatever its environment says"},
		{container: corev1.Container{Image: "rancher/fleet:v0.11.0"}, refused: "is not Fleet v0.12.0 or v0.15.0 or v0.16.0"},
		{container: corev1.Container{Image: "rancher/fleet"}, refused: "is not Fleet v0.12.0 or v0.15.0 or v0.16.0"},
		{container: corev1.Container{Image: "rancher/fleetx:v0.16.0"}, refused: "is not a Fleet image"},
		{container: corev1.Container{Image: "rancher/fleet-agent:v0.16.0", Command: []string{"fleetcontroller"}}, refused: `has no executable "fleetcontroller"`},
	} {
		binary, args, err := s.containerCommand(tc.container)
		if tc.refused != "" {
			if err == nil || !strings.Contains(err.Error(), tc.refused) {
				t.Errorf("%s %v: error %v, want one saying %q", tc.container.Image, tc.container.Command, err, tc.refused)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.container.Image, err)
			continue
		}
		if binary != tc.binary || !slices.Equal(args, tc.args) {
			t.Errorf("%s %v %v: runs %s %q, want %s %q", tc.container.Image, tc.container.Command, tc.container.Args, binary, args, tc.binary, tc.args)
		}
	}
}
