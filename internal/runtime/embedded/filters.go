package embedded

import (
	"cmp"
	"slices"
	"strings"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// matchLabels reports whether labels hold every key of selector with the
// same value, the CRI label-selector semantics (an empty selector matches).
func matchLabels(labels, selector map[string]string) bool {
	for k, v := range selector {
		if got, ok := labels[k]; !ok || got != v {
			return false
		}
	}
	return true
}

// matchID reports whether id matches the filter id, which may be a prefix.
func matchID(id, filter string) bool {
	return filter == "" || strings.HasPrefix(id, filter)
}

func (s *sandbox) matches(f *runtimeapi.PodSandboxFilter) bool {
	if f == nil {
		return true
	}
	if f.State != nil && f.State.State != s.state {
		return false
	}
	return matchID(s.id, f.Id) && matchLabels(s.labels, f.LabelSelector)
}

func (c *container) matches(f *runtimeapi.ContainerFilter) bool {
	if f == nil {
		return true
	}
	if f.State != nil && f.State.State != c.state {
		return false
	}
	return matchID(c.id, f.Id) && matchID(c.sandboxID, f.PodSandboxId) && matchLabels(c.labels, f.LabelSelector)
}

func (c *container) matchesStats(f *runtimeapi.ContainerStatsFilter) bool {
	if f == nil {
		return true
	}
	return matchID(c.id, f.Id) && matchID(c.sandboxID, f.PodSandboxId) && matchLabels(c.labels, f.LabelSelector)
}

func (s *sandbox) matchesStats(f *runtimeapi.PodSandboxStatsFilter) bool {
	if f == nil {
		return true
	}
	return matchID(s.id, f.Id) && matchLabels(s.labels, f.LabelSelector)
}

// sortedSandboxes returns the sandboxes oldest first (ties by id), so lists
// are deterministic. Callers hold mu.
func (r *Runtime) sortedSandboxes() []*sandbox {
	out := make([]*sandbox, 0, len(r.sandboxes))
	for _, s := range r.sandboxes {
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b *sandbox) int {
		return cmp.Or(cmp.Compare(a.createdAt, b.createdAt), strings.Compare(a.id, b.id))
	})
	return out
}

// sortedContainers returns the containers among ids, or all containers when
// ids is nil, oldest first (ties by id). Callers hold mu.
func (r *Runtime) sortedContainers(ids map[string]struct{}) []*container {
	out := make([]*container, 0, len(r.containers))
	for id, c := range r.containers {
		if ids != nil {
			if _, ok := ids[id]; !ok {
				continue
			}
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b *container) int {
		return cmp.Or(cmp.Compare(a.createdAt, b.createdAt), strings.Compare(a.id, b.id))
	})
	return out
}
