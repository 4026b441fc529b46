package triggers

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phxserver/phxserver/channels"
)

func readAuditLines(t *testing.T, path string) []auditRecord {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []auditRecord
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var rec auditRecord
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("line %q is not JSON: %v", sc.Text(), err)
		}
		out = append(out, rec)
	}
	return out
}

func TestAuditLogRecordsEvents(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	r, err := New(map[string]FunctionSpec{"audit": {Type: TypeAuditLog, Path: path}}, nopLogger())
	if err != nil {
		t.Fatal(err)
	}
	set := setWith("*", "audit")
	in := message(set, `{"body":"hi"}`)
	if v := r.Run(context.Background(), in); !v.Allow {
		t.Fatalf("audit_log denied: %+v", v)
	}
	join := in
	join.Event, join.Payload, join.MessageEvent = channels.TriggerJoin, nil, ""
	r.Run(context.Background(), join)
	if err := r.Close(); err != nil { // flushes
		t.Fatal(err)
	}
	got := readAuditLines(t, path)
	if len(got) != 2 {
		t.Fatalf("%d lines, want 2: %+v", len(got), got)
	}
	tests := []struct {
		name string
		rec  auditRecord
		want auditRecord
	}{
		{"message", got[0], auditRecord{Event: "message", Channel: "room/1", ClientID: "c1", UserID: "u1", MessageEvent: "shout", Allowed: true, PayloadBytes: 13}},
		{"join", got[1], auditRecord{Event: "join", Channel: "room/1", ClientID: "c1", UserID: "u1", Allowed: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.rec.Time.IsZero() {
				t.Fatal("no time")
			}
			tc.rec.Time = tc.want.Time
			if tc.rec != tc.want {
				t.Fatalf("record = %+v, want %+v", tc.rec, tc.want)
			}
		})
	}
}

func TestAuditLogRotation(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.jsonl")
	const maxSize = 600
	r, err := New(map[string]FunctionSpec{"audit": {Type: TypeAuditLog, Path: path, MaxSize: maxSize}}, nopLogger())
	if err != nil {
		t.Fatal(err)
	}
	in := message(setWith("message", "audit"), `{}`)
	const events = 60 // ~150 bytes each: far more than four files hold
	for range events {
		r.Run(context.Background(), in)
	}
	_ = r.Close()
	names, _ := filepath.Glob(path + "*")
	want := []string{path, path + ".1", path + ".2", path + ".3"}
	if strings.Join(names, ",") != strings.Join(want, ",") {
		t.Fatalf("files = %v, want %v", names, want)
	}
	for _, name := range names {
		st, err := os.Stat(name)
		if err != nil {
			t.Fatal(err)
		}
		if st.Size() > maxSize || st.Size() == 0 {
			t.Fatalf("%s has %d bytes, want 1..%d", name, st.Size(), maxSize)
		}
		readAuditLines(t, name) // whole JSON lines only
	}
	if d := r.Stats().AuditDropped.Load(); d != 0 {
		t.Fatalf("dropped %d lines", d)
	}
}

func TestAuditLogNeverBlocks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	dropped := new(atomicCounter)
	w, err := openAuditWriter(path, 0, &dropped.Int64, nopLogger())
	if err != nil {
		t.Fatal(err)
	}
	w.close()
	w.append([]byte("{}\n")) // after close: dropped, not blocked
	if dropped.Load() != 1 {
		t.Fatalf("dropped = %d, want 1", dropped.Load())
	}
	// A full queue drops too: fill it without a reader.
	w2 := &auditWriter{queue: make(chan []byte, 1), done: make(chan struct{}), dropped: &dropped.Int64}
	w2.append([]byte("a\n"))
	w2.append([]byte("b\n"))
	if dropped.Load() != 2 {
		t.Fatalf("dropped = %d, want 2", dropped.Load())
	}
}
