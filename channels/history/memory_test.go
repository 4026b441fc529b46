package history

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// seqs returns the sequence numbers of items, and checks that Data and Time match what
// appendN stored for them.
func seqs(t *testing.T, items []Item) []uint64 {
	t.Helper()
	var out []uint64
	for _, it := range items {
		if want := fmt.Sprint("msg", it.Seq); it.Data != want {
			t.Errorf("item %d data = %v, want %v", it.Seq, it.Data, want)
		}
		if want := epoch.Add(time.Duration(it.Seq) * time.Second); !it.Time.Equal(want) {
			t.Errorf("item %d time = %v, want %v", it.Seq, it.Time, want)
		}
		out = append(out, it.Seq)
	}
	return out
}

// appendN appends count items to channel with the given capacity, continuing its sequence.
func appendN(t *testing.T, m *Memory, channel string, capacity, count int) {
	t.Helper()
	for range count {
		next := uint64(m.lastSeqForTest(channel)) + 1
		got := m.Append(channel, capacity, fmt.Sprint("msg", next), epoch.Add(time.Duration(next)*time.Second))
		if got != next {
			t.Fatalf("Append seq = %d, want %d", got, next)
		}
	}
}

func (m *Memory) lastSeqForTest(channel string) uint64 {
	s := m.shardFor(channel)
	s.mu.RLock()
	defer s.mu.RUnlock()
	if r := s.rings[channel]; r != nil {
		return r.lastSeq
	}
	return 0
}

func span(from, to uint64) []uint64 {
	var out []uint64
	for s := from; s <= to; s++ {
		out = append(out, s)
	}
	return out
}

func TestMemoryRing(t *testing.T) {
	type step struct{ capacity, count int }
	tests := []struct {
		name    string
		steps   []step
		lastN   int
		want    []uint64
		wantLen int
	}{
		{"empty channel", nil, 0, nil, 0},
		{"fewer than capacity", []step{{5, 3}}, 0, span(1, 3), 3},
		{"exactly capacity", []step{{4, 4}}, 0, span(1, 4), 4},
		{"wrap around", []step{{3, 10}}, 0, span(8, 10), 3},
		{"wrap around many times", []step{{7, 1000}}, 0, span(994, 1000), 7},
		{"last n of wrapped", []step{{5, 12}}, 2, span(11, 12), 5},
		{"n larger than kept", []step{{5, 3}}, 10, span(1, 3), 3},
		{"negative n means all", []step{{5, 8}}, -1, span(4, 8), 5},
		{"capacity one", []step{{1, 5}}, 0, []uint64{5}, 1},
		{"shrink after wrap trims oldest", []step{{5, 7}, {2, 1}}, 0, span(7, 8), 2},
		{"shrink before wrap", []step{{10, 4}, {3, 0}, {3, 1}}, 0, span(3, 5), 3},
		{"grow after wrap keeps order", []step{{3, 5}, {6, 2}}, 0, span(3, 7), 5},
		{"grow then wrap again", []step{{3, 5}, {6, 10}}, 0, span(10, 15), 6},
		{"large capacity grows lazily", []step{{1000, 20}}, 0, span(1, 20), 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewMemory(0)
			for _, st := range tt.steps {
				appendN(t, m, "room", st.capacity, st.count)
			}
			if diff := cmp.Diff(tt.want, seqs(t, m.Last("room", tt.lastN))); diff != "" {
				t.Errorf("Last (-want +got):\n%s", diff)
			}
			if got := m.Len("room"); got != tt.wantLen {
				t.Errorf("Len = %d, want %d", got, tt.wantLen)
			}
		})
	}
}

func TestMemoryZeroCapacityIsNoOp(t *testing.T) {
	tests := []struct {
		name     string
		before   int // items appended with capacity 5 first
		capacity int
	}{
		{"new channel zero", 0, 0},
		{"new channel negative", 0, -3},
		{"existing channel zero keeps items", 3, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewMemory(0)
			appendN(t, m, "room", 5, tt.before)
			if seq := m.Append("room", tt.capacity, "x", epoch); seq != 0 {
				t.Errorf("Append with capacity %d = %d, want 0", tt.capacity, seq)
			}
			if got := m.Len("room"); got != tt.before {
				t.Errorf("Len = %d, want %d", got, tt.before)
			}
		})
	}
}

func TestMemoryChannelsAreIndependent(t *testing.T) {
	m := NewMemory(0)
	appendN(t, m, "a", 10, 3)
	appendN(t, m, "b", 2, 5)
	if diff := cmp.Diff(span(1, 3), seqs(t, m.Last("a", 0))); diff != "" {
		t.Errorf("channel a (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(span(4, 5), seqs(t, m.Last("b", 0))); diff != "" {
		t.Errorf("channel b (-want +got):\n%s", diff)
	}
}

func TestMemoryLastReturnsACopy(t *testing.T) {
	m := NewMemory(0)
	appendN(t, m, "room", 3, 3)
	got := m.Last("room", 0)
	got[0].Seq, got[0].Data = 99, "changed"
	if diff := cmp.Diff(span(1, 3), seqs(t, m.Last("room", 0))); diff != "" {
		t.Errorf("store changed through Last's result (-want +got):\n%s", diff)
	}
}

func TestMemoryEviction(t *testing.T) {
	tests := []struct {
		name string
		// appends is the order of single appends (capacity 5).
		appends []string
		max     int
		kept    []string
		evicted []string
	}{
		{"within bound", []string{"a", "b"}, 2, []string{"a", "b"}, nil},
		{"oldest evicted", []string{"a", "b", "c"}, 2, []string{"b", "c"}, []string{"a"}},
		{"append refreshes recency", []string{"a", "b", "a", "c"}, 2, []string{"a", "c"}, []string{"b"}},
		{"bound of one", []string{"a", "b", "c", "b"}, 1, []string{"b"}, []string{"a", "c"}},
		{"many channels across shards", names("ch", 100), 10, names("ch", 100)[90:], names("ch", 90)},
		{"unbounded", names("ch", 200), 0, names("ch", 200), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewMemory(tt.max)
			for _, ch := range tt.appends {
				appendN(t, m, ch, 5, 1)
			}
			for _, ch := range tt.kept {
				if m.Len(ch) == 0 {
					t.Errorf("channel %q was evicted, want kept", ch)
				}
			}
			for _, ch := range tt.evicted {
				if m.Len(ch) != 0 || m.Last(ch, 0) != nil {
					t.Errorf("channel %q is still kept, want evicted", ch)
				}
			}
			if tt.max > 0 && m.channels.Load() > int64(tt.max) {
				t.Errorf("channel count %d exceeds bound %d", m.channels.Load(), tt.max)
			}
		})
	}
}

func TestMemoryEvictedChannelRestartsSequence(t *testing.T) {
	m := NewMemory(1)
	appendN(t, m, "a", 5, 3)
	appendN(t, m, "b", 5, 1)
	if seq := m.Append("a", 5, "again", epoch); seq != 1 {
		t.Errorf("seq after eviction = %d, want 1", seq)
	}
}

func names(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%d", prefix, i)
	}
	return out
}

func TestMemoryConcurrentAppends(t *testing.T) {
	tests := []struct {
		name        string
		maxChannels int
		channels    int
		writers     int
		perWriter   int
		capacity    int
	}{
		{"one hot channel", 0, 1, 8, 500, 100},
		{"many channels", 0, 64, 8, 200, 50},
		{"bounded with eviction", 16, 64, 8, 200, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewMemory(tt.maxChannels)
			chans := names("room", tt.channels)
			var wg sync.WaitGroup
			for w := range tt.writers {
				wg.Go(func() {
					for i := range tt.perWriter {
						ch := chans[(w+i)%len(chans)]
						if seq := m.Append(ch, tt.capacity, w, epoch); seq == 0 {
							t.Errorf("Append returned 0")
						}
					}
				})
				// A reader per writer checks that Last is always consistent under writes.
				wg.Go(func() {
					for i := range tt.perWriter {
						checkConsecutive(t, m.Last(chans[i%len(chans)], 0), tt.capacity)
					}
				})
			}
			wg.Wait()

			total := 0
			kept := 0
			for _, ch := range chans {
				items := m.Last(ch, 0)
				checkConsecutive(t, items, tt.capacity)
				if len(items) > 0 {
					kept++
					total += int(items[len(items)-1].Seq)
				}
			}
			if tt.maxChannels == 0 && total != tt.writers*tt.perWriter {
				t.Errorf("sum of last seqs = %d, want %d appends", total, tt.writers*tt.perWriter)
			}
			if tt.maxChannels > 0 && kept > tt.maxChannels {
				t.Errorf("%d channels kept, bound is %d", kept, tt.maxChannels)
			}
		})
	}
}

// checkConsecutive asserts that items are oldest first with consecutive sequence numbers.
func checkConsecutive(t *testing.T, items []Item, capacity int) {
	t.Helper()
	if len(items) > capacity {
		t.Errorf("%d items kept, capacity %d", len(items), capacity)
	}
	for i := 1; i < len(items); i++ {
		if items[i].Seq != items[i-1].Seq+1 {
			t.Errorf("items not consecutive: seq %d after %d", items[i].Seq, items[i-1].Seq)
			return
		}
	}
}
