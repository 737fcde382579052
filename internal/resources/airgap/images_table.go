package airgap

// The images a Fleet release pulls, by release. Each entry was read from that
// release's charts (image values and templates) and its controller's default
// agent image; add a release here when it is checked the same way.
// images_test.go fails when the Fleet version the tests run is missing.

// fleetImage is one image of a Fleet release. An empty tag means the
// release's own version.
type fleetImage struct {
	component  string // what runs it, for the output
	repository string
	tag        string
}

// Since gitjob moved into Fleet, the controller image runs the controller,
// gitjob, helmops, the cleanup jobs and the jobs gitjob starts per GitRepo.
var (
	fleetControllerImage = fleetImage{component: "controller", repository: "rancher/fleet"}
	fleetAgentImage      = fleetImage{component: "agent", repository: "rancher/fleet-agent"}
)

var fleetImageTable = map[string][]fleetImage{
	"v0.16.0": {fleetControllerImage, fleetAgentImage},
	"v0.15.0": {fleetControllerImage, fleetAgentImage},
	// The fleet-agent chart of v0.12 patches the default ServiceAccount with
	// a kubectl hook job (agent-initiated registration only).
	"v0.12.0": {fleetControllerImage, fleetAgentImage, {component: "agent-chart-hook", repository: "rancher/kubectl", tag: "v1.31.6"}},
}

// fleetImagesAssumed is the layout assumed for a release missing from the
// table: that of the newest one checked.
var fleetImagesAssumed = []fleetImage{fleetControllerImage, fleetAgentImage}
