package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// DefaultFleetVersion is the Fleet release the environment runs unless
// FLEET_VERSION (make) or the binaries folder says otherwise.
const DefaultFleetVersion = "v0.16.0"

// Release is what differs between the Fleet releases the environment can run:
// how Fleet's Helm chart of that release starts the controllers, which the
// harness does in its place. Each is built from tools/fleet-<Version>/.
type Release struct {
	// Version is the release tag, e.g. "v0.15.0".
	Version string
	// Rancher is the Rancher minor release that ships it.
	Rancher string
	// HelmOps says whether the chart runs the helmops controller. v0.12 has
	// only its experimental predecessor, HelmApp: the chart deploys that
	// controller only with EXPERIMENTAL_HELM_OPS=true in extraEnv, which a
	// default install (and Rancher 2.11) does not set, so the environment
	// does not run it either.
	HelmOps bool
	// AgentElectionEnv says whether agentmanagement reads the agents'
	// leader-election timing from FLEET_AGENT_ELECTION_* (v0.15 and later;
	// v0.12 writes fixed values into the agent Deployment).
	AgentElectionEnv bool
	// LocalAgentDisabled says whether the controller configuration has
	// bootstrap.localAgentDisabled (v0.16): without it the controller also
	// deploys an agent into the management cluster's own
	// cattle-fleet-local-system, which no kubelet runs here; the local
	// cluster then stays unready, as it does with the setting.
	LocalAgentDisabled bool
	// AgentFixedPorts says whether the agent binds :8080 (metrics), :8081
	// (probes) and localhost:6060 (pprof) whatever its environment says
	// (v0.12; later agents read FLEET_AGENT_METRICS_BIND_ADDRESS,
	// FLEET_AGENT_PROBE_BIND_ADDRESS and FLEET_AGENT_PPROF_DISABLED). Only
	// one such agent can run on a machine at a time; see StartAgentOn. The
	// kubelet stand-in runs none.
	AgentFixedPorts bool
	// AgentChartHook says whether the release's fleet-agent chart has the
	// post-install/post-upgrade hook Job patch-fleet-sa (v0.12), which the
	// harness completes in a kubelet's place while an agent runs (see
	// runAgentChartHook).
	AgentChartHook bool
}

// Releases are the Fleet releases users run, oldest first: the ones Rancher
// 2.11, 2.14 and 2.15 ship. Sources: each release's charts/fleet templates
// (deployment.yaml, deployment_gitjob.yaml, deployment_helmops.yaml),
// charts/fleet-agent/templates, internal/config/config.go and
// internal/cmd/agent/operator.go.
var Releases = []Release{
	{Version: "v0.12.0", Rancher: "2.11", AgentFixedPorts: true, AgentChartHook: true},
	{Version: "v0.15.0", Rancher: "2.14", HelmOps: true, AgentElectionEnv: true},
	{Version: "v0.16.0", Rancher: "2.15", HelmOps: true, AgentElectionEnv: true, LocalAgentDisabled: true},
}

// LookupRelease returns the release with that tag.
func LookupRelease(version string) (Release, error) {
	i := slices.IndexFunc(Releases, func(r Release) bool { return r.Version == version })
	if i < 0 {
		var known []string
		for _, r := range Releases {
			known = append(known, r.Version)
		}
		return Release{}, fmt.Errorf("Fleet %s is not one the test environment can run (%s)", version, strings.Join(known, ", "))
	}
	return Releases[i], nil
}

// IsDefault reports whether r is the release the whole test suite runs
// against; the others run the compatibility suite (tests named TestAccCompat*).
func (r Release) IsDefault() bool { return r.Version == DefaultFleetVersion }

// AtLeast reports whether r is version or newer (versions of Releases only).
func (r Release) AtLeast(version string) bool {
	return slices.IndexFunc(Releases, func(x Release) bool { return x.Version == r.Version }) >=
		slices.IndexFunc(Releases, func(x Release) bool { return x.Version == version })
}

// releaseFile names the file in the binaries folder that holds the Fleet
// release they were built from (written by tools/build-testenv.sh).
const releaseFile = "fleet-version"

// releaseOf reads which Fleet release the binaries in dir are.
func releaseOf(dir string) (Release, error) {
	data, err := os.ReadFile(filepath.Join(dir, releaseFile))
	if err != nil {
		return Release{}, fmt.Errorf("%s does not say which Fleet release it holds (rebuild with tools/build-testenv.sh): %w", dir, err)
	}
	return LookupRelease(strings.TrimSpace(string(data)))
}
