package criattrs

import (
	"fmt"
	"sync"
	"testing"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// TestIndexBound fills the index past its limit and checks that it keeps
// exactly limit entries per table, evicting the oldest first.
func TestIndexBound(t *testing.T) {
	cases := []struct {
		name  string
		limit int
		adds  int
	}{
		{"below the limit", 8, 5},
		{"at the limit", 8, 8},
		{"far past the limit", 8, 1000},
		{"limit of one", 1, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			x := newIndex(tc.limit)
			for i := range tc.adds {
				id := fmt.Sprintf("id-%d", i)
				x.addSandbox(id, &runtimeapi.PodSandboxMetadata{Name: id}, "")
				x.addContainer(id, containerInfo{name: id})
			}
			wantLen := min(tc.adds, tc.limit)
			if sb, ctr := x.len(); sb != wantLen || ctr != wantLen {
				t.Fatalf("len = %d sandboxes, %d containers, want %d each", sb, ctr, wantLen)
			}
			oldestKept := tc.adds - wantLen
			for i := range tc.adds {
				id := fmt.Sprintf("id-%d", i)
				_, gotSB := x.sandbox(id)
				_, gotCtr := x.container(id)
				want := i >= oldestKept
				if gotSB != want || gotCtr != want {
					t.Errorf("%q kept: sandbox %t, container %t, want %t", id, gotSB, gotCtr, want)
				}
			}
		})
	}
}

// TestIndexRemove checks that removing a sandbox forgets its containers and
// nothing else, and that re-adding a known id updates it in place.
func TestIndexRemove(t *testing.T) {
	x := newIndex(16)
	x.addSandbox("sb-a", &runtimeapi.PodSandboxMetadata{Name: "a"}, "runc")
	x.addSandbox("sb-b", &runtimeapi.PodSandboxMetadata{Name: "b"}, "runc")
	x.addContainer("c-a1", containerInfo{name: "a1", sandboxID: "sb-a"})
	x.addContainer("c-a2", containerInfo{name: "a2", sandboxID: "sb-a"})
	x.addContainer("c-b1", containerInfo{name: "b1", sandboxID: "sb-b"})
	x.addContainer("c-b1", containerInfo{name: "b1-renamed", sandboxID: "sb-b"})
	x.removeSandbox("sb-a")
	x.removeContainer("no-such-container")

	cases := []struct {
		name string
		got  func() bool
		want bool
	}{
		{"removed sandbox", func() bool { _, ok := x.sandbox("sb-a"); return ok }, false},
		{"its first container", func() bool { _, ok := x.container("c-a1"); return ok }, false},
		{"its second container", func() bool { _, ok := x.container("c-a2"); return ok }, false},
		{"other sandbox", func() bool { _, ok := x.sandbox("sb-b"); return ok }, true},
		{"other container updated", func() bool { c, _ := x.container("c-b1"); return c.name == "b1-renamed" }, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.got(); got != tc.want {
				t.Fatalf("got %t, want %t", got, tc.want)
			}
		})
	}
	if sb, ctr := x.len(); sb != 1 || ctr != 1 {
		t.Fatalf("len = %d sandboxes, %d containers, want 1 and 1", sb, ctr)
	}
}

// TestIndexConcurrent hammers the index from several goroutines; run with
// -race it proves the locking, and the bound holds throughout.
func TestIndexConcurrent(t *testing.T) {
	const limit, workers, perWorker = 64, 8, 500
	x := newIndex(limit)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				id := fmt.Sprintf("w%d-%d", w, i)
				x.addSandbox(id, &runtimeapi.PodSandboxMetadata{Name: id}, "")
				x.addContainer(id, containerInfo{sandboxID: id})
				x.container(id)
				if i%3 == 0 {
					x.removeSandbox(id)
				}
			}
		})
	}
	wg.Wait()
	if sb, ctr := x.len(); sb > limit || ctr > limit || sb == 0 {
		t.Fatalf("len = %d sandboxes, %d containers, want 1..%d", sb, ctr, limit)
	}
}

// TestIndexChurn runs many pods through the index as a node does — run,
// create containers, remove them, remove the pod — and pods whose removal
// the index never sees, and checks that it stays bounded: no entry, list or
// slot outlives its pod, and what the index never hears about is evicted.
func TestIndexChurn(t *testing.T) {
	const limit, pods = 64, 20_000
	x := newIndex(limit)
	for i := range pods {
		sb := fmt.Sprintf("sb-%d", i)
		x.addSandbox(sb, &runtimeapi.PodSandboxMetadata{Name: sb}, "")
		for c := range 3 {
			x.addContainer(fmt.Sprintf("%s-c%d", sb, c), containerInfo{sandboxID: sb})
		}
		switch i % 4 {
		case 0: // containers first, then the pod, as kubelet does
			for c := range 3 {
				x.removeContainer(fmt.Sprintf("%s-c%d", sb, c))
			}
			x.removeSandbox(sb)
		case 1: // the pod with its containers
			x.removeSandbox(sb)
		case 2: // never removed: left to eviction
		case 3: // one container moved to another sandbox id, then all removed
			x.addContainer(sb+"-c0", containerInfo{sandboxID: "elsewhere"})
			x.removeSandbox(sb)
			x.removeSandbox("elsewhere")
		}
	}
	sandboxes, containers := x.len()
	if sandboxes > limit || containers > limit {
		t.Fatalf("len = %d sandboxes, %d containers, want at most %d each", sandboxes, containers, limit)
	}
	listed := 0
	for sb, ids := range x.bySandbox {
		listed += len(ids)
		for _, id := range ids {
			c, ok := x.containers.get(id)
			if !ok || c.sandboxID != sb {
				t.Errorf("sandbox %q lists container %q, which the index holds as %+v (held: %t)", sb, id, c, ok)
			}
		}
	}
	if listed != containers {
		t.Errorf("the sandboxes list %d containers, the index holds %d", listed, containers)
	}
	if n := len(x.containers.slots); n > limit {
		t.Errorf("the container table grew to %d slots, want at most %d", n, limit)
	}
	if n := len(x.sandboxes.slots); n > limit {
		t.Errorf("the sandbox table grew to %d slots, want at most %d", n, limit)
	}
}

// TestFIFOMapAllocations checks that, once grown, the bounded map inserts,
// evicts and removes without allocating.
func TestFIFOMapAllocations(t *testing.T) {
	const limit = 128
	m := newFIFOMap[containerInfo](limit)
	keys := make([]string, 4*limit)
	for i := range keys {
		keys[i] = fmt.Sprintf("k-%d", i)
	}
	for _, k := range keys[:limit] {
		m.put(k, containerInfo{name: k})
	}
	next := 0
	allocs := testing.AllocsPerRun(1000, func() {
		k := keys[next%len(keys)]
		next++
		m.put(k, containerInfo{name: k}) // evicts the oldest once full
		if next%3 == 0 {
			m.remove(k)
		}
	})
	if allocs != 0 {
		t.Fatalf("put/remove allocate %.1f times per call once grown, want 0", allocs)
	}
	if m.len() > limit {
		t.Fatalf("len = %d, want at most %d", m.len(), limit)
	}
}
