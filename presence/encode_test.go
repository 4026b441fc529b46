package presence

import (
	"encoding/base64"
	"encoding/json"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestAppendPhoenixDiff(t *testing.T) {
	tr := New(Config{NodeID: "n1"}, nil, nil)
	a1 := mustTrack(t, tr, "room", "a", "c1", Meta{"status": "online"})
	a2 := mustTrack(t, tr, "room", "a", "c2", nil)
	b1 := mustTrack(t, tr, "room", "b", "c3", nil)
	fs := drain(tr)
	if len(fs) != 1 {
		t.Fatalf("got %d flushes, want 1", len(fs))
	}
	tests := []struct {
		name       string
		diff       Diff
		wantJoins  map[string][]string // key -> refs
		wantLeaves map[string][]string
	}{
		{"empty diff has both keys", Diff{}, map[string][]string{}, map[string][]string{}},
		{"joins only", fs[0].Diff, map[string][]string{"a": sorted(a1, a2), "b": {b1}}, map[string][]string{}},
		{"leaves only", Diff{Leaves: fs[0].Diff.Joins[:1]}, map[string][]string{}, map[string][]string{"a": {fs[0].Diff.Joins[0].Ref()}}},
		{"unsorted hand-built diff groups keys", Diff{Joins: []Entry{fs[0].Diff.Joins[0], fs[0].Diff.Joins[2], fs[0].Diff.Joins[1]}},
			map[string][]string{"a": sorted(a1, a2), "b": {b1}}, map[string][]string{}},
		{"entry without cached JSON is encoded", Diff{Leaves: []Entry{{Key: "x", Meta: Meta{"phx_ref": "R"}}}},
			map[string][]string{}, map[string][]string{"x": {"R"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := tc.diff.AppendPhoenixDiff([]byte("prefix"))
			if string(out[:6]) != "prefix" {
				t.Fatalf("prefix lost: %s", out)
			}
			joins, leaves := decodeDiff(t, out[6:])
			checkKeyRefs(t, "joins", joins, tc.wantJoins)
			checkKeyRefs(t, "leaves", leaves, tc.wantLeaves)
		})
	}
}

func sorted(a, b string) []string {
	if a > b {
		a, b = b, a
	}
	return []string{a, b}
}

func checkKeyRefs(t *testing.T, what string, got phoenixMap, want map[string][]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d keys, want %d (%v)", what, len(got), len(want), got)
	}
	for key, refs := range want {
		gotRefs := refsOf(got, key)
		if len(gotRefs) != len(refs) {
			t.Fatalf("%s[%q]: refs %v, want %v", what, key, gotRefs, refs)
		}
		for i := range refs {
			if gotRefs[i] != refs[i] {
				t.Fatalf("%s[%q]: refs %v, want %v", what, key, gotRefs, refs)
			}
		}
	}
}

func TestStateKeyEncoding(t *testing.T) {
	keys := []struct {
		name, key, decoded string
	}{
		{"__proto__", "__proto__", "__proto__"},
		{"constructor", "constructor", "constructor"},
		{"quote and backslash", `a"b\c`, `a"b\c`},
		{"control bytes", "\x00\x01\n\t\x1f", "\x00\x01\n\t\x1f"},
		{"invalid UTF-8 becomes U+FFFD", "a\xffb", "a\ufffdb"},
		{"line separators", "x\u2028y\u2029", "x\u2028y\u2029"},
		{"non-ASCII", "héllo 世界", "héllo 世界"},
	}
	for _, tc := range keys {
		t.Run(tc.name, func(t *testing.T) {
			tr := New(Config{NodeID: "n1"}, nil, nil)
			ref := mustTrack(t, tr, "room", tc.key, "c1", Meta{"k": tc.key})
			state := decodeState(t, tr.Snapshot("room").AppendPhoenixState(nil))
			if len(state) != 1 {
				t.Fatalf("state has %d keys: %v", len(state), state)
			}
			if got := refsOf(state, tc.decoded); len(got) != 1 || got[0] != ref {
				t.Fatalf("key %q: refs %v, want [%s]", tc.decoded, got, ref)
			}
		})
	}
}

func TestRefs(t *testing.T) {
	frozen := time.Unix(1700000000, 0)
	tests := []struct {
		name string
		now  func() time.Time
	}{
		{"real clock", nil},
		{"frozen clock", func() time.Time { return frozen }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := New(Config{NodeID: "n1", Now: tc.now}, nil, nil)
			seen := make(map[string]bool)
			var mu sync.Mutex
			var wg sync.WaitGroup
			for w := range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range 5000 {
						ref := mustTrack(t, tr, "room", "k", string(rune('a'+w))+itoa(i), nil)
						mu.Lock()
						seen[ref] = true
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			if len(seen) != 20000 {
				t.Fatalf("%d unique refs for 20000 tracks", len(seen))
			}
			for ref := range seen {
				raw, err := base64.URLEncoding.DecodeString(ref)
				if len(ref) != 16 || err != nil || len(raw) != 12 {
					t.Fatalf("ref %q: len %d, err %v", ref, len(ref), err)
				}
			}
		})
	}
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

func TestSnapshotCaching(t *testing.T) {
	tr := New(Config{NodeID: "n1"}, nil, nil)
	mustTrack(t, tr, "room", "a", "c1", nil)
	s1 := tr.Snapshot("room")
	if s2 := tr.Snapshot("room"); s2 != s1 {
		t.Fatal("unchanged topic built a second snapshot")
	}
	var calls [2]atomic.Int32
	encoders := [2]func(*Snapshot) []byte{
		func(s *Snapshot) []byte { calls[0].Add(1); return s.AppendPhoenixState(nil) },
		func(s *Snapshot) []byte { calls[1].Add(1); return []byte("other") },
	}
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			kind := i % 2
			got := s1.Encoded(kind, encoders[kind])
			if kind == 1 && string(got) != "other" {
				t.Errorf("kind 1 = %q", got)
			}
		}()
	}
	wg.Wait()
	for kind := range calls {
		if n := calls[kind].Load(); n != 1 {
			t.Fatalf("kind %d encoded %d times, want 1", kind, n)
		}
	}
	mustTrack(t, tr, "room", "b", "c2", nil)
	s3 := tr.Snapshot("room")
	if s3 == s1 {
		t.Fatal("snapshot not rebuilt after a change")
	}
	if s1.Len() != 1 || s3.Len() != 2 {
		t.Fatalf("lens %d, %d; want 1, 2 (old snapshot must stay immutable)", s1.Len(), s3.Len())
	}
	es := s3.Entries()
	if es[0].Key != "a" || es[1].Key != "b" {
		t.Fatalf("entries not sorted: %v", es)
	}
	_ = append(es, Entry{Key: "z"})
	if s3.Len() != 2 || s3.Entries()[1].Key != "b" {
		t.Fatal("appending to Entries changed the snapshot")
	}
	if empty := tr.Snapshot("nobody"); empty.Len() != 0 || string(empty.AppendPhoenixState(nil)) != "{}" {
		t.Fatal("unknown topic must give an empty snapshot")
	}
}
