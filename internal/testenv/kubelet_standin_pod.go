package testenv

import (
	"context"
	"fmt"
	"maps"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// The delays before restarting a container that exited: CrashLoopBackOff's
// doubling, but from 1s to 30s instead of 10s to 5m, so that tests see a
// crashed controller come back within their timeouts. A container that ran
// for crashLoopReset starts over at the first delay.
const (
	crashLoopFirstDelay = time.Second
	crashLoopMaxDelay   = 30 * time.Second
	crashLoopReset      = time.Minute
)

// standinPod is the pod the stand-in runs for one Deployment: each container
// a process, in a folder of its own.
type standinPod struct {
	name       string
	deployment string
	hash       string // of the pod template it runs
	dir        string
	spec       corev1.PodSpec
	// refusal says why the pod cannot run (then it has no containers).
	refusal    string
	containers []*standinContainer

	stopping chan struct{}
	stopOnce sync.Once
	wg       sync.WaitGroup
}

// standinContainer is one container of a pod and the process running it.
type standinContainer struct {
	spec      corev1.Container
	binary    string
	chartArgs []string // the argv after the executable, as the pod spec gives it

	mu       sync.Mutex
	running  bool
	pid      int
	args     []string
	env      []string
	restarts int
	lastExit string
	log      string
}

// start supervises every container of the pod in the background.
func (p *standinPod) start(s *KubeletStandin) {
	for _, c := range p.containers {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			c.supervise(s, p)
		}()
	}
}

// stop ends the pod's processes and removes its folder. Safe to call more
// than once.
func (p *standinPod) stop() {
	p.stopOnce.Do(func() { close(p.stopping) })
	p.wg.Wait()
	_ = os.RemoveAll(p.dir)
}

// state reports whether every container runs, and says what runs or why not.
func (p *standinPod) state() (ready bool, summary string) {
	if p.refusal != "" {
		return false, "the kubelet stand-in cannot run pod " + p.name + ": " + p.refusal
	}
	var down, restarted []string
	for _, c := range p.containers {
		snap := c.snapshot(p.name)
		switch {
		case !snap.Running && snap.LastExit == "":
			down = append(down, fmt.Sprintf("container %s is starting", snap.Name))
		case !snap.Running:
			down = append(down, fmt.Sprintf("container %s is not running (%d restarts): %s", snap.Name, snap.Restarts, snap.LastExit))
		case snap.Restarts > 0:
			restarted = append(restarted, fmt.Sprintf("container %s restarted %d times, last: %s", snap.Name, snap.Restarts, snap.LastExit))
		}
	}
	if len(down) > 0 {
		return false, "pod " + p.name + ": " + strings.Join(down, "; ")
	}
	summary = "the kubelet stand-in runs pod " + p.name
	if len(restarted) > 0 {
		summary += " (" + strings.Join(restarted, "; ") + ")"
	}
	return true, summary
}

// supervise runs the container until the pod stops, restarting it with a
// growing delay whenever it exits or cannot start (restartPolicy Always).
// Every change is reported to the Deployment's status.
func (c *standinContainer) supervise(s *KubeletStandin, p *standinPod) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-p.stopping:
			cancel()
		case <-ctx.Done():
		}
	}()
	delay := crashLoopFirstDelay
	for {
		began := time.Now()
		proc, err := c.launch(ctx, s, p)
		if err == nil {
			c.mu.Lock()
			c.running, c.pid = true, proc.cmd.Process.Pid
			c.mu.Unlock()
			s.queue.Add(p.deployment)
			select {
			case <-p.stopping:
				proc.stop(10 * time.Second)
				return
			case <-proc.done:
			}
			_, exitErr := proc.exited()
			err = fmt.Errorf("exited (%v) after %s; last output: %s", exitErr, time.Since(began).Round(time.Second), lastLogLine(proc.log))
			if time.Since(began) > crashLoopReset {
				delay = crashLoopFirstDelay
			}
			c.mu.Lock()
			c.restarts++
			c.mu.Unlock()
		}
		if ctx.Err() != nil {
			return
		}
		c.mu.Lock()
		c.running, c.pid, c.lastExit = false, 0, err.Error()
		c.mu.Unlock()
		s.logf("kubelet stand-in: pod %s container %s: %v; restarting in %s", p.name, c.spec.Name, err, delay)
		s.queue.Add(p.deployment)
		select {
		case <-p.stopping:
			return
		case <-time.After(delay):
		}
		delay = min(2*delay, crashLoopMaxDelay)
	}
}

// launch starts the container's process once: the environment and the
// service-account token are resolved at each start, as the kubelet does.
func (c *standinContainer) launch(ctx context.Context, s *KubeletStandin, p *standinPod) (*process, error) {
	tmp := filepath.Join(p.dir, "tmp")
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		return nil, err
	}
	kubeconfig, err := s.serviceAccountKubeconfig(ctx, p, c.spec.Name)
	if err != nil {
		return nil, err
	}
	containerEnv, err := s.containerEnv(ctx, p, c.spec)
	if err != nil {
		return nil, err
	}
	listenerEnv, listenerArgs, err := isolateListeners(filepath.Base(c.binary), c.chartArgs)
	if err != nil {
		return nil, err
	}
	api, err := url.Parse(s.cluster.Host)
	if err != nil {
		return nil, err
	}
	// What the image and the kubelet give every container, then the
	// container's own variables, then what stands in for the pod's network
	// and mounted token (last, so they win).
	environ := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + p.dir,
		"TMPDIR=" + tmp, // the charts mount an emptyDir at /tmp
		"HOSTNAME=" + p.name,
		"KUBERNETES_SERVICE_HOST=" + api.Hostname(),
		"KUBERNETES_SERVICE_PORT=" + api.Port(),
	}
	environ = append(environ, containerEnv...)
	environ = append(environ, "KUBECONFIG="+kubeconfig)
	environ = append(environ, listenerEnv...)
	args := append(slices.Clone(c.chartArgs), listenerArgs...)
	logPath := filepath.Join(s.logDir, "kubelet-"+p.deployment+"-"+c.spec.Name+".log")
	proc, err := launch(logPath, p.name+"/"+c.spec.Name, p.dir, c.binary, args, environ)
	c.mu.Lock()
	c.args, c.env, c.log = args, environ, logPath
	c.mu.Unlock()
	return proc, err
}

func (c *standinContainer) snapshot(pod string) StandinContainer {
	c.mu.Lock()
	defer c.mu.Unlock()
	return StandinContainer{
		Pod: pod, Name: c.spec.Name, Binary: c.binary,
		Args: slices.Clone(c.args), Env: slices.Clone(c.env),
		Running: c.running, PID: c.pid, Restarts: c.restarts, LastExit: c.lastExit, Log: c.log,
	}
}

// isolateListeners moves every port a Fleet binary listens on to a free
// loopback port. In a cluster each pod has a network namespace of its own;
// here all processes share the machine's, where the defaults (:8080, :8081)
// would collide between the controllers and with other environments. The
// binaries read their metrics and probe addresses from the environment; the
// gitjob webhook's address is a flag only, so it is appended to the args
// (the last occurrence of a flag wins). fleetcontroller's pprof listener on
// localhost:6060 cannot be moved: only the first process gets it, the others
// log the failure and carry on.
func isolateListeners(binary string, args []string) (env, extraArgs []string, err error) {
	switch binary {
	case "fleetcontroller":
		ports, err := freePorts(5)
		if err != nil {
			return nil, nil, err
		}
		env = []string{
			"FLEET_METRICS_BIND_ADDRESS=" + loopback(ports[0]),
			"FLEET_HEALTHPROBE_BIND_ADDRESS=" + loopback(ports[1]),
			"GITOPS_METRICS_BIND_ADDRESS=" + loopback(ports[2]),
			"HELMOPS_METRICS_BIND_ADDRESS=" + loopback(ports[3]),
		}
		if len(args) > 0 && args[0] == "gitjob" {
			extraArgs = []string{"--listen=" + loopback(ports[4])}
		}
	case "fleetagent":
		ports, err := freePorts(2)
		if err != nil {
			return nil, nil, err
		}
		env = []string{
			"FLEET_AGENT_METRICS_BIND_ADDRESS=" + loopback(ports[0]),
			"FLEET_AGENT_PROBE_BIND_ADDRESS=" + loopback(ports[1]),
			"FLEET_AGENT_PPROF_DISABLED=true",
		}
	}
	return env, extraArgs, nil
}

// fleetImage is what a Fleet image holds: executables (each the binary built
// from the pinned module) and the command it runs by default (its CMD; the
// images have no ENTRYPOINT). Source: package/Dockerfile and
// package/Dockerfile.agent of the Fleet release.
type fleetImage struct {
	cmd      string
	binaries map[string]string // executable in the image -> binary in the binaries folder
}

// fleetImages are the Fleet images by repository, without registry.
var fleetImages = map[string]fleetImage{
	"rancher/fleet":       {cmd: "fleetcontroller", binaries: map[string]string{"fleetcontroller": "fleetcontroller", "fleet": "fleetcli"}},
	"rancher/fleet-agent": {cmd: "fleetagent", binaries: map[string]string{"fleetagent": "fleetagent"}},
}

// mapImage finds the Fleet image an image reference names, under any
// registry prefix (global.cattle.systemDefaultRegistry), and its release
// among releases (version -> folder of its binaries); it refuses one of
// another release: running other binaries would test the wrong Fleet.
func mapImage(image string, releases map[string]string) (fleetImage, string, error) {
	ref, _, _ := strings.Cut(image, "@") // a digest pins content no built binary can match; the tag must say the release
	repo, tag := ref, ""
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		repo, tag = ref[:i], ref[i+1:]
	}
	for name, img := range fleetImages {
		if repo != name && !strings.HasSuffix(repo, "/"+name) {
			continue
		}
		if _, ok := releases[tag]; !ok {
			known := slices.Sorted(maps.Keys(releases))
			return fleetImage{}, "", fmt.Errorf("image %s is not Fleet %s, the release whose binaries the kubelet stand-in runs", image, strings.Join(known, " or "))
		}
		return img, tag, nil
	}
	return fleetImage{}, "", fmt.Errorf("image %s is not a Fleet image (rancher/fleet or rancher/fleet-agent under any registry): the kubelet stand-in runs no other", image)
}

// containerCommand resolves what a container runs as the container runtime
// would: command and args replace the image's CMD, and args alone replace
// it too (the images have no ENTRYPOINT); the executable is looked up among
// the image's.
func (s *KubeletStandin) containerCommand(c corev1.Container) (binary string, args []string, err error) {
	s.mu.Lock()
	img, version, err := mapImage(c.Image, s.releases)
	binDir := s.releases[version]
	s.mu.Unlock()
	if err != nil {
		return "", nil, err
	}
	argv := append(slices.Clone(c.Command), c.Args...)
	if len(argv) == 0 {
		argv = []string{img.cmd}
	}
	bin, ok := img.binaries[path.Base(argv[0])]
	if !ok {
		return "", nil, fmt.Errorf("image %s has no executable %q", c.Image, argv[0])
	}
	if bin == "fleetagent" {
		release, err := LookupRelease(version)
		if err != nil {
			return "", nil, err
		}
		// Such an agent (the management cluster's own, which Fleet deploys
		// into its system namespace) would race the agents tests start
		// for the ports, and the loser runs on without ever checking in.
		if release.AgentFixedPorts {
			return "", nil, fmt.Errorf("Fleet %s's fleet-agent binds :8080 and :8081 whatever its environment says: "+
				"with one network for every process, those ports are kept for the agents tests start (StartAgentOn)", version)
		}
	}
	return filepath.Join(binDir, bin), argv[1:], nil
}

// lastLogLine returns the last line a process wrote, shortened, for status
// messages.
func lastLogLine(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return "(no log)"
	}
	defer f.Close()
	const tail = 4096
	info, err := f.Stat()
	if err != nil {
		return "(no log)"
	}
	buf := make([]byte, min(info.Size(), tail))
	if _, err := f.ReadAt(buf, info.Size()-int64(len(buf))); err != nil {
		return "(no log)"
	}
	lines := strings.Split(strings.TrimSpace(string(buf)), "\n")
	last := strings.TrimSpace(lines[len(lines)-1])
	if len(last) > 300 {
		last = last[:300] + "…"
	}
	if last == "" {
		return "(none)"
	}
	return last
}
