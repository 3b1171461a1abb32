package embedded

import (
	"context"
	"path/filepath"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// Synthetic usage. The embedded runtime runs nothing, so it reports small,
// deterministic numbers that only grow while a container runs: CPU time
// accrues at cpuMilliCores of one core, memory at memoryBase plus
// memoryPerSecond for every second of run time. A container that has exited
// keeps its last numbers; one that never started reports zero.
const (
	cpuMilliCores      = 10 // 1% of a core
	memoryBase         = 4 << 20
	memoryPerSecond    = 4 << 10
	writableLayerBytes = 16 << 10
	writableLayerInode = 4
	infraMemory        = 1 << 20
)

// usage is the synthetic CPU and memory of one container at a time.
type usage struct {
	cpuNanos, memory uint64
}

// usageAt returns c's synthetic usage at now (Unix nanoseconds).
func (c *container) usageAt(now int64) usage {
	if c.startedAt == 0 {
		return usage{}
	}
	end := now
	if c.finishedAt != 0 {
		end = c.finishedAt
	}
	ran := uint64(max(end-c.startedAt, 0))
	return usage{
		cpuNanos: ran * cpuMilliCores / 1000,
		memory:   memoryBase + ran/1e9*memoryPerSecond,
	}
}

func (r *Runtime) containerStats(c *container, now int64) *runtimeapi.ContainerStats {
	u := c.usageAt(now)
	p := c.toProto()
	return &runtimeapi.ContainerStats{
		Attributes: &runtimeapi.ContainerAttributes{
			Id: c.id, Metadata: p.Metadata, Labels: p.Labels, Annotations: p.Annotations,
		},
		Cpu:    cpuUsage(now, u.cpuNanos),
		Memory: memoryUsage(now, u.memory),
		WritableLayer: &runtimeapi.FilesystemUsage{
			Timestamp:  now,
			FsId:       &runtimeapi.FilesystemIdentifier{Mountpoint: filepath.Join(r.rootDir, "containers")},
			UsedBytes:  &runtimeapi.UInt64Value{Value: writableLayerBytes},
			InodesUsed: &runtimeapi.UInt64Value{Value: writableLayerInode},
		},
	}
}

func (r *Runtime) sandboxStats(s *sandbox, now int64) *runtimeapi.PodSandboxStats {
	p := s.toProto()
	total := usage{memory: infraMemory}
	if s.state != runtimeapi.PodSandboxState_SANDBOX_READY {
		total.memory = 0
	}
	cs := r.sortedContainers(s.containers)
	stats := make([]*runtimeapi.ContainerStats, len(cs))
	for i, c := range cs {
		stats[i] = r.containerStats(c, now)
		u := c.usageAt(now)
		total.cpuNanos += u.cpuNanos
		total.memory += u.memory
	}
	return &runtimeapi.PodSandboxStats{
		Attributes: &runtimeapi.PodSandboxAttributes{
			Id: s.id, Metadata: p.Metadata, Labels: p.Labels, Annotations: p.Annotations,
		},
		Linux: &runtimeapi.LinuxPodSandboxStats{
			Cpu:        cpuUsage(now, total.cpuNanos),
			Memory:     memoryUsage(now, total.memory),
			Containers: stats,
		},
	}
}

func cpuUsage(now int64, nanos uint64) *runtimeapi.CpuUsage {
	return &runtimeapi.CpuUsage{
		Timestamp:            now,
		UsageCoreNanoSeconds: &runtimeapi.UInt64Value{Value: nanos},
	}
}

func memoryUsage(now int64, bytes uint64) *runtimeapi.MemoryUsage {
	return &runtimeapi.MemoryUsage{
		Timestamp:       now,
		WorkingSetBytes: &runtimeapi.UInt64Value{Value: bytes},
		UsageBytes:      &runtimeapi.UInt64Value{Value: bytes},
	}
}

// ContainerStats returns the synthetic stats of one container; NotFound
// names an unknown id.
func (r *Runtime) ContainerStats(_ context.Context, req *runtimeapi.ContainerStatsRequest) (*runtimeapi.ContainerStatsResponse, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	c, err := resolve(r.containers, req.GetContainerId(), "container")
	if err != nil {
		return nil, err
	}
	return &runtimeapi.ContainerStatsResponse{Stats: r.containerStats(c, r.nowNano())}, nil
}

// ListContainerStats returns the stats of every container that matches the
// filter, in any state.
func (r *Runtime) ListContainerStats(_ context.Context, req *runtimeapi.ListContainerStatsRequest) (*runtimeapi.ListContainerStatsResponse, error) {
	return &runtimeapi.ListContainerStatsResponse{Stats: r.listContainerStats(req.GetFilter())}, nil
}

func (r *Runtime) listContainerStats(f *runtimeapi.ContainerStatsFilter) []*runtimeapi.ContainerStats {
	r.mu.RLock()
	defer r.mu.RUnlock()
	now := r.nowNano()
	var out []*runtimeapi.ContainerStats
	for _, c := range r.sortedContainers(nil) {
		if c.matchesStats(f) {
			out = append(out, r.containerStats(c, now))
		}
	}
	return out
}

// PodSandboxStats returns the synthetic stats of one sandbox, the sums of
// its containers' plus its infra container's; NotFound names an unknown id.
func (r *Runtime) PodSandboxStats(_ context.Context, req *runtimeapi.PodSandboxStatsRequest) (*runtimeapi.PodSandboxStatsResponse, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	s, err := resolve(r.sandboxes, req.GetPodSandboxId(), "pod sandbox")
	if err != nil {
		return nil, err
	}
	return &runtimeapi.PodSandboxStatsResponse{Stats: r.sandboxStats(s, r.nowNano())}, nil
}

// ListPodSandboxStats returns the stats of every sandbox that matches the
// filter.
func (r *Runtime) ListPodSandboxStats(_ context.Context, req *runtimeapi.ListPodSandboxStatsRequest) (*runtimeapi.ListPodSandboxStatsResponse, error) {
	return &runtimeapi.ListPodSandboxStatsResponse{Stats: r.listSandboxStats(req.GetFilter())}, nil
}

func (r *Runtime) listSandboxStats(f *runtimeapi.PodSandboxStatsFilter) []*runtimeapi.PodSandboxStats {
	r.mu.RLock()
	defer r.mu.RUnlock()
	now := r.nowNano()
	var out []*runtimeapi.PodSandboxStats
	for _, s := range r.sortedSandboxes() {
		if s.matchesStats(f) {
			out = append(out, r.sandboxStats(s, now))
		}
	}
	return out
}

// ListMetricDescriptors returns no descriptors: the runtime has no metrics
// beyond the stats above.
func (r *Runtime) ListMetricDescriptors(context.Context, *runtimeapi.ListMetricDescriptorsRequest) (*runtimeapi.ListMetricDescriptorsResponse, error) {
	return &runtimeapi.ListMetricDescriptorsResponse{}, nil
}

// ListPodSandboxMetrics returns no metrics, matching ListMetricDescriptors.
func (r *Runtime) ListPodSandboxMetrics(context.Context, *runtimeapi.ListPodSandboxMetricsRequest) (*runtimeapi.ListPodSandboxMetricsResponse, error) {
	return &runtimeapi.ListPodSandboxMetricsResponse{}, nil
}

// ImageFsInfo reports one image filesystem under RootDir whose usage is the
// sum of the stored images' sizes, and one container filesystem holding the
// containers' writable layers.
func (r *Runtime) ImageFsInfo(context.Context, *runtimeapi.ImageFsInfoRequest) (*runtimeapi.ImageFsInfoResponse, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	now := r.nowNano()
	var used uint64
	for _, img := range r.images {
		used += img.size
	}
	n := uint64(len(r.containers))
	return &runtimeapi.ImageFsInfoResponse{
		ImageFilesystems: []*runtimeapi.FilesystemUsage{{
			Timestamp:  now,
			FsId:       &runtimeapi.FilesystemIdentifier{Mountpoint: filepath.Join(r.rootDir, "images")},
			UsedBytes:  &runtimeapi.UInt64Value{Value: used},
			InodesUsed: &runtimeapi.UInt64Value{Value: uint64(len(r.images))},
		}},
		ContainerFilesystems: []*runtimeapi.FilesystemUsage{{
			Timestamp:  now,
			FsId:       &runtimeapi.FilesystemIdentifier{Mountpoint: filepath.Join(r.rootDir, "containers")},
			UsedBytes:  &runtimeapi.UInt64Value{Value: n * writableLayerBytes},
			InodesUsed: &runtimeapi.UInt64Value{Value: n * writableLayerInode},
		}},
	}, nil
}
