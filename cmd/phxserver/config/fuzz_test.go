package config

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds arbitrary bytes to the whole pipeline: it must never panic, and it must
// return either a config with a compiled table or an error wrapping ErrInvalid. Run it with a
// short -fuzzminimizetime: minimizing the large seeds otherwise stalls the run.
func FuzzParse(f *testing.F) {
	f.Add(defaultYAML)
	if data, err := os.ReadFile(filepath.Join("testdata", "full", "phxserver.yaml")); err == nil {
		f.Add(data)
	}
	f.Add([]byte("channels:\n  - pattern: \"a/{x}/*\"\n    triggers: [{event: join, function: f}]\nfunctions:\n  f: {type: claim_match, segment: x, claim: y}\n"))
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("server: ${X:-{}}\n$$: 1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := parse(data, "fuzz.yaml", t.TempDir(), noEnv)
		if err != nil {
			if !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrRead) {
				t.Fatalf("error wraps neither ErrInvalid nor ErrRead: %v", err)
			}
			return
		}
		if cfg.Table() == nil {
			t.Fatal("valid config without a table")
		}
	})
}
