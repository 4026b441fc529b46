package history

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

type loaded struct {
	channel string
	seq     uint64
	at      time.Time
	data    string
}

func loadAll(t *testing.T, b *Bolt) []loaded {
	t.Helper()
	var out []loaded
	if err := b.LoadAll(func(channel string, seq uint64, at time.Time, data []byte) {
		out = append(out, loaded{channel, seq, at, string(data)})
	}); err != nil {
		t.Fatalf("LoadAll: %v", err)
	}
	return out
}

// runWriter starts b.Run and returns a function that stops it and waits.
func runWriter(t *testing.T, b *Bolt) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	return func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}
}

func TestBoltRoundTrip(t *testing.T) {
	base := time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC)
	type save struct {
		channel string
		seq     uint64
		data    string
		keep    int
	}
	tests := []struct {
		name  string
		saves []save
		want  []loaded
	}{
		{"one channel in order", []save{{"room:1", 1, "a", 10}, {"room:1", 2, "b", 10}},
			[]loaded{{"room:1", 1, base, "a"}, {"room:1", 2, base.Add(time.Second), "b"}}},
		{"trim to newest", []save{{"c", 1, "a", 2}, {"c", 2, "b", 2}, {"c", 3, "c", 2}, {"c", 4, "d", 2}},
			[]loaded{{"c", 3, base.Add(2 * time.Second), "c"}, {"c", 4, base.Add(3 * time.Second), "d"}}},
		{"smaller keep trims older items", []save{{"c", 1, "a", 10}, {"c", 2, "b", 10}, {"c", 3, "c", 1}},
			[]loaded{{"c", 3, base.Add(2 * time.Second), "c"}}},
		{"keep 0 is a no-op", []save{{"c", 1, "a", 5}, {"c", 2, "b", 0}},
			[]loaded{{"c", 1, base, "a"}}},
		{"channels in name order, items oldest first", []save{{"b/2", 1, "x", 5}, {"a:1", 1, "y", 5}, {"b/2", 2, "z", 5}},
			[]loaded{{"a:1", 1, base.Add(time.Second), "y"}, {"b/2", 1, base, "x"}, {"b/2", 2, base.Add(2 * time.Second), "z"}}},
		{"restarted seqs keep insertion order", []save{{"c", 5, "old", 5}, {"c", 1, "new", 5}},
			[]loaded{{"c", 5, base, "old"}, {"c", 1, base.Add(time.Second), "new"}}},
		{"empty data", []save{{"c", 1, "", 5}}, []loaded{{"c", 1, base, ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "history.db")
			b, err := OpenBolt(path, zerolog.Nop())
			if err != nil {
				t.Fatal(err)
			}
			stop := runWriter(t, b)
			for i, s := range tt.saves {
				b.Save(s.channel, s.seq, base.Add(time.Duration(i)*time.Second), []byte(s.data), s.keep)
			}
			stop() // flushes
			if err := b.Close(); err != nil {
				t.Fatal(err)
			}
			b, err = OpenBolt(path, zerolog.Nop())
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			got := loadAll(t, b)
			if len(got) != len(tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
			for i := range got {
				if got[i].channel != tt.want[i].channel || got[i].seq != tt.want[i].seq || got[i].data != tt.want[i].data || !got[i].at.Equal(tt.want[i].at) {
					t.Errorf("item %d = %+v, want %+v", i, got[i], tt.want[i])
				}
			}
			if b.Dropped() != 0 {
				t.Errorf("dropped %d", b.Dropped())
			}
		})
	}
}

func TestBoltTrimAcrossBatches(t *testing.T) {
	b, err := OpenBolt(filepath.Join(t.TempDir(), "h.db"), zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	stop := runWriter(t, b)
	now := time.Now()
	for i := range 3000 {
		b.Save("room", uint64(i+1), now, []byte(fmt.Sprint(i)), 100)
		if i%500 == 0 {
			time.Sleep(time.Millisecond) // let the writer take several batches
		}
	}
	stop()
	got := loadAll(t, b)
	if len(got)+int(b.Dropped()) < 100 || len(got) > 100 {
		t.Fatalf("kept %d items (dropped %d), want 100", len(got), b.Dropped())
	}
	if last := got[len(got)-1]; b.Dropped() == 0 && (last.seq != 3000 || last.data != "2999") {
		t.Errorf("newest item = %+v", last)
	}
	for i := 1; i < len(got); i++ {
		if got[i].seq <= got[i-1].seq {
			t.Errorf("not oldest first at %d: %d then %d", i, got[i-1].seq, got[i].seq)
		}
	}
}

func TestBoltSaveNeverBlocks(t *testing.T) {
	const queue = 16
	b, err := openBolt(filepath.Join(t.TempDir(), "h.db"), zerolog.Nop(), queue)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	// No writer runs: the queue fills and every further Save must return at once.
	done := make(chan struct{})
	go func() {
		for i := range queue + 100 {
			b.Save("room", uint64(i), time.Now(), []byte("x"), 10)
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Save blocked with the writer stalled")
	}
	if got := b.Dropped(); got != 100 {
		t.Errorf("Dropped = %d, want 100", got)
	}
	// A late writer still stores what was queued.
	runWriter(t, b)()
	if got := len(loadAll(t, b)); got != 10 {
		t.Errorf("stored %d, want 10 (keep)", got)
	}
}

func TestBoltConcurrentSave(t *testing.T) {
	b, err := OpenBolt(filepath.Join(t.TempDir(), "h.db"), zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	stop := runWriter(t, b)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				b.Save(fmt.Sprintf("room:%d", g), uint64(i+1), time.Now(), []byte("m"), 1000)
			}
		})
	}
	wg.Wait()
	stop()
	counts := map[string]int{}
	for _, it := range loadAll(t, b) {
		counts[it.channel]++
	}
	total := 0
	for _, n := range counts {
		total += n
	}
	if total+int(b.Dropped()) != 8*200 {
		t.Errorf("stored %d + dropped %d, want %d", total, b.Dropped(), 8*200)
	}
}

func TestBoltRunTwice(t *testing.T) {
	b, err := OpenBolt(filepath.Join(t.TempDir(), "h.db"), zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := b.Run(ctx); err != nil {
		t.Fatalf("first Run = %v", err)
	}
	if err := b.Run(ctx); err != ErrBoltRunning {
		t.Errorf("second Run = %v, want ErrBoltRunning", err)
	}
}

func TestBoltOpenErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct{ name, path string }{
		{"directory", dir},
		{"missing parent", filepath.Join(dir, "no", "such", "h.db")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if b, err := OpenBolt(tt.path, zerolog.Nop()); err == nil {
				b.Close()
				t.Error("OpenBolt succeeded")
			}
		})
	}
}

func BenchmarkBoltSave(b *testing.B) {
	db, err := OpenBolt(filepath.Join(b.TempDir(), "h.db"), zerolog.Nop())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = db.Run(ctx); close(done) }()
	data := []byte(`{"text":"hello"}`)
	now := time.Now()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		db.Save("room:1", uint64(i), now, data, 100)
	}
	cancel()
	<-done
}
