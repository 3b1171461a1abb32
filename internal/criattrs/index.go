package criattrs

import (
	"container/list"
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
type index struct {
	mu         sync.RWMutex
	sandboxes  *fifoMap[sandboxInfo]
	containers *fifoMap[containerInfo]
}

func newIndex(limit int) *index {
	return &index{
		sandboxes:  newFIFOMap[sandboxInfo](limit),
		containers: newFIFOMap[containerInfo](limit),
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
	x.containers.put(id, c)
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
	x.containers.removeIf(func(c containerInfo) bool { return c.sandboxID == id })
}

func (x *index) removeContainer(id string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.containers.remove(id)
}

// len returns the number of sandboxes and containers held.
func (x *index) len() (sandboxes, containers int) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.sandboxes.len(), x.containers.len()
}

// fifoMap is a map bounded to limit entries that evicts the oldest
// insertion first. It is not safe for concurrent use on its own.
type fifoMap[V any] struct {
	limit int
	order *list.List // of *fifoEntry[V], oldest first
	items map[string]*list.Element
}

type fifoEntry[V any] struct {
	key string
	val V
}

func newFIFOMap[V any](limit int) *fifoMap[V] {
	return &fifoMap[V]{
		limit: max(limit, 1),
		order: list.New(),
		items: make(map[string]*list.Element),
	}
}

// put sets key to val. A new key evicts the oldest entry when the map is
// full; an existing key keeps its place.
func (m *fifoMap[V]) put(key string, val V) {
	if e, ok := m.items[key]; ok {
		e.Value.(*fifoEntry[V]).val = val
		return
	}
	for m.order.Len() >= m.limit {
		oldest := m.order.Front()
		m.order.Remove(oldest)
		delete(m.items, oldest.Value.(*fifoEntry[V]).key)
	}
	m.items[key] = m.order.PushBack(&fifoEntry[V]{key: key, val: val})
}

func (m *fifoMap[V]) get(key string) (V, bool) {
	e, ok := m.items[key]
	if !ok {
		var zero V
		return zero, false
	}
	return e.Value.(*fifoEntry[V]).val, true
}

func (m *fifoMap[V]) remove(key string) {
	if e, ok := m.items[key]; ok {
		m.order.Remove(e)
		delete(m.items, key)
	}
}

func (m *fifoMap[V]) removeIf(drop func(V) bool) {
	for e := m.order.Front(); e != nil; {
		next := e.Next()
		if ent := e.Value.(*fifoEntry[V]); drop(ent.val) {
			m.order.Remove(e)
			delete(m.items, ent.key)
		}
		e = next
	}
}

func (m *fifoMap[V]) len() int { return m.order.Len() }
