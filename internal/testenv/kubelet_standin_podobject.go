package testenv

import (
	"context"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// standinDeploymentLabel names the Deployment a Pod object of the stand-in
// belongs to (the ReplicaSet controller would use pod-template-hash and an
// owner ReplicaSet).
const standinDeploymentLabel = "testenv.fleetform.io/kubelet-standin-deployment"

// standinNode is the node the stand-in's pods are bound to; no Node object
// exists for it.
const standinNode = "kubelet-standin"

// syncPodObject keeps one Pod object for the Deployment's pod, as the
// ReplicaSet controller creates it, with the status the kubelet would
// report: a running container is Running; one that keeps exiting waits with
// CrashLoopBackOff and the exit as message; one whose image the stand-in
// cannot run waits with ErrImagePull. Clients that read pods (kubectl, a
// wait that fails fast on such errors) see what they would in a cluster.
// Pods of an older template, or of a Deployment without pod, are deleted.
func (s *KubeletStandin) syncPodObject(ctx context.Context, d *appsv1.Deployment, pod *standinPod) error {
	pods := s.cluster.Core.CoreV1().Pods(s.namespace)
	existing, err := pods.List(ctx, metav1.ListOptions{LabelSelector: standinDeploymentLabel + "=" + d.Name})
	if err != nil {
		return err
	}
	var current *corev1.Pod
	for i := range existing.Items {
		p := &existing.Items[i]
		if pod != nil && p.Name == pod.name {
			current = p
			continue
		}
		if err := pods.Delete(ctx, p.Name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			return err
		}
	}
	if pod == nil {
		return nil
	}
	if current == nil {
		obj := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{
				Name: pod.name, Namespace: s.namespace, Labels: map[string]string{standinDeploymentLabel: d.Name},
				OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(d, appsv1.SchemeGroupVersion.WithKind("Deployment"))},
			},
			Spec: *d.Spec.Template.Spec.DeepCopy(),
		}
		for k, v := range d.Spec.Template.Labels {
			obj.Labels[k] = v
		}
		obj.Spec.NodeName = standinNode
		if current, err = pods.Create(ctx, obj, metav1.CreateOptions{}); err != nil {
			return err
		}
	}
	status := pod.podStatus()
	if podStatusEqual(current.Status, status) {
		return nil
	}
	updated := current.DeepCopy()
	updated.Status = status
	_, err = pods.UpdateStatus(ctx, updated, metav1.UpdateOptions{})
	if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
		return nil // a newer event follows
	}
	return err
}

// podStatus is the pod's status as the kubelet would report it.
func (p *standinPod) podStatus() corev1.PodStatus {
	status := corev1.PodStatus{Phase: corev1.PodRunning}
	ready := corev1.ConditionTrue
	for _, c := range p.spec.Containers {
		cs := corev1.ContainerStatus{Name: c.Name, Image: c.Image}
		switch {
		case p.refusal != "":
			cs.State.Waiting = &corev1.ContainerStateWaiting{Reason: "ErrImagePull", Message: p.refusal}
		default:
			snap := p.container(c.Name).snapshot(p.name)
			cs.RestartCount = int32(snap.Restarts) //nolint:gosec // a restart count
			switch {
			case snap.Running:
				started := true
				cs.Ready, cs.Started = true, &started
				cs.State.Running = &corev1.ContainerStateRunning{}
			case snap.LastExit != "":
				cs.State.Waiting = &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff", Message: snap.LastExit}
			default:
				cs.State.Waiting = &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}
			}
		}
		if !cs.Ready {
			ready = corev1.ConditionFalse
		}
		status.ContainerStatuses = append(status.ContainerStatuses, cs)
	}
	if p.refusal != "" {
		status.Phase = corev1.PodPending
	}
	status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: ready}}
	return status
}

// container is the pod's container of that name.
func (p *standinPod) container(name string) *standinContainer {
	for _, c := range p.containers {
		if c.spec.Name == name {
			return c
		}
	}
	return &standinContainer{spec: corev1.Container{Name: name}}
}

func podStatusEqual(a, b corev1.PodStatus) bool {
	strip := func(s corev1.PodStatus) corev1.PodStatus {
		s = *s.DeepCopy()
		for i := range s.Conditions {
			s.Conditions[i].LastTransitionTime, s.Conditions[i].LastProbeTime = metav1.Time{}, metav1.Time{}
		}
		return s
	}
	return jsonEqual(strip(a), strip(b))
}
