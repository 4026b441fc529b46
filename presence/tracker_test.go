package presence

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestTrackerChanges(t *testing.T) {
	tests := []struct {
		name string
		run  func(t *testing.T, tr *Tracker)
	}{
		{"multi-meta key: leaving one connection keeps the key with one meta", func(t *testing.T, tr *Tracker) {
			r1 := mustTrack(t, tr, "room", "u1", "c1", Meta{"device": "phone"})
			r2 := mustTrack(t, tr, "room", "u1", "c2", Meta{"device": "laptop"})
			fs := drain(tr)
			joins, _ := decodeDiff(t, fs[0].Diff.AppendPhoenixDiff(nil))
			checkKeyRefs(t, "joins", joins, map[string][]string{"u1": sorted(r1, r2)})

			tr.Untrack("room", "c1")
			fs = drain(tr)
			if len(fs) != 1 {
				t.Fatalf("%d flushes, want 1", len(fs))
			}
			joins, leaves := decodeDiff(t, fs[0].Diff.AppendPhoenixDiff(nil))
			checkKeyRefs(t, "joins", joins, map[string][]string{})
			checkKeyRefs(t, "leaves", leaves, map[string][]string{"u1": {r1}})
			if leaves["u1"].Metas[0]["device"] != "phone" {
				t.Fatalf("leave carries meta %v, want the phone meta", leaves["u1"].Metas[0])
			}
			state := decodeState(t, tr.Snapshot("room").AppendPhoenixState(nil))
			checkKeyRefs(t, "state", state, map[string][]string{"u1": {r2}})
		}},
		{"update: one diff with join(new) and leave(old), phx_ref_prev set", func(t *testing.T, tr *Tracker) {
			old := mustTrack(t, tr, "room", "u1", "c1", Meta{"status": "online"})
			drain(tr)
			ref, err := tr.Update("room", "c1", Meta{"status": "away", "phx_ref_prev": "spoofed"}, json.RawMessage(`{"x":1}`))
			if err != nil || ref == old {
				t.Fatalf("Update = %q, %v", ref, err)
			}
			fs := drain(tr)
			if len(fs) != 1 {
				t.Fatalf("%d flushes, want 1", len(fs))
			}
			joins, leaves := decodeDiff(t, fs[0].Diff.AppendPhoenixDiff(nil))
			checkKeyRefs(t, "joins", joins, map[string][]string{"u1": {ref}})
			checkKeyRefs(t, "leaves", leaves, map[string][]string{"u1": {old}})
			if m := joins["u1"].Metas[0]; m["phx_ref_prev"] != old || m["status"] != "away" {
				t.Fatalf("joined meta %v", m)
			}
			if m := leaves["u1"].Metas[0]; m["status"] != "online" {
				t.Fatalf("left meta %v", m)
			}
			if string(fs[0].Diff.Joins[0].Extra) != `{"x":1}` {
				t.Fatalf("extra %s", fs[0].Diff.Joins[0].Extra)
			}
			if tr.Snapshot("room").Len() != 1 {
				t.Fatal("update must replace the entry")
			}
		}},
		{"untrack and UntrackConn emit leaves", func(t *testing.T, tr *Tracker) {
			for _, topic := range []string{"a", "b", "c"} {
				mustTrack(t, tr, topic, "u1", "c1", nil)
			}
			mustTrack(t, tr, "a", "u2", "c2", nil)
			drain(tr)
			tr.Untrack("a", "nobody") // no-op
			tr.Untrack("zzz", "c1")   // no-op
			if fs := drain(tr); len(fs) != 0 {
				t.Fatalf("no-op untracks flushed %v", fs)
			}
			tr.UntrackConn("c1")
			fs := drain(tr)
			if len(fs) != 3 {
				t.Fatalf("%d flushes, want 3", len(fs))
			}
			for _, f := range fs {
				if len(f.Diff.Leaves) != 1 || f.Diff.Leaves[0].ConnID != "c1" || len(f.Diff.Joins) != 0 {
					t.Fatalf("topic %s diff %+v", f.Topic, f.Diff)
				}
			}
			if got := tr.Topics(); len(got) != 1 || got[0] != "a" {
				t.Fatalf("Topics = %v, want [a]", got)
			}
			if _, err := tr.Track("b", "u1", "c1", nil, nil); err != nil {
				t.Fatalf("re-track after UntrackConn: %v", err)
			}
		}},
		{"join and leave of one ref in a window cancel out", func(t *testing.T, tr *Tracker) {
			mustTrack(t, tr, "room", "u1", "c1", nil)
			tr.Untrack("room", "c1")
			if fs := drain(tr); len(fs) != 0 {
				t.Fatalf("cancelled pair flushed %+v", fs)
			}
			mustTrack(t, tr, "room", "u1", "c1", nil)
			r2 := mustTrack(t, tr, "room", "u2", "c2", nil)
			tr.Untrack("room", "c1")
			fs := drain(tr)
			if len(fs) != 1 || len(fs[0].Diff.Joins) != 1 || fs[0].Diff.Joins[0].Ref() != r2 || len(fs[0].Diff.Leaves) != 0 {
				t.Fatalf("flushes %+v, want only the join of c2", fs)
			}
		}},
		{"update of an entry joined in the same window sends only the new join", func(t *testing.T, tr *Tracker) {
			mustTrack(t, tr, "room", "u1", "c1", nil)
			ref, err := tr.Update("room", "c1", Meta{"s": 1}, nil)
			if err != nil {
				t.Fatal(err)
			}
			fs := drain(tr)
			if len(fs) != 1 || len(fs[0].Diff.Joins) != 1 || fs[0].Diff.Joins[0].Ref() != ref || len(fs[0].Diff.Leaves) != 0 {
				t.Fatalf("flushes %+v", fs)
			}
		}},
		{"RequestState gets the snapshot including the requester", func(t *testing.T, tr *Tracker) {
			other := mustTrack(t, tr, "room", "u2", "c2", nil)
			drain(tr)
			own := mustTrack(t, tr, "room", "u1", "c1", nil)
			tr.RequestState("room", "c1")
			tr.RequestState("room", "c1")
			fs := drain(tr)
			if len(fs) != 1 {
				t.Fatalf("%d flushes", len(fs))
			}
			f := fs[0]
			if len(f.Waiting) != 1 || f.Waiting[0] != "c1" {
				t.Fatalf("Waiting = %v", f.Waiting)
			}
			state := decodeState(t, f.Snapshot.AppendPhoenixState(nil))
			checkKeyRefs(t, "state", state, map[string][]string{"u1": {own}, "u2": {other}})
			if len(f.Diff.Joins) != 1 {
				t.Fatalf("diff for the other members: %+v", f.Diff)
			}
		}},
		{"RequestState forces a flush with no change", func(t *testing.T, tr *Tracker) {
			tr.RequestState("empty", "c9")
			fs := drain(tr)
			if len(fs) != 1 || !fs[0].Diff.Empty() || fs[0].Snapshot == nil || fs[0].Snapshot.Len() != 0 {
				t.Fatalf("flushes %+v", fs)
			}
			if string(fs[0].Snapshot.AppendPhoenixState(nil)) != "{}" {
				t.Fatal("empty state must be {}")
			}
			if len(tr.Topics()) != 0 {
				t.Fatal("an empty topic must not be listed")
			}
		}},
		{"no snapshot without waiters", func(t *testing.T, tr *Tracker) {
			mustTrack(t, tr, "room", "u1", "c1", nil)
			if fs := drain(tr); fs[0].Snapshot != nil {
				t.Fatal("snapshot built for nobody")
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.run(t, New(Config{NodeID: "n1"}, nil, nil))
		})
	}
}

func TestTrackerErrors(t *testing.T) {
	tr := New(Config{NodeID: "n1"}, nil, nil)
	mustTrack(t, tr, "room", "u1", "c1", nil)
	tests := []struct {
		name string
		call func() error
		want error
	}{
		{"track twice", func() error { _, err := tr.Track("room", "u1", "c1", nil, nil); return err }, ErrAlreadyTracked},
		{"empty topic", func() error { _, err := tr.Track("", "u1", "c2", nil, nil); return err }, ErrInvalid},
		{"empty key", func() error { _, err := tr.Track("room", "", "c2", nil, nil); return err }, ErrInvalid},
		{"empty conn", func() error { _, err := tr.Track("room", "u1", "", nil, nil); return err }, ErrInvalid},
		{"meta not encodable", func() error { _, err := tr.Track("room", "u1", "c2", Meta{"f": func() {}}, nil); return err }, ErrInvalid},
		{"extra not JSON", func() error { _, err := tr.Track("room", "u1", "c2", nil, json.RawMessage("{")); return err }, ErrInvalid},
		{"update untracked conn", func() error { _, err := tr.Update("room", "c9", nil, nil); return err }, ErrNotTracked},
		{"update unknown topic", func() error { _, err := tr.Update("nope", "c1", nil, nil); return err }, ErrNotTracked},
		{"update with bad meta", func() error { _, err := tr.Update("room", "c1", Meta{"c": make(chan int)}, nil); return err }, ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	if n := tr.Snapshot("room").Len(); n != 1 {
		t.Fatalf("failed calls changed state: %d entries", n)
	}
}

func TestRunWindows(t *testing.T) {
	t.Run("100 joins in one window make one flush", func(t *testing.T) {
		log := &flushLog{}
		tr := New(Config{NodeID: "n1", Window: 200 * time.Millisecond}, nil, log.add)
		runTracker(t, tr)
		for i := range 100 {
			mustTrack(t, tr, "room", fmt.Sprint("u", i), fmt.Sprint("c", i), nil)
		}
		eventually(t, func() bool { return log.count() > 0 }, "a flush")
		fs := log.all()
		if len(fs) != 1 || len(fs[0].Diff.Joins) != 100 {
			t.Fatalf("%d flushes, first with %d joins; want 1 with 100", len(fs), len(fs[0].Diff.Joins))
		}
		for i := 1; i < 100; i++ {
			if !entryLess(&fs[0].Diff.Joins[i-1], &fs[0].Diff.Joins[i]) {
				t.Fatal("diff joins not sorted")
			}
		}
	})
	t.Run("window zero flushes when woken, topics independently", func(t *testing.T) {
		log := &flushLog{}
		tr := New(Config{NodeID: "n1"}, nil, log.add)
		runTracker(t, tr)
		mustTrack(t, tr, "a", "u1", "c1", nil)
		eventually(t, func() bool { return log.count() == 1 }, "flush of a")
		mustTrack(t, tr, "b", "u1", "c1", nil)
		eventually(t, func() bool { return log.count() == 2 }, "flush of b")
		fs := log.all()
		if fs[0].Topic != "a" || fs[1].Topic != "b" {
			t.Fatalf("topics %s, %s", fs[0].Topic, fs[1].Topic)
		}
	})
	t.Run("onFlush may call back into the tracker", func(t *testing.T) {
		var tr *Tracker
		done := make(chan int, 1)
		tr = New(Config{NodeID: "n1"}, nil, func(f Flush) {
			// Would deadlock if a tracker lock were held during onFlush.
			_, _ = tr.Track(f.Topic, "u2", "c2", nil, nil)
			done <- tr.Snapshot(f.Topic).Len()
		})
		runTracker(t, tr)
		mustTrack(t, tr, "room", "u1", "c1", nil)
		if n := <-done; n != 2 {
			t.Fatalf("snapshot in onFlush has %d entries, want 2", n)
		}
	})
	t.Run("second Run is rejected", func(t *testing.T) {
		tr := New(Config{NodeID: "n1"}, nil, nil)
		runTracker(t, tr)
		eventually(t, tr.running.Load, "Run started")
		if err := tr.Run(t.Context()); !errors.Is(err, ErrAlreadyRunning) {
			t.Fatalf("got %v", err)
		}
	})
}
