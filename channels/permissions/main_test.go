package permissions

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// mustCompile compiles specs or fails the test.
func mustCompile(t testing.TB, specs ...SetSpec) *Table {
	t.Helper()
	tab, err := Compile(specs)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return tab
}

// set is a shorthand for an active spec.
func set(pattern string, perms ...string) SetSpec {
	return SetSpec{Pattern: pattern, Active: true, Permissions: perms, Origin: "test.yaml:" + pattern}
}

var (
	anonymous     = Subject{}
	authenticated = Subject{Authenticated: true}
	agent         = Subject{Authenticated: true, Role: "agent"}
)
