package criattrs

import (
	"sync"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// sandboxInfo is what the index keeps of a pod sandbox: only allow-listed
// values, copied out of the request so the request itself is not retained.
type sandboxInfo struct {
	name, namespace, uid, runtimeHandler string
}

func newSandboxInfo(md *runtimeapi.PodSandboxMetadata, handler string) sandboxInfo {
	return sandboxInfo{
		name:           md.GetName(),
		namespace:      md.GetNamespace(),
		uid:            md.GetUid(),
		runtimeHandler: handler,
	}
}

// containerInfo is what the index keeps of a container.
type containerInfo struct {
	name, sandboxID, image string
}

// index remembers, from RunPodSandbox and CreateContainer, the names behind
// the ids that later RPCs carry alone, so that StartContainer or
// StopPodSandbox spans name their pod and container too. It is safe for
// concurrent use.
//
// Every operation costs O(1), and, once the tables have grown to the
// working set, no allocation, except the first container of a sandbox,
// which allocates the sandbox's short list of container ids (what lets
// RemovePodSandbox forget its containers without a scan of the table).
type index struct {
	mu         sync.RWMutex
	sandboxes  *fifoMap[sandboxInfo]
	containers *fifoMap[containerInfo]
	// bySandbox lists the ids of the containers held, by sandbox id.
	bySandbox map[string][]string
}

func newIndex(limit int) *index {
	return &index{
		sandboxes:  newFIFOMap[sandboxInfo](limit),
		containers: newFIFOMap[containerInfo](limit),
		bySandbox:  make(map[string][]string),
	}
}

func (x *index) addSandbox(id string, md *runtimeapi.PodSandboxMetadata, handler string) {
	if id == "" {
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	x.sandboxes.put(id, newSandboxInfo(md, handler))
}

// learnSandbox adds a sandbox the index does not know yet, and reports
// whether it did. A known sandbox costs a read lock and no allocation.
func (x *index) learnSandbox(id string, md *runtimeapi.PodSandboxMetadata, handler string) bool {
	if id == "" || md == nil || x.hasSandbox(id) {
		return false
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if _, ok := x.sandboxes.get(id); ok {
		return false
	}
	x.sandboxes.put(id, newSandboxInfo(md, handler))
	return true
}

func (x *index) addContainer(id string, c containerInfo) {
	if id == "" {
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if old, ok := x.containers.get(id); ok {
		x.containers.put(id, c) // in place: no eviction
		if old.sandboxID != c.sandboxID {
			x.unlist(id, old.sandboxID)
			x.list(id, c.sandboxID)
		}
		return
	}
	if oldID, old, evicted := x.containers.put(id, c); evicted {
		x.unlist(oldID, old.sandboxID)
	}
	x.list(id, c.sandboxID)
}

// list puts container id on its sandbox's list.
func (x *index) list(id, sandboxID string) {
	ids, ok := x.bySandbox[sandboxID]
	if !ok {
		ids = make([]string, 0, containersPerSandbox)
	}
	x.bySandbox[sandboxID] = append(ids, id)
}

// containersPerSandbox is the room a sandbox's list of container ids starts
// with: most pods have a few containers.
const containersPerSandbox = 4

// unlist takes container id off its sandbox's list.
func (x *index) unlist(id, sandboxID string) {
	ids := x.bySandbox[sandboxID]
	for i, c := range ids {
		if c == id {
			ids[i] = ids[len(ids)-1]
			ids[len(ids)-1] = ""
			ids = ids[:len(ids)-1]
			break
		}
	}
	if len(ids) == 0 {
		delete(x.bySandbox, sandboxID)
		return
	}
	x.bySandbox[sandboxID] = ids
}

func (x *index) sandbox(id string) (sandboxInfo, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.sandboxes.get(id)
}

func (x *index) hasSandbox(id string) bool {
	_, ok := x.sandbox(id)
	return ok
}

func (x *index) container(id string) (containerInfo, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.containers.get(id)
}

// removeSandbox forgets a sandbox and every container in it, as
// RemovePodSandbox removes them all.
func (x *index) removeSandbox(id string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.sandboxes.remove(id)
	for _, c := range x.bySandbox[id] {
		x.containers.remove(c)
	}
	delete(x.bySandbox, id)
}

func (x *index) removeContainer(id string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if c, ok := x.containers.remove(id); ok {
		x.unlist(id, c.sandboxID)
	}
}

// len returns the number of sandboxes and containers held.
func (x *index) len() (sandboxes, containers int) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.sandboxes.len(), x.containers.len()
}
