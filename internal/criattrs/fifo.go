package criattrs

// fifoMap is a map bounded to limit entries that evicts the oldest
// insertion first. Its entries live in one slice, linked oldest to newest
// by slot number, and the slots of removed entries are reused, so that
// neither a put nor a remove allocates once the slice and the map have grown
// to the working set (container/list, by contrast, allocates an element and
// an entry per put). It is not safe for concurrent use on its own.
type fifoMap[V any] struct {
	limit int
	slots []fifoSlot[V]
	items map[string]int32 // key → slot
	// head and tail are the oldest and newest slots, free the first
	// unused one; -1 for none.
	head, tail, free int32
}

// fifoSlot is one entry, or an unused slot on the free list (next links
// the free list then).
type fifoSlot[V any] struct {
	key        string
	val        V
	prev, next int32
}

func newFIFOMap[V any](limit int) *fifoMap[V] {
	return &fifoMap[V]{limit: max(limit, 1), items: make(map[string]int32), head: -1, tail: -1, free: -1}
}

// put sets key to val. A new key evicts the oldest entry when the map is
// full and returns it; a known key is updated in place and keeps its age.
func (m *fifoMap[V]) put(key string, val V) (evictedKey string, evicted V, ok bool) {
	if i, found := m.items[key]; found {
		m.slots[i].val = val
		return "", evicted, false
	}
	if len(m.items) >= m.limit {
		evictedKey = m.slots[m.head].key
		evicted, ok = m.remove(evictedKey)
	}
	i := m.alloc()
	m.slots[i] = fifoSlot[V]{key: key, val: val, prev: m.tail, next: -1}
	if m.tail >= 0 {
		m.slots[m.tail].next = i
	} else {
		m.head = i
	}
	m.tail = i
	m.items[key] = i
	return evictedKey, evicted, ok
}

// alloc returns an unused slot, from the free list or a new one.
func (m *fifoMap[V]) alloc() int32 {
	if i := m.free; i >= 0 {
		m.free = m.slots[i].next
		return i
	}
	m.slots = append(m.slots, fifoSlot[V]{})
	return int32(len(m.slots) - 1)
}

func (m *fifoMap[V]) get(key string) (V, bool) {
	i, ok := m.items[key]
	if !ok {
		var zero V
		return zero, false
	}
	return m.slots[i].val, true
}

// remove deletes key and returns what it held.
func (m *fifoMap[V]) remove(key string) (V, bool) {
	i, ok := m.items[key]
	if !ok {
		var zero V
		return zero, false
	}
	delete(m.items, key)
	s := &m.slots[i]
	if s.prev >= 0 {
		m.slots[s.prev].next = s.next
	} else {
		m.head = s.next
	}
	if s.next >= 0 {
		m.slots[s.next].prev = s.prev
	} else {
		m.tail = s.prev
	}
	val := s.val
	// Clear the slot so the strings it held can be collected.
	*s = fifoSlot[V]{prev: -1, next: m.free}
	m.free = i
	return val, true
}

func (m *fifoMap[V]) len() int { return len(m.items) }
