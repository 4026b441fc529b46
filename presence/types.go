package presence

import (
	"encoding/json"
	"sort"
)

// Meta is one presence meta as sent to Phoenix clients (a JSON object). The tracker adds
// "phx_ref" (and "phx_ref_prev" on update).
type Meta map[string]any

// Entry is one tracked connection in one topic.
type Entry struct {
	// Key is the presence key: user_id for authenticated, client_id for anonymous members.
	Key string
	// ConnID is the connection's client_id (unique per connection).
	ConnID string
	// Meta includes phx_ref; treat it as immutable once published.
	Meta Meta
	// Extra is opaque per-entry data the core needs for other dialects (e.g. the Xano client
	// object); it is replicated with the entry.
	Extra json.RawMessage
	// Node is the id of the owning node.
	Node string

	ref      string // phx_ref, the entry's identity
	metaJSON []byte // Meta encoded once when the entry was created
}

// Ref returns the entry's phx_ref.
func (e *Entry) Ref() string {
	if e.ref != "" {
		return e.ref
	}
	ref, _ := e.Meta["phx_ref"].(string)
	return ref
}

// appendMeta appends the entry's meta JSON, encoding it when the entry was not built by
// the tracker.
func (e *Entry) appendMeta(dst []byte) []byte {
	if e.metaJSON != nil {
		return append(dst, e.metaJSON...)
	}
	b, err := json.Marshal(e.Meta)
	if err != nil || e.Meta == nil {
		return append(dst, "{}"...)
	}
	return append(dst, b...)
}

// entryLess is the stable order of entries: by key, then phx_ref.
func entryLess(a, b *Entry) bool {
	if a.Key != b.Key {
		return a.Key < b.Key
	}
	return a.Ref() < b.Ref()
}

func sortEntries(es []Entry) {
	sort.Slice(es, func(i, j int) bool { return entryLess(&es[i], &es[j]) })
}

// Diff is a merged set of changes for one topic. Joins and Leaves become the key -> metas
// maps of a Phoenix presence_diff; the entries are given whole so the core can build other
// dialects' frames. The tracker returns both sorted by key, then phx_ref.
type Diff struct {
	Joins, Leaves []Entry
}

// Empty reports whether the diff has neither joins nor leaves.
func (d *Diff) Empty() bool { return len(d.Joins) == 0 && len(d.Leaves) == 0 }

// AppendPhoenixDiff appends the presence_diff payload {"joins":{...},"leaves":{...}}. Both
// keys are always present (possibly {}), because the Phoenix client reads both.
func (d *Diff) AppendPhoenixDiff(dst []byte) []byte {
	dst = append(dst, `{"joins":`...)
	dst = appendKeyedMetas(dst, d.Joins)
	dst = append(dst, `,"leaves":`...)
	dst = appendKeyedMetas(dst, d.Leaves)
	return append(dst, '}')
}
