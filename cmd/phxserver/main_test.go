package main

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestCommands(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("server:\n  listen: \"127.0.0.1:1\"\nchannels:\n  - pattern: \"a:*\"\n    permisions: [presence]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{"version", []string{"version"}, 0, "phxserver ", ""},
		{"check the embedded default", []string{"check"}, 0, "room:*", ""},
		{"check names file, line and key", []string{"check", "--config", bad}, 1, "", "bad.yaml:5: channels[0].permisions"},
		{"check a missing file", []string{"check", "--config", filepath.Join(dir, "nope.yaml")}, 1, "", "nope.yaml"},
		{"bad log format", []string{"--log-format", "xml"}, 2, "", "--log-format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := run(tt.args, &out, &errOut); code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr %s", code, tt.wantCode, errOut.String())
			}
			if !strings.Contains(out.String(), tt.wantStdout) {
				t.Errorf("stdout %q lacks %q", out.String(), tt.wantStdout)
			}
			if !strings.Contains(errOut.String(), tt.wantStderr) {
				t.Errorf("stderr %q lacks %q", errOut.String(), tt.wantStderr)
			}
		})
	}
}

func TestChannelsPerSocket(t *testing.T) {
	for in, want := range map[int]int{0: math.MaxInt32, 1: 1, 100: 100} {
		if got := channelsPerSocket(in); got != want {
			t.Errorf("channelsPerSocket(%d) = %d, want %d", in, got, want)
		}
	}
}
