package permissions

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestWriteTableGolden(t *testing.T) {
	off := SetSpec{Pattern: "legacy-room", Active: false, Permissions: []string{"anonymous_clients", "client_public_messaging"},
		History: 1000, Origin: "xano-export.json channels[4] (id 5)"}
	tab := mustCompile(t,
		SetSpec{Pattern: "public-chat", Active: true, History: 50, Origin: "phxserver.yaml:65",
			Permissions: []string{"anonymous_clients", "client_public_messaging", "presence"}},
		SetSpec{Pattern: "chatroom/*", Active: true, Origin: "phxserver.yaml:70",
			Permissions: []string{"anonymous_clients", "authenticated_only_public_messaging", "presence"},
			Triggers:    []TriggerSpec{{Event: "message", Function: "rate_limit_5_per_minute"}, {Event: "message", Function: "moderate"}}},
		SetSpec{Pattern: "team/{team_id}/workspace/*", Active: true, Origin: "phxserver.yaml:75",
			Permissions: []string{"authenticated_only_public_messaging", "authenticated_only_private_messaging", "presence"},
			Triggers:    []TriggerSpec{{Event: "join", Function: "team_member"}}},
		SetSpec{Pattern: "support/session/*", Active: true, Origin: "phxserver.yaml:79",
			Permissions: []string{"authenticated_only_public_messaging"},
			Roles: map[string][]string{
				"supervisor": {"presence"},
				"agent":      {"authenticated_only_public_messaging", "authenticated_only_private_messaging", "presence"},
			}},
		SetSpec{Pattern: "silent", Active: true, Description: "tab\tin description is not printed"},
		off,
	)
	var got bytes.Buffer
	if err := WriteTable(&got, tab); err != nil {
		t.Fatal(err)
	}
	const golden = "testdata/table.golden"
	if *update {
		if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("WriteTable output differs from %s (run with -update to accept):\n--- got\n%s--- want\n%s", golden, got.Bytes(), want)
	}
}

type failingWriter struct{}

var errWrite = errors.New("disk full")

func (failingWriter) Write([]byte) (int, error) { return 0, errWrite }

func TestWriteTableError(t *testing.T) {
	err := WriteTable(failingWriter{}, mustCompile(t, set("a")))
	if !errors.Is(err, errWrite) {
		t.Fatalf("err = %v, want the writer's error", err)
	}
}

func TestWriteTableNilTable(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteTable(&buf, nil); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); got != "PATTERN  ACTIVE  PERMISSIONS  HISTORY  TRIGGERS  ORIGIN\n" {
		t.Errorf("got %q", got)
	}
}
