package testenv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"k8s.io/utils/ptr"
)

// createPod creates the pod the Job controller would, so Fleet finds the
// termination messages of a failed job by its job-name label.
func (r *gitJobRunner) createPod(ctx context.Context, job *batchv1.Job) (*corev1.Pod, error) {
	template := job.Spec.Template.DeepCopy()
	labels := map[string]string{}
	for k, v := range template.Labels {
		labels[k] = v
	}
	for _, k := range []string{"controller-uid", "batch.kubernetes.io/controller-uid"} {
		labels[k] = string(job.UID)
	}
	for _, k := range []string{"job-name", "batch.kubernetes.io/job-name"} {
		labels[k] = job.Name
	}
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			GenerateName:    job.Name + "-",
			Namespace:       job.Namespace,
			Labels:          labels,
			Annotations:     template.Annotations,
			OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(job, batchv1.SchemeGroupVersion.WithKind("Job"))},
		},
		Spec: template.Spec,
	}
	created, err := r.up.Core.CoreV1().Pods(job.Namespace).Create(ctx, pod, metav1.CreateOptions{})
	if err != nil {
		return nil, fmt.Errorf("create pod: %w", err)
	}
	return created, nil
}

// materialiseVolumes writes each volume into dir/volumes/<name> and returns
// the folders by volume name.
func (r *gitJobRunner) materialiseVolumes(ctx context.Context, namespace string, volumes []corev1.Volume, dir string) (map[string]string, error) {
	core := r.up.Core.CoreV1()
	folders := map[string]string{}
	for _, v := range volumes {
		folder := filepath.Join(dir, "volumes", v.Name)
		if err := os.MkdirAll(folder, 0o700); err != nil {
			return nil, err
		}
		folders[v.Name] = folder
		var data map[string][]byte
		var items []corev1.KeyToPath
		var optional bool
		var what string
		switch {
		case v.EmptyDir != nil:
			continue
		case v.ConfigMap != nil:
			what, items, optional = "ConfigMap "+v.ConfigMap.Name, v.ConfigMap.Items, ptr.Deref(v.ConfigMap.Optional, false)
			cm, err := core.ConfigMaps(namespace).Get(ctx, v.ConfigMap.Name, metav1.GetOptions{})
			if err == nil {
				data = map[string][]byte{}
				for k, s := range cm.Data {
					data[k] = []byte(s)
				}
				for k, b := range cm.BinaryData {
					data[k] = b
				}
			} else if !apierrors.IsNotFound(err) {
				return nil, err
			}
		case v.Secret != nil:
			what, items, optional = "Secret "+v.Secret.SecretName, v.Secret.Items, ptr.Deref(v.Secret.Optional, false)
			secret, err := core.Secrets(namespace).Get(ctx, v.Secret.SecretName, metav1.GetOptions{})
			if err == nil {
				data = secret.Data
			} else if !apierrors.IsNotFound(err) {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("volume %s: only emptyDir, configMap and secret volumes are supported", v.Name)
		}
		if data == nil {
			if optional {
				continue
			}
			return nil, fmt.Errorf("volume %s: %s not found", v.Name, what)
		}
		if len(items) == 0 {
			for k := range data {
				items = append(items, corev1.KeyToPath{Key: k, Path: k})
			}
		}
		for _, item := range items {
			content, ok := data[item.Key]
			if !ok {
				if optional {
					continue
				}
				return nil, fmt.Errorf("volume %s: %s has no key %q", v.Name, what, item.Key)
			}
			path := filepath.Join(folder, item.Path)
			if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
				return nil, err
			}
			if err := os.WriteFile(path, content, 0o600); err != nil {
				return nil, err
			}
		}
	}
	return folders, nil
}

// serviceAccountKubeconfig writes a kubeconfig for the pod's service account,
// the identity the pod would get in cluster.
func (r *gitJobRunner) serviceAccountKubeconfig(ctx context.Context, pod *corev1.Pod, dir string) (string, error) {
	account := pod.Spec.ServiceAccountName
	if account == "" {
		account = "default"
	}
	token, err := r.up.Core.CoreV1().ServiceAccounts(pod.Namespace).CreateToken(ctx, account,
		&authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](3600)}},
		metav1.CreateOptions{})
	if err != nil {
		return "", fmt.Errorf("token of service account %s: %w", account, err)
	}
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["upstream"] = &clientcmdapi.Cluster{Server: r.up.Host, CertificateAuthorityData: r.up.CAPEM}
	cfg.AuthInfos[account] = &clientcmdapi.AuthInfo{Token: token.Status.Token}
	cfg.Contexts["pod"] = &clientcmdapi.Context{Cluster: "upstream", AuthInfo: account, Namespace: pod.Namespace}
	cfg.CurrentContext = "pod"
	path := filepath.Join(dir, "kubeconfig")
	return path, clientcmd.WriteToFile(*cfg, path)
}

// mount maps a container path to the folder that stands in for it.
type mount struct{ path, dir string }

// mountTable holds a container's mounts, longest path first so nested
// mounts (e.g. /workspace/source under /workspace) win.
type mountTable []mount

func newMountTable(c corev1.Container, volumes map[string]string) (mountTable, error) {
	var t mountTable
	for _, m := range c.VolumeMounts {
		dir, ok := volumes[m.Name]
		if !ok {
			return nil, fmt.Errorf("container %s mounts unknown volume %s", c.Name, m.Name)
		}
		t = append(t, mount{path: filepath.Clean(m.MountPath), dir: filepath.Join(dir, m.SubPath)})
	}
	sort.SliceStable(t, func(i, j int) bool { return len(t[i].path) > len(t[j].path) })
	return t, nil
}

// path rewrites a container path that lies in a mount.
func (t mountTable) path(p string) string {
	for _, m := range t {
		if p == m.path {
			return m.dir
		}
		if strings.HasPrefix(p, m.path+"/") {
			return m.dir + p[len(m.path):]
		}
	}
	return p
}

// arg rewrites a command-line argument: a path, or --flag=path.
func (t mountTable) arg(a string) string {
	if i := strings.IndexByte(a, '='); i > 0 && strings.HasPrefix(a, "-") {
		return a[:i+1] + t.path(a[i+1:])
	}
	return t.path(a)
}

// dirOf returns the folder mounted exactly at path, if any.
func (t mountTable) dirOf(path string) (string, bool) {
	for _, m := range t {
		if m.path == path {
			return m.dir, true
		}
	}
	return "", false
}

// runContainer runs one container of the pod as a local fleetcli process.
func (r *gitJobRunner) runContainer(ctx context.Context, pod *corev1.Pod, c corev1.Container, kind string,
	volumes map[string]string, kubeconfig, dir string, log io.Writer) (containerRun, error) {
	mounts, err := newMountTable(c, volumes)
	if err != nil {
		return containerRun{}, err
	}
	command := append(append([]string{}, c.Command...), c.Args...)
	wrapped := len(command) > 0 && command[0] == logWrapper
	if wrapped {
		command = command[1:]
	}
	if len(command) == 0 || command[0] != "fleet" {
		return containerRun{}, fmt.Errorf("container %s: only the image's fleet command can run here, not %q", c.Name, command)
	}
	args := make([]string, 0, len(command)-1)
	for _, a := range command[1:] {
		args = append(args, mounts.arg(a))
	}
	env, err := r.containerEnv(ctx, pod, c, mounts)
	if err != nil {
		return containerRun{}, err
	}
	home := filepath.Join(dir, "home-"+c.Name)
	tmp, ok := mounts.dirOf("/tmp")
	if !ok {
		tmp = filepath.Join(dir, "tmp-"+c.Name)
	}
	base := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + mkdirAll(home), "TMPDIR=" + mkdirAll(tmp), "KUBECONFIG=" + kubeconfig}
	if certs, ok := mounts.dirOf("/etc/ssl/certs"); ok {
		base = append(base, "SSL_CERT_DIR="+certs) // the mount hides the image's CAs, as in the pod
	}
	workDir := home
	if c.WorkingDir != "" {
		workDir = mounts.path(c.WorkingDir)
	}

	cmd := exec.CommandContext(ctx, r.fleet, args...)
	cmd.Env = append(base, env...) // the container's own variables win, like HOME
	cmd.Dir = workDir
	cmd.SysProcAttr = ownProcessGroup()
	cmd.Cancel = func() error { return signalGroup(cmd.Process.Pid, true) }
	cmd.WaitDelay = 5 * time.Second
	tail := &tailBuffer{max: 64 << 10}
	out := io.MultiWriter(log, tail)
	cmd.Stdout, cmd.Stderr = out, out

	fmt.Fprintf(log, "--- %s container %s: fleet %s (in %s)\n", kind, c.Name, strings.Join(args, " "), workDir)
	res := containerRun{started: metav1.Now()}
	err = cmd.Run()
	res.finished = metav1.Now()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit) && exit.ExitCode() >= 0:
		res.exitCode = int32(exit.ExitCode())
	case errors.As(err, &exit):
		res.exitCode = 137 // killed by a signal, as the kubelet reports SIGKILL
	default:
		res.exitCode = 128
		fmt.Fprintf(tail, "%v\n", err)
	}
	fmt.Fprintf(log, "--- exit code %d after %s\n", res.exitCode, res.finished.Sub(res.started.Time).Round(10*time.Millisecond))
	switch {
	case wrapped:
		res.message = wrappedTerminationLog(tail.buf)
	case res.exitCode != 0 && c.TerminationMessagePolicy == corev1.TerminationMessageFallbackToLogsOnError:
		res.message = terminationTail(tail.buf)
	}
	return res, nil
}

// containerEnv resolves the container's environment like the kubelet, with
// mount paths rewritten.
func (r *gitJobRunner) containerEnv(ctx context.Context, pod *corev1.Pod, c corev1.Container, mounts mountTable) ([]string, error) {
	if len(c.EnvFrom) > 0 {
		return nil, fmt.Errorf("container %s: envFrom is not supported by the testenv gitjob runner", c.Name)
	}
	core := r.up.Core.CoreV1()
	var env []string
	for _, v := range c.Env {
		value, set := v.Value, true
		switch from := v.ValueFrom; {
		case from == nil:
		case from.FieldRef != nil:
			switch from.FieldRef.FieldPath {
			case "metadata.name":
				value = pod.Name
			case "metadata.namespace":
				value = pod.Namespace
			default:
				return nil, fmt.Errorf("env %s: fieldRef %s is not supported by the testenv gitjob runner", v.Name, from.FieldRef.FieldPath)
			}
		case from.SecretKeyRef != nil:
			ref := from.SecretKeyRef
			secret, err := core.Secrets(pod.Namespace).Get(ctx, ref.Name, metav1.GetOptions{})
			if err != nil && !apierrors.IsNotFound(err) {
				return nil, err
			}
			var data []byte
			if err == nil {
				data, set = secret.Data[ref.Key]
			} else {
				set = false
			}
			if !set && !ptr.Deref(ref.Optional, false) {
				return nil, fmt.Errorf("env %s: key %q of Secret %s not found", v.Name, ref.Key, ref.Name)
			}
			value = string(data)
		case from.ConfigMapKeyRef != nil:
			ref := from.ConfigMapKeyRef
			cm, err := core.ConfigMaps(pod.Namespace).Get(ctx, ref.Name, metav1.GetOptions{})
			if err != nil && !apierrors.IsNotFound(err) {
				return nil, err
			}
			if err == nil {
				value, set = cm.Data[ref.Key]
			} else {
				set = false
			}
			if !set && !ptr.Deref(ref.Optional, false) {
				return nil, fmt.Errorf("env %s: key %q of ConfigMap %s not found", v.Name, ref.Key, ref.Name)
			}
		default:
			return nil, fmt.Errorf("env %s: this valueFrom is not supported by the testenv gitjob runner", v.Name)
		}
		if set {
			env = append(env, v.Name+"="+mounts.path(value))
		}
	}
	return env, nil
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	buf []byte
	max int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = append([]byte(nil), t.buf[len(t.buf)-t.max:]...)
	}
	return len(p), nil
}

// logWrapper is the script Fleet v0.12's git job runs the image's fleet
// command through (Command ["log.sh"], Args ["fleet", ...]: newGitJob in
// v0.12's internal/cmd/controller/gitops/reconciler/gitjob_controller.go).
// Its package/log.sh prints the environment, then runs its arguments with
// their output piped through `tee /dev/termination-log`, so the container's
// termination message is that output whatever the exit code. Later releases
// run fleet directly.
const logWrapper = "log.sh"

// terminationLogFileBytes is how much of /dev/termination-log the kubelet
// keeps: the first 4 KiB (MaxContainerTerminationMessageLength, read with
// ReadAtMost).
const terminationLogFileBytes = 4096

// wrappedTerminationLog is the termination message of a container run
// through logWrapper: the start of its command's output (of the last 64 KiB,
// which is all the runner keeps).
func wrappedTerminationLog(out []byte) string {
	if len(out) > terminationLogFileBytes {
		out = out[:terminationLogFileBytes]
	}
	return string(out)
}

// terminationTail is what the kubelet keeps of a failed container's log: the
// last 80 lines, at most their last 2 KiB.
func terminationTail(out []byte) string {
	s := strings.TrimRight(string(out), "\n")
	if lines := strings.Split(s, "\n"); len(lines) > terminationLogLines {
		s = strings.Join(lines[len(lines)-terminationLogLines:], "\n")
	}
	if len(s) > terminationLogBytes {
		s = s[len(s)-terminationLogBytes:]
	}
	return s
}

// mkdirAll creates dir if needed and returns it; a failure surfaces when the
// folder is used.
func mkdirAll(dir string) string {
	_ = os.MkdirAll(dir, 0o700)
	return dir
}
