package channels

import (
	"hash/maphash"
	"sync"
)

const hubShards = 64

// hub maps a topic to its local members. It is sharded by topic hash so that fan-out on one
// topic never contends with joins on another.
type hub struct {
	seed   maphash.Seed
	shards [hubShards]hubShard
}

type hubShard struct {
	mu     sync.RWMutex
	topics map[string]*topicMembers // guarded by mu
}

// topicMembers is the membership of one topic on this node.
type topicMembers struct {
	list     []*Channel          // fan-out order; Channel.hubIndex is its position
	byClient map[string]*Channel // client_id -> member, for private targets
}

func newHub() *hub {
	h := &hub{seed: maphash.MakeSeed()}
	for i := range h.shards {
		h.shards[i].topics = make(map[string]*topicMembers)
	}
	return h
}

func (h *hub) shard(topic string) *hubShard {
	return &h.shards[maphash.String(h.seed, topic)%hubShards]
}

// add inserts ch and runs then() (if non-nil) while the shard is still write-locked, so that
// nothing fanned out to the topic can reach ch's queue before what then() enqueues (the join
// reply). It reports whether ch is the first local member of the topic.
func (h *hub) add(ch *Channel, then func()) (first bool) {
	s := h.shard(ch.topic)
	s.mu.Lock()
	defer s.mu.Unlock()
	tm := s.topics[ch.topic]
	if tm == nil {
		tm = &topicMembers{byClient: make(map[string]*Channel)}
		s.topics[ch.topic] = tm
		first = true
	}
	ch.hubIndex = len(tm.list)
	tm.list = append(tm.list, ch)
	tm.byClient[ch.clientID] = ch
	if then != nil {
		then()
	}
	return first
}

// remove deletes ch; it reports whether ch was present and whether the topic is now empty.
func (h *hub) remove(ch *Channel) (removed, last bool) {
	s := h.shard(ch.topic)
	s.mu.Lock()
	defer s.mu.Unlock()
	tm := s.topics[ch.topic]
	if tm == nil || ch.hubIndex < 0 || ch.hubIndex >= len(tm.list) || tm.list[ch.hubIndex] != ch {
		return false, false
	}
	i, end := ch.hubIndex, len(tm.list)-1
	tm.list[i] = tm.list[end]
	tm.list[i].hubIndex = i
	tm.list[end] = nil
	tm.list = tm.list[:end]
	ch.hubIndex = -1
	if tm.byClient[ch.clientID] == ch {
		delete(tm.byClient, ch.clientID)
	}
	if len(tm.list) == 0 {
		delete(s.topics, ch.topic)
		return true, true
	}
	return true, false
}

// each calls fn for every local member of topic under the shard's read lock. fn must not block
// and must not take any hub lock.
func (h *hub) each(topic string, fn func(*Channel)) {
	s := h.shard(topic)
	s.mu.RLock()
	defer s.mu.RUnlock()
	if tm := s.topics[topic]; tm != nil {
		for _, ch := range tm.list {
			fn(ch)
		}
	}
}

// member returns the local member of topic with that client id.
func (h *hub) member(topic, clientID string) *Channel {
	s := h.shard(topic)
	s.mu.RLock()
	defer s.mu.RUnlock()
	if tm := s.topics[topic]; tm != nil {
		return tm.byClient[clientID]
	}
	return nil
}

// count returns the number of local members of topic.
func (h *hub) count(topic string) int {
	s := h.shard(topic)
	s.mu.RLock()
	defer s.mu.RUnlock()
	if tm := s.topics[topic]; tm != nil {
		return len(tm.list)
	}
	return 0
}

// topics returns every topic with local members and their counts.
func (h *hub) topicCounts() map[string]int {
	out := make(map[string]int)
	for i := range h.shards {
		s := &h.shards[i]
		s.mu.RLock()
		for t, tm := range s.topics {
			out[t] = len(tm.list)
		}
		s.mu.RUnlock()
	}
	return out
}
