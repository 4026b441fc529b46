// Package archtest keeps the dependency direction of ARCHITECTURE.md true: pure packages
// import only the standard library, the core imports no adapter, and only the composition
// root imports adapters.
package archtest

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/phxserver/phxserver"

// deps returns each package of the module with its transitive dependencies.
func deps(t *testing.T) map[string][]string {
	t.Helper()
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Deps " "}}`, module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	m := make(map[string][]string)
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		m[f[0]] = f[1:]
	}
	return m
}

func isStd(p string) bool { return !strings.Contains(strings.SplitN(p, "/", 2)[0], ".") }

func TestPurePackagesImportOnlyTheStandardLibrary(t *testing.T) {
	all := deps(t)
	pure := map[string][]string{ // package -> module packages it may use
		"internal/jsonenc":     nil,
		"protocol":             {"internal/jsonenc"},
		"protocol/xano":        {"internal/jsonenc"},
		"channels/pubsub":      nil,
		"channels/permissions": nil,
		"presence":             {"channels/pubsub", "internal/jsonenc"},
	}
	for pkg, allowed := range pure {
		for _, d := range all[module+"/"+pkg] {
			if isStd(d) {
				continue
			}
			ok := false
			for _, a := range allowed {
				ok = ok || d == module+"/"+a
			}
			if !ok {
				t.Errorf("%s must import only the standard library (and %v), but depends on %s", pkg, allowed, d)
			}
		}
	}
}

func TestCoreImportsNoAdapter(t *testing.T) {
	all := deps(t)
	adapters := []string{"channels/transport/", "auth", "channels/triggers", "channels/webhooks", "metrics", "web", "cmd/", "channels/pubsub/redispubsub"}
	for _, core := range []string{"channels", "protocol", "presence", "channels/permissions", "channels/pubsub"} {
		for _, d := range all[module+"/"+core] {
			for _, a := range adapters {
				if d == module+"/"+a || strings.HasPrefix(d, module+"/"+a) && strings.HasSuffix(a, "/") {
					t.Errorf("core package %s imports adapter %s", core, d)
				}
			}
		}
	}
}

// sharedAdapterHelpers are the adapter-to-adapter edges that share a helper rather than couple
// behaviour: the other transports reuse the WebSocket connection and malformed-frame handling,
// and webhook triggers sign requests with the outgoing webhooks' signature scheme.
var sharedAdapterHelpers = map[string]bool{
	"channels/transport/xano -> channels/transport/ws":     true,
	"channels/transport/longpoll -> channels/transport/ws": true,
	"channels/triggers -> channels/webhooks":               true,
}

func TestOnlyTheCompositionRootImportsAdapters(t *testing.T) {
	all := deps(t)
	adapters := []string{"channels/transport/ws", "channels/transport/longpoll", "channels/transport/xano", "channels/transport/httpapi", "channels/triggers", "channels/webhooks", "web", "metrics"}
	for pkg, ds := range all {
		rel := strings.TrimPrefix(pkg, module+"/")
		if strings.HasPrefix(rel, "cmd/") || rel == "internal/archtest" {
			continue
		}
		for _, d := range ds {
			for _, a := range adapters {
				if d != module+"/"+a || strings.HasPrefix(rel, a) {
					continue
				}
				if sharedAdapterHelpers[rel+" -> "+a] {
					continue
				}
				t.Errorf("%s imports adapter %s; only cmd/phxserver may", rel, a)
			}
		}
	}
}
