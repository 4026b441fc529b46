package permissions

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestImportXano(t *testing.T) {
	data, err := os.ReadFile("testdata/xano-export.json")
	if err != nil {
		t.Fatal(err)
	}
	specs, canonicals, err := ImportXano(data, "xano-export.json")
	if err != nil {
		t.Fatalf("ImportXano: %v", err)
	}
	if diff := cmp.Diff([]string{"Abc123-xYz_9"}, canonicals); diff != "" {
		t.Errorf("canonicals (-want +got):\n%s", diff)
	}
	want := []SetSpec{
		{Pattern: "public-chat", Description: "Anonymous chat with presence", Active: true,
			Permissions: []string{"anonymous_clients", "presence", "client_public_messaging"}, History: 50,
			Origin: "xano-export.json channels[0] (id 1)"},
		{Pattern: "chatroom/*", Description: "Moderated rooms", Active: true,
			Permissions: []string{"anonymous_clients", "presence", "authenticated_only_public_messaging"}, History: 25,
			Origin: "xano-export.json channels[1] (id 2)"},
		{Pattern: "notifications/*", Active: true, Permissions: []string{"anonymous_clients"},
			Origin: "xano-export.json channels[2] (id 3)"},
		{Pattern: "team/*", Description: "Team chat with DMs", Active: true,
			Permissions: []string{"presence", "authenticated_only_public_messaging", "client_authenticated_messaging", "authenticated_only_private_messaging"},
			History:     100, Origin: "xano-export.json channels[3] (id 4)"},
		{Pattern: "legacy-room", Description: "Switched off", Active: false,
			Permissions: []string{"anonymous_clients", "client_public_messaging", "client_private_messaging"}, History: 1000,
			Origin: "xano-export.json channels[4] (id 5)"},
	}
	if diff := cmp.Diff(want, specs); diff != "" {
		t.Errorf("specs (-want +got):\n%s", diff)
	}

	// The imported specs compile and behave: nested channel, inactive row ignored.
	tab := mustCompile(t, specs...)
	if m, ok := tab.Match("chatroom/a/b"); !ok || m.Set.Pattern != "chatroom/*" {
		t.Errorf("chatroom/a/b matched %v %v", m.Set, ok)
	}
	if _, _, d := tab.Join(anonymous, "legacy-room"); d.Reason != ReasonUnmatchedTopic {
		t.Errorf("disabled row joined: %+v", d)
	}
	if _, perms, d := tab.Join(authenticated, "team/x"); !d.Allowed || !perms.Has(AuthenticatedOnlyPrivateMessaging) {
		t.Errorf("team/x: %+v perms %v", d, perms)
	}
}

func TestImportXanoVariants(t *testing.T) {
	cases := []struct {
		name        string
		json        string
		wantPattern []string
		wantActive  []bool
		wantHistory []int
		canonicals  []string
	}{
		{"workspace disabled deactivates all", `{"enabled":false,"hash":"h","channels":[{"pattern":"a","enabled":true}]}`,
			[]string{"a"}, []bool{false}, []int{0}, []string{"h"}},
		{"enabled absent counts as true", `{"channels":[{"pattern":"a"}]}`, []string{"a"}, []bool{true}, []int{0}, nil},
		{"row enabled null counts as false", `{"channels":[{"pattern":"a","enabled":null}]}`, []string{"a"}, []bool{false}, []int{0}, nil},
		{"wildcard on colon prefix", `{"channels":[{"pattern":"room:","wildcard":true}]}`, []string{"room:*"}, []bool{true}, []int{0}, nil},
		{"wildcard keeps trailing star", `{"channels":[{"pattern":"room:*","wildcard":true}]}`, []string{"room:*"}, []bool{true}, []int{0}, nil},
		{"history as float and null", `{"channels":[{"pattern":"a","history":25.0},{"pattern":"b","history":null}]}`,
			[]string{"a", "b"}, []bool{true, true}, []int{25, 0}, nil},
		{"unknown keys tolerated", `{"id":9,"extra":{"x":1},"channels":[{"id":"abc","pattern":"a","new_flag":true}]}`,
			[]string{"a"}, []bool{true}, []int{0}, nil},
		{"empty channels", `{"hash":"h","channels":[]}`, []string{}, []bool{}, []int{}, []string{"h"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			specs, canonicals, err := ImportXano([]byte(tc.json), "x.json")
			if err != nil {
				t.Fatal(err)
			}
			patterns, active, history := []string{}, []bool{}, []int{}
			for _, s := range specs {
				patterns, active, history = append(patterns, s.Pattern), append(active, s.Active), append(history, s.History)
			}
			if diff := cmp.Diff(tc.wantPattern, patterns); diff != "" {
				t.Errorf("patterns (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantActive, active); diff != "" {
				t.Errorf("active (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantHistory, history); diff != "" {
				t.Errorf("history (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.canonicals, canonicals); diff != "" {
				t.Errorf("canonicals (-want +got):\n%s", diff)
			}
		})
	}
}

func TestImportXanoErrors(t *testing.T) {
	cases := []struct{ name, json, substr string }{
		{"not JSON", `hello`, "not a JSON object"},
		{"empty", ``, "not a JSON object"},
		{"array", `[{"pattern":"a"}]`, "not a JSON object"},
		{"truncated", `{"channels":[{"pattern":"a"}`, "x.json"},
		{"no channels", `{"enabled":true}`, `no "channels"`},
		{"channels not array", `{"channels":{}}`, "x.json"},
		{"channel without pattern", `{"channels":[{"pattern":"a"},{"id":2,"enabled":true}]}`, "channels[1]: no pattern"},
		{"empty pattern", `{"channels":[{"pattern":""}]}`, "channels[0]: no pattern"},
		{"pattern not a string", `{"channels":[{"pattern":5}]}`, "channels[0]"},
		{"flag not a bool", `{"channels":[{"pattern":"a","presence":"yes"}]}`, "channels[0]"},
		{"negative history", `{"channels":[{"pattern":"a","history":-1}]}`, "history"},
		{"fractional history", `{"channels":[{"pattern":"a","history":2.5}]}`, "history"},
		{"huge history", `{"channels":[{"pattern":"a","history":1e30}]}`, "history"},
		{"hash with slash", `{"hash":"../x","channels":[]}`, "hash"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			specs, canonicals, err := ImportXano([]byte(tc.json), "x.json")
			if !errors.Is(err, ErrXanoImport) || specs != nil || canonicals != nil {
				t.Fatalf("ImportXano = %v, %v, %v; want ErrXanoImport", specs, canonicals, err)
			}
			if !strings.Contains(err.Error(), tc.substr) || !strings.Contains(err.Error(), "x.json") {
				t.Errorf("err %q does not mention %q and the origin", err, tc.substr)
			}
		})
	}
}

func TestImportXanoPartialWildcardFailsCompileWithOrigin(t *testing.T) {
	specs, _, err := ImportXano([]byte(`{"channels":[{"id":7,"pattern":"chatroom*","wildcard":true}]}`), "x.json")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Compile(specs)
	if !errors.Is(err, ErrInvalidPattern) || !strings.Contains(err.Error(), "x.json channels[0] (id 7)") {
		t.Fatalf("Compile err = %v", err)
	}
}

func FuzzImportXano(f *testing.F) {
	if data, err := os.ReadFile("testdata/xano-export.json"); err == nil {
		f.Add(data)
	}
	f.Add([]byte(`{"channels":[{"pattern":"a","wildcard":true,"history":1}]}`))
	f.Add([]byte(`{"channels":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		specs, _, err := ImportXano(data, "fuzz")
		if err != nil {
			return
		}
		if tab, err := Compile(specs); err == nil {
			tab.Join(anonymous, "a/b")
		}
	})
}
