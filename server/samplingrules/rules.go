// Package samplingrules holds crio-trace's default sampling rules: which CRI
// calls never start a trace of their own (what kubelet polls) and which always
// do. It depends on nothing, so the configuration loader and CRI-O's port can
// take it without the CRI server.
package samplingrules

// Default returns the sampling rules crio-trace runs with unless its
// config sets tracing_sampling_rules: internal/config.Default installs them
// (the tracing kit has none; it knows nothing about CRI). They apply to root
// spans only (no parent), which for a CRI runtime means calls kubelet made
// outside any traced operation:
//
//   - never start a trace for a call kubelet makes on a timer whether or not
//     anything changes on the node — its relist, runtime health check, node
//     status, stats, metrics, log rotation, image garbage collection and exec
//     probes. Each rule names one method exactly, with the kubelet code (paths
//     in k8s.io/kubernetes v1.34.4) that calls it and how often; a method that
//     kubelet calls only when a pod starts, stops or changes, such as
//     ImageStatus and PodSandboxStatus, is named by none of them;
//   - always trace PullImage, the slowest thing a runtime does, even at rate 0.
//
// Everything else falls through to tracing_sampling_rate_per_million.
//
// A rule sees only the method name, not who called. Three polled methods
// are also called while a pod starts or stops — ListPodSandbox,
// ListContainers and ContainerStatus, from GetPodStatus in
// pkg/kubelet/kuberuntime/kuberuntime_manager.go (after each PLEG event, and
// in SyncTerminatingPod) and from removeContainerLog in
// kuberuntime_container.go — and ExecSync also runs exec lifecycle hooks: as
// roots those calls start no trace. Inside a trace kubelet sampled they are
// traced like every other call.
func Default() []string {
	// Guideline step 8: sampling rules (enhancements/distributed-tracing-with-opentelemetry.md).
	// guideline:begin default-rules
	// Each never rule names one method kubelet calls on a timer; its callers
	// are cited as files under pkg/kubelet/ in k8s.io/kubernetes v1.34.4.
	return []string{
		// The slowest call (images/puller.go pullImage): always traced.
		"runtime.v1.ImageService/PullImage=always",

		// PLEG relist, every 1 s: pleg/generic.go Relist →
		// kuberuntime/kuberuntime_manager.go GetPods →
		// kuberuntime/kuberuntime_sandbox.go getKubeletSandboxes; also
		// housekeeping (kubelet_pods.go HandlePodCleanups, 2 s, through the
		// runtime cache) and container GC (kuberuntime/kuberuntime_gc.go, 1 min).
		"runtime.v1.RuntimeService/ListPodSandbox=never",
		// The same relist → kuberuntime/kuberuntime_container.go
		// getKubeletContainers; also logs/container_log_manager.go rotateLogs (10 s).
		"runtime.v1.RuntimeService/ListContainers=never",
		// Log rotation, for every running container every
		// containerLogMonitorInterval (10 s): logs/container_log_manager.go
		// processContainer.
		"runtime.v1.RuntimeService/ContainerStatus=never",
		// Runtime health check, every 5 s: kubelet.go updateRuntimeUp →
		// kuberuntime/kuberuntime_manager.go Status.
		"runtime.v1.RuntimeService/Status=never",
		// Node status, every nodeStatusUpdateFrequency (10 s) with an API
		// server: kubelet_node_status.go defaultNodeStatusFuncs →
		// nodestatus/setters.go VersionInfo → kuberuntime/kuberuntime_manager.go
		// Version.
		"runtime.v1.RuntimeService/Version=never",
		// Exec probes, every periodSeconds of each probe: prober/worker.go run →
		// prober/prober.go runProbe → kuberuntime/kuberuntime_container.go
		// RunInContainer.
		"runtime.v1.RuntimeService/ExecSync=never",
		// Eviction manager, every 10 s (eviction/eviction_manager.go
		// synchronize), and the /stats/summary and /metrics/resource endpoints:
		// stats/cri_stats_provider.go listPodStats and ListPodCPUAndMemoryStats
		// (ListPodSandboxStats with PodAndContainerStatsFromCRI).
		"runtime.v1.RuntimeService/ListPodSandboxStats=never",
		"runtime.v1.RuntimeService/ListContainerStats=never",
		// Each scrape of /metrics/cadvisor with PodAndContainerStatsFromCRI:
		// metrics/collectors/cri_metrics.go CollectWithStability.
		"runtime.v1.RuntimeService/ListPodSandboxMetrics=never",
		// Eviction manager (10 s) and image GC (images/image_gc_manager.go
		// GarbageCollect, 5 min): stats/cri_stats_provider.go and
		// stats/cadvisor_stats_provider.go ImageFsStats.
		"runtime.v1.ImageService/ImageFsInfo=never",
		// Image GC: images/image_gc_manager.go Start (image cache every 30 s,
		// detectImages every 5 min); for CRI-O also
		// stats/cadvisor_stats_provider.go ImageFsStats → ImageStats (10 s).
		"runtime.v1.ImageService/ListImages=never",

		// The streaming forms of those lists, which k8s.io/cri-client v0.37
		// calls instead when streaming is on (remote_runtime.go and
		// remote_image.go, stream*V1).
		"runtime.v1.RuntimeService/StreamPodSandboxes=never",
		"runtime.v1.RuntimeService/StreamContainers=never",
		"runtime.v1.RuntimeService/StreamPodSandboxStats=never",
		"runtime.v1.RuntimeService/StreamContainerStats=never",
		"runtime.v1.RuntimeService/StreamPodSandboxMetrics=never",
		"runtime.v1.ImageService/StreamImages=never",
	}
	// guideline:end default-rules
}
