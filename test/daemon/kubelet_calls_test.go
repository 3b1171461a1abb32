package daemon_test

import (
	"context"
	"fmt"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// The CRI calls kubelet makes, each with the kubelet code that makes it:
// files under pkg/kubelet/ in k8s.io/kubernetes v1.34.4, which the tests
// replay through kubelet's own client, k8s.io/cri-client.

// podRun holds the ids the daemon handed out during a replayed pod.
type podRun struct {
	uid, pod, ctr string
}

// kubeletCall is one CRI call, the kubelet function that makes it and a
// replay of it through kubelet's clients.
type kubeletCall struct {
	span   string // the server span name: the full gRPC method
	caller string // where kubelet makes it
	run    func(ctx context.Context, k *kubelet, p *podRun) error
}

// podStatusCalls are the calls of GetPodStatus
// (kuberuntime/kuberuntime_manager.go), which kubelet runs for a pod after
// each PLEG event (pleg/generic.go updateCache) and once more after killing
// it (kubelet.go SyncTerminatingPod).
func podStatusCalls(when string) []kubeletCall {
	return []kubeletCall{
		{runtimeRPC("ListPodSandbox"), "kuberuntime/kuberuntime_sandbox.go getSandboxIDByPodUID, " + when,
			func(ctx context.Context, k *kubelet, p *podRun) error {
				_, err := k.rt.ListPodSandbox(ctx, &runtimeapi.PodSandboxFilter{LabelSelector: map[string]string{"io.kubernetes.pod.uid": p.uid}})
				return err
			}},
		{runtimeRPC("PodSandboxStatus"), "kuberuntime/kuberuntime_manager.go GetPodStatus, " + when,
			func(ctx context.Context, k *kubelet, p *podRun) error {
				_, err := k.rt.PodSandboxStatus(ctx, p.pod, false)
				return err
			}},
		{runtimeRPC("ListContainers"), "kuberuntime/kuberuntime_container.go getPodContainerStatuses, " + when,
			func(ctx context.Context, k *kubelet, p *podRun) error {
				_, err := k.rt.ListContainers(ctx, &runtimeapi.ContainerFilter{LabelSelector: map[string]string{"io.kubernetes.pod.uid": p.uid}})
				return err
			}},
		{runtimeRPC("ContainerStatus"), "kuberuntime/kuberuntime_container.go getPodContainerStatuses, " + when,
			func(ctx context.Context, k *kubelet, p *podRun) error {
				_, err := k.rt.ContainerStatus(ctx, p.ctr, false)
				return err
			}},
	}
}

// imageStatus is kubelet's ImageStatus call for the pod's image.
func imageStatus(ctx context.Context, k *kubelet, _ *podRun) error {
	_, err := k.img.ImageStatus(ctx, &runtimeapi.ImageSpec{Image: testImage}, false)
	return err
}

// podStartStopCalls returns every call kubelet makes to start a
// one-container pod (image pull policy IfNotPresent, no probes, no
// lifecycle hooks), and then to stop and remove it, in kubelet's order.
func podStartStopCalls(pod func() *runtimeapi.PodSandboxConfig) (start, stop []kubeletCall) {
	start = []kubeletCall{
		{runtimeRPC("RunPodSandbox"), "kuberuntime/kuberuntime_sandbox.go createPodSandbox, from kuberuntime/kuberuntime_manager.go SyncPod",
			func(ctx context.Context, k *kubelet, p *podRun) (err error) {
				p.pod, err = k.rt.RunPodSandbox(ctx, pod(), "")
				return err
			}},
		{runtimeRPC("PodSandboxStatus"), "kuberuntime/kuberuntime_manager.go SyncPod, for the new sandbox's IPs",
			func(ctx context.Context, k *kubelet, p *podRun) error {
				_, err := k.rt.PodSandboxStatus(ctx, p.pod, false)
				return err
			}},
		{imageRPC("ImageStatus"), "images/image_manager.go imagePullPrecheck → kuberuntime/kuberuntime_image.go GetImageRef", imageStatus},
		{imageRPC("PullImage"), "images/puller.go pullImage → kuberuntime/kuberuntime_image.go PullImage",
			func(ctx context.Context, k *kubelet, _ *podRun) error {
				_, err := k.img.PullImage(ctx, &runtimeapi.ImageSpec{Image: testImage}, nil, pod())
				return err
			}},
		{imageRPC("ImageStatus"), "images/puller.go pullImage → kuberuntime/kuberuntime_image.go GetImageSize", imageStatus},
		{imageRPC("ImageStatus"), "kuberuntime/kuberuntime_container.go generateContainerConfig → kuberuntime/helpers.go getImageUser", imageStatus},
		{runtimeRPC("CreateContainer"), "kuberuntime/kuberuntime_container.go startContainer",
			func(ctx context.Context, k *kubelet, p *podRun) (err error) {
				p.ctr, err = k.rt.CreateContainer(ctx, p.pod, testContainer(), pod())
				return err
			}},
		{runtimeRPC("StartContainer"), "kuberuntime/kuberuntime_container.go startContainer",
			func(ctx context.Context, k *kubelet, p *podRun) error {
				return k.rt.StartContainer(ctx, p.ctr)
			}},
	}
	start = append(start, podStatusCalls("after the PLEG event of the start")...)
	stop = []kubeletCall{
		{runtimeRPC("StopContainer"), "kuberuntime/kuberuntime_container.go killContainer, from kuberuntime/kuberuntime_manager.go killPodWithSyncResult",
			func(ctx context.Context, k *kubelet, p *podRun) error {
				return k.rt.StopContainer(ctx, p.ctr, 30)
			}},
		{runtimeRPC("StopPodSandbox"), "kuberuntime/kuberuntime_manager.go killPodWithSyncResult",
			func(ctx context.Context, k *kubelet, p *podRun) error {
				return k.rt.StopPodSandbox(ctx, p.pod)
			}},
	}
	stop = append(stop, podStatusCalls("in kubelet.go SyncTerminatingPod")...)
	stop = append(stop,
		kubeletCall{runtimeRPC("ContainerStatus"), "kuberuntime/kuberuntime_container.go removeContainerLog, from removeContainer",
			func(ctx context.Context, k *kubelet, p *podRun) error {
				_, err := k.rt.ContainerStatus(ctx, p.ctr, false)
				return err
			}},
		kubeletCall{runtimeRPC("RemoveContainer"), "kuberuntime/kuberuntime_container.go removeContainer, from pod_container_deletor.go and kuberuntime/kuberuntime_gc.go",
			func(ctx context.Context, k *kubelet, p *podRun) error {
				return k.rt.RemoveContainer(ctx, p.ctr)
			}},
		kubeletCall{runtimeRPC("StopPodSandbox"), "kuberuntime/kuberuntime_gc.go removeSandbox",
			func(ctx context.Context, k *kubelet, p *podRun) error {
				return k.rt.StopPodSandbox(ctx, p.pod)
			}},
		kubeletCall{runtimeRPC("RemovePodSandbox"), "kuberuntime/kuberuntime_gc.go removeSandbox",
			func(ctx context.Context, k *kubelet, p *podRun) error {
				return k.rt.RemovePodSandbox(ctx, p.pod)
			}},
	)
	return start, stop
}

// polledCalls is every call kubelet makes on a timer, whether or not
// anything changes on the node; they need a running container in the
// podRun.
func polledCalls() []kubeletCall {
	return []kubeletCall{
		{runtimeRPC("ListPodSandbox"), "pleg/generic.go Relist (1 s) → kuberuntime/kuberuntime_sandbox.go getKubeletSandboxes",
			func(ctx context.Context, k *kubelet, _ *podRun) error {
				_, err := k.rt.ListPodSandbox(ctx, nil)
				return err
			}},
		{runtimeRPC("ListContainers"), "pleg/generic.go Relist (1 s) → kuberuntime/kuberuntime_container.go getKubeletContainers; logs/container_log_manager.go rotateLogs (10 s)",
			func(ctx context.Context, k *kubelet, _ *podRun) error {
				_, err := k.rt.ListContainers(ctx, &runtimeapi.ContainerFilter{})
				return err
			}},
		{runtimeRPC("ContainerStatus"), "logs/container_log_manager.go processContainer (10 s, each running container)",
			func(ctx context.Context, k *kubelet, p *podRun) error {
				_, err := k.rt.ContainerStatus(ctx, p.ctr, false)
				return err
			}},
		{runtimeRPC("Status"), "kubelet.go updateRuntimeUp (5 s) → kuberuntime/kuberuntime_manager.go Status",
			func(ctx context.Context, k *kubelet, _ *podRun) error { _, err := k.rt.Status(ctx, false); return err }},
		{runtimeRPC("Version"), "nodestatus/setters.go VersionInfo (10 s) → kuberuntime/kuberuntime_manager.go Version",
			func(ctx context.Context, k *kubelet, _ *podRun) error {
				_, err := k.rt.Version(ctx, "0.1.0")
				return err
			}},
		{runtimeRPC("ExecSync"), "prober/prober.go runProbe (each exec probe's period) → kuberuntime/kuberuntime_container.go RunInContainer",
			func(ctx context.Context, k *kubelet, p *podRun) error {
				_, _, err := k.rt.ExecSync(ctx, p.ctr, []string{"true"}, 10*time.Second)
				return err
			}},
		{runtimeRPC("ListPodSandboxStats"), "stats/cri_stats_provider.go listPodStatsStrictlyFromCRI, from eviction/eviction_manager.go synchronize (10 s)",
			func(ctx context.Context, k *kubelet, _ *podRun) error {
				_, err := k.rt.ListPodSandboxStats(ctx, &runtimeapi.PodSandboxStatsFilter{})
				return err
			}},
		{runtimeRPC("ListContainerStats"), "stats/cri_stats_provider.go listPodStatsPartiallyFromCRI, from eviction/eviction_manager.go synchronize (10 s)",
			func(ctx context.Context, k *kubelet, _ *podRun) error {
				_, err := k.rt.ListContainerStats(ctx, &runtimeapi.ContainerStatsFilter{})
				return err
			}},
		{runtimeRPC("ListPodSandboxMetrics"), "metrics/collectors/cri_metrics.go CollectWithStability (each /metrics/cadvisor scrape)",
			func(ctx context.Context, k *kubelet, _ *podRun) error {
				_, err := k.rt.ListPodSandboxMetrics(ctx)
				return err
			}},
		{imageRPC("ImageFsInfo"), "stats/cri_stats_provider.go ImageFsStats, from the eviction manager (10 s) and images/image_gc_manager.go GarbageCollect (5 min)",
			func(ctx context.Context, k *kubelet, _ *podRun) error { _, err := k.img.ImageFsInfo(ctx); return err }},
		{imageRPC("ListImages"), "images/image_gc_manager.go Start (30 s and 5 min) → kuberuntime/kuberuntime_image.go ListImages",
			func(ctx context.Context, k *kubelet, _ *podRun) error {
				_, err := k.img.ListImages(ctx, nil)
				return err
			}},
	}
}

// streamedCalls are the lists of polledCalls that k8s.io/cri-client v0.37
// sends as Stream* RPCs when built with streaming (remote_runtime.go and
// remote_image.go, stream*V1); run them with a streaming client.
func streamedCalls() []kubeletCall {
	return []kubeletCall{
		{runtimeRPC("StreamPodSandboxes"), "cri-client remote_runtime.go streamPodSandboxesV1, for ListPodSandbox",
			func(ctx context.Context, k *kubelet, _ *podRun) error {
				_, err := k.rt.ListPodSandbox(ctx, nil)
				return err
			}},
		{runtimeRPC("StreamContainers"), "cri-client remote_runtime.go streamContainersV1, for ListContainers",
			func(ctx context.Context, k *kubelet, _ *podRun) error {
				_, err := k.rt.ListContainers(ctx, nil)
				return err
			}},
		{runtimeRPC("StreamPodSandboxStats"), "cri-client remote_runtime.go streamPodSandboxStatsV1, for ListPodSandboxStats",
			func(ctx context.Context, k *kubelet, _ *podRun) error {
				_, err := k.rt.ListPodSandboxStats(ctx, &runtimeapi.PodSandboxStatsFilter{})
				return err
			}},
		{runtimeRPC("StreamContainerStats"), "cri-client remote_runtime.go streamContainerStatsV1, for ListContainerStats",
			func(ctx context.Context, k *kubelet, _ *podRun) error {
				_, err := k.rt.ListContainerStats(ctx, &runtimeapi.ContainerStatsFilter{})
				return err
			}},
		{runtimeRPC("StreamPodSandboxMetrics"), "cri-client remote_runtime.go streamPodSandboxMetricsV1, for ListPodSandboxMetrics",
			func(ctx context.Context, k *kubelet, _ *podRun) error {
				_, err := k.rt.ListPodSandboxMetrics(ctx)
				return err
			}},
		{imageRPC("StreamImages"), "cri-client remote_image.go streamImagesV1, for ListImages",
			func(ctx context.Context, k *kubelet, _ *podRun) error {
				_, err := k.img.ListImages(ctx, nil)
				return err
			}},
	}
}

// replay runs calls in order, failing with the call and its kubelet caller.
func replay(ctx context.Context, k *kubelet, p *podRun, calls []kubeletCall) error {
	for i, c := range calls {
		if err := c.run(ctx, k, p); err != nil {
			return fmt.Errorf("call %d, %s (%s): %w", i, c.span, c.caller, err)
		}
	}
	return nil
}
