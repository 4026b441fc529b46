package presence

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"hash/fnv"
	"sync/atomic"
	"time"
)

// refGen makes phx_refs: url-safe base64 (16 chars) of 8 bytes time in ns, 2 bytes node hash
// and 2 bytes counter, the same shape as Phoenix (shard.ex). The time part is forced to
// increase strictly per tracker, so refs of one node never repeat even with a frozen clock;
// the node hash and a random counter start separate nodes.
type refGen struct {
	now      func() time.Time
	nodeHash uint16
	lastNS   atomic.Int64
	counter  atomic.Uint32
}

func newRefGen(nodeID string, now func() time.Time) *refGen {
	h := fnv.New32a()
	_, _ = h.Write([]byte(nodeID))
	sum := h.Sum32()
	g := &refGen{now: now, nodeHash: uint16(sum>>16) ^ uint16(sum)}
	var seed [4]byte
	_, _ = rand.Read(seed[:])
	g.counter.Store(binary.BigEndian.Uint32(seed[:]))
	return g
}

// next returns a new unique ref.
func (g *refGen) next() string {
	ns := g.now().UnixNano()
	for {
		last := g.lastNS.Load()
		if ns <= last {
			ns = last + 1
		}
		if g.lastNS.CompareAndSwap(last, ns) {
			break
		}
	}
	var raw [12]byte
	binary.BigEndian.PutUint64(raw[0:8], uint64(ns))
	binary.BigEndian.PutUint16(raw[8:10], g.nodeHash)
	binary.BigEndian.PutUint16(raw[10:12], uint16(g.counter.Add(1)))
	return base64.URLEncoding.EncodeToString(raw[:])
}
