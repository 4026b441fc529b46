package config

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// envMap is a lookupFunc over a fixed map, so tests do not depend on the process environment.
func envMap(m map[string]string) lookupFunc {
	return func(name string) (string, bool) {
		v, ok := m[name]
		return v, ok
	}
}

// noEnv is a lookupFunc for which every variable is unset.
func noEnv(string) (string, bool) { return "", false }
