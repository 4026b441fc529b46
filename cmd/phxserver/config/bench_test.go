package config

import (
	"os"
	"path/filepath"
	"testing"
)

func BenchmarkParseFullExample(b *testing.B) {
	dir := filepath.Join("testdata", "full")
	data, err := os.ReadFile(filepath.Join(dir, "phxserver.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parse(data, "phxserver.yaml", dir, noEnv); err != nil {
			b.Fatal(err)
		}
	}
}
