package presence

import "sync"

// Snapshot is an immutable view of a topic's presence, shared by everyone who needs it in a
// window. It is safe for concurrent use.
type Snapshot struct {
	// entries is copied from the topic under the shard lock; it is sorted lazily, on first
	// use and outside any tracker lock, and never modified after that.
	sortOnce sync.Once
	entries  []Entry

	mu      sync.Mutex // guards encoded and keyed (the maps, not the slots' contents)
	encoded map[int]*encodedSlot
	keyed   map[string]*encodedSlot
}

// maxKeyedEncodings bounds EncodedKey's cache per snapshot: a snapshot of a big room is
// large, and per-member keys (such as join refs) must not multiply it without limit.
const maxKeyedEncodings = 16

// encodedSlot computes one encoding at most once.
type encodedSlot struct {
	once sync.Once
	b    []byte
}

// newSnapshot takes ownership of entries; they are sorted on first use.
func newSnapshot(entries []Entry) *Snapshot {
	return &Snapshot{entries: entries}
}

// sorted returns the entries in stable order.
func (s *Snapshot) sorted() []Entry {
	s.sortOnce.Do(func() { sortEntries(s.entries) })
	return s.entries
}

// Entries returns the entries in stable order (by key, then phx_ref). The slice is shared:
// do not modify it (appending is safe, it never grows the shared array).
func (s *Snapshot) Entries() []Entry {
	es := s.sorted()
	return es[:len(es):len(es)]
}

// Len returns the number of entries (metas, not keys).
func (s *Snapshot) Len() int { return len(s.entries) }

// Encoded returns enc(s), computed at most once per (snapshot, kind) and cached; safe for
// concurrent use. The core uses it to encode presence_state (Phoenix) and presence_full
// (Xano) once per snapshot. enc must not call Encoded with the same kind.
func (s *Snapshot) Encoded(kind int, enc func(*Snapshot) []byte) []byte {
	s.mu.Lock()
	if s.encoded == nil {
		s.encoded = make(map[int]*encodedSlot)
	}
	slot := s.encoded[kind]
	if slot == nil {
		slot = &encodedSlot{}
		s.encoded[kind] = slot
	}
	s.mu.Unlock()
	// Encode outside s.mu so different kinds encode in parallel.
	slot.once.Do(func() { slot.b = enc(s) })
	return slot.b
}

// EncodedKey is Encoded for encodings that depend on a string (the Phoenix presence_state
// frame carries the member's join ref; the JS client's join refs are small numbers that many
// members share). At most maxKeyedEncodings keys are cached per snapshot; beyond that enc runs
// uncached.
func (s *Snapshot) EncodedKey(key string, enc func(*Snapshot) []byte) []byte {
	s.mu.Lock()
	slot := s.keyed[key]
	if slot == nil {
		if len(s.keyed) >= maxKeyedEncodings {
			s.mu.Unlock()
			return enc(s)
		}
		if s.keyed == nil {
			s.keyed = make(map[string]*encodedSlot)
		}
		slot = &encodedSlot{}
		s.keyed[key] = slot
	}
	s.mu.Unlock()
	slot.once.Do(func() { slot.b = enc(s) })
	return slot.b
}

// AppendPhoenixState appends the presence_state payload {"key":{"metas":[...]},...}. Keys are
// JSON strings, so keys such as "__proto__" are plain members.
func (s *Snapshot) AppendPhoenixState(dst []byte) []byte {
	return appendKeyedMetas(dst, s.sorted())
}
