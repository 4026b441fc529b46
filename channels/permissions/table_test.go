package permissions

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTableMatchSpecificity(t *testing.T) {
	inactive := set("chatroom/vip/gold", "anonymous_clients")
	inactive.Active = false
	tab := mustCompile(t,
		set("chatroom/*", "presence"),                    // 0
		set("chatroom/vip/*", "client_public_messaging"), // 1
		set("chatroom/{id}", "anonymous_clients"),        // 2
		inactive,                                     // 3: most specific for chatroom/vip/gold, but inactive
		set("*", "presence"),                         // 4: catch-all
		set("lobby/{a}/x", "presence"),               // 5
		set("lobby/*", "presence"),                   // 6
		set("{zone}/x/y", "client_public_messaging"), // 7
	)
	cases := []struct {
		name, channel, wantPattern string
		wantCaps                   map[string]string
	}{
		{"trailing star and capture tie: file order", "chatroom/a", "chatroom/*", nil},
		{"deeper only trailing star", "chatroom/a/b", "chatroom/*", nil},
		{"more literals wins", "chatroom/vip/a", "chatroom/vip/*", nil},
		{"more literals wins at depth", "chatroom/vip/a/b", "chatroom/vip/*", nil},
		{"inactive most specific skipped", "chatroom/vip/gold", "chatroom/vip/*", nil},
		{"catch-all when nothing else", "other", "*", nil},
		{"literal-first beats earlier wildcard-first", "lobby/1/x", "lobby/{a}/x", map[string]string{"a": "1"}},
		{"wildcard-first with more literals wins", "lobby/x/y", "{zone}/x/y", map[string]string{"zone": "lobby"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, ok := tab.Match(tc.channel)
			if !ok {
				t.Fatalf("Match(%q) found nothing", tc.channel)
			}
			if m.Set.Pattern != tc.wantPattern {
				t.Errorf("Match(%q) = %q, want %q", tc.channel, m.Set.Pattern, tc.wantPattern)
			}
			if diff := cmp.Diff(tc.wantCaps, m.Captures); diff != "" {
				t.Errorf("captures (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTableMatchFileOrderTieBreak(t *testing.T) {
	for _, tc := range []struct {
		name  string
		specs []SetSpec
		want  string
	}{
		{"capture first", []SetSpec{set("chatroom/{id}"), set("chatroom/*")}, "chatroom/{id}"},
		{"star first", []SetSpec{set("chatroom/*"), set("chatroom/{id}")}, "chatroom/*"},
		{"equivalent wildcard-first patterns are duplicates", []SetSpec{set("{a}/x"), set("*/x")}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tab, err := Compile(tc.specs)
			if tc.want == "" {
				if !errors.Is(err, ErrDuplicatePattern) {
					t.Fatalf("err = %v, want ErrDuplicatePattern for equivalent patterns", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			m, ok := tab.Match("chatroom/a")
			if !ok || m.Set.Pattern != tc.want {
				t.Fatalf("Match = %+v %v, want %q", m.Set, ok, tc.want)
			}
		})
	}
}

func TestTableMatchNothing(t *testing.T) {
	inactive := set("off/*", "anonymous_clients")
	inactive.Active = false
	tab := mustCompile(t, set("chatroom/*"), inactive)
	for _, ch := range []string{"chatroom", "off/a", "other/a", "", "chatroom//a", "chatroom/a\n"} {
		t.Run(ch, func(t *testing.T) {
			if m, ok := tab.Match(ch); ok {
				t.Errorf("Match(%q) = %q, want none", ch, m.Set.Pattern)
			}
		})
	}
	var nilTable *Table
	if _, ok := nilTable.Match("a"); ok {
		t.Error("nil table matched")
	}
	empty := mustCompile(t)
	if _, _, d := empty.Join(authenticated, "a"); d.Reason != ReasonUnmatchedTopic || len(empty.Sets()) != 0 {
		t.Errorf("empty table: %+v", d)
	}
}

func TestCompileErrors(t *testing.T) {
	withOrigin := func(s SetSpec, origin string) SetSpec { s.Origin = origin; return s }
	cases := []struct {
		name   string
		specs  []SetSpec
		kind   error
		substr []string
	}{
		{"duplicate pattern", []SetSpec{withOrigin(set("chatroom/*"), "a.yaml:3"), withOrigin(set("chatroom/*"), "a.yaml:9")},
			ErrDuplicatePattern, []string{"a.yaml:9", `"chatroom/*"`, "a.yaml:3", "duplicate"}},
		{"equivalent capture names", []SetSpec{set("a/{x}"), withOrigin(set("a/{y}"), "c.yaml:2")},
			ErrDuplicatePattern, []string{"c.yaml:2", "same channels"}},
		{"unknown permission", []SetSpec{withOrigin(set("chat", "presense"), "d.yaml:4")},
			ErrUnknownPermission, []string{"d.yaml:4", `"chat"`, `"presense"`}},
		{"unknown role permission", []SetSpec{{Pattern: "s/*", Origin: "e.yaml:1", Roles: map[string][]string{"agent": {"admin"}}}},
			ErrUnknownPermission, []string{"e.yaml:1", `role "agent"`, `"admin"`}},
		{"bad pattern", []SetSpec{withOrigin(set("chat*"), "f.yaml:7")},
			ErrInvalidPattern, []string{"f.yaml:7", `"chat*"`, "invalid pattern"}},
		{"empty pattern", []SetSpec{withOrigin(set(""), "g.yaml:1")}, ErrInvalidPattern, []string{"g.yaml:1"}},
		{"negative history", []SetSpec{{Pattern: "h", History: -1, Origin: "h.yaml:1"}}, ErrInvalidSet, []string{"history -1"}},
		{"empty role name", []SetSpec{{Pattern: "r", Roles: map[string][]string{"": nil}}}, ErrInvalidSet, []string{"empty role"}},
		{"bad trigger event", []SetSpec{{Pattern: "t", Triggers: []TriggerSpec{{Event: "publish", Function: "f"}}}}, ErrInvalidSet, []string{`"publish"`}},
		{"trigger without function", []SetSpec{{Pattern: "t", Triggers: []TriggerSpec{{Event: "join"}}}}, ErrInvalidSet, []string{"no function"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tab, err := Compile(tc.specs)
			if tab != nil || !errors.Is(err, tc.kind) {
				t.Fatalf("Compile = %v, %v; want nil, %v", tab, err, tc.kind)
			}
			var se *SetError
			if !errors.As(err, &se) {
				t.Fatalf("err %T is not *SetError", err)
			}
			for _, s := range tc.substr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("err %q does not mention %q", err, s)
				}
			}
		})
	}
}

func TestCompileKeepsSpecFields(t *testing.T) {
	spec := SetSpec{Pattern: "support/session/*", Description: "support", Active: true, History: 25, Origin: "x.yaml:1",
		Permissions: []string{"client_public_messaging_authenticated_only", "presence", "presence"},
		Roles:       map[string][]string{"agent": {"client_private_messaging_authenticated_only"}, "banned": {}},
		Triggers:    []TriggerSpec{{Event: "message", Function: "rate"}, {Event: "*", Function: "audit"}}}
	tab := mustCompile(t, spec, set("other"))
	sets := tab.Sets()
	if len(sets) != 2 || sets[0].Pattern != "support/session/*" || sets[1].Pattern != "other" {
		t.Fatalf("Sets() not in file order: %v", sets)
	}
	s := sets[0]
	want := Set{Pattern: spec.Pattern, Description: "support", Origin: "x.yaml:1", Active: true,
		Perms:   AuthenticatedOnlyPublicMessaging | Presence,
		Roles:   map[string]Perm{"agent": AuthenticatedOnlyPrivateMessaging, "banned": 0},
		History: 25, Triggers: spec.Triggers}
	if diff := cmp.Diff(want, *s, cmp.AllowUnexported(Set{}, Pattern{}, patternSegment{}),
		cmp.FilterPath(func(p cmp.Path) bool {
			n := p.Last().String()
			return n == ".pattern" || n == ".index"
		}, cmp.Ignore())); diff != "" {
		t.Errorf("set (-want +got):\n%s", diff)
	}
	spec.Triggers[0].Function = "changed"
	if s.Triggers[0].Function != "rate" {
		t.Error("Set shares the caller's trigger slice")
	}
}

func TestPermsFor(t *testing.T) {
	tab := mustCompile(t, SetSpec{Pattern: "support/session/*", Active: true,
		Permissions: []string{"authenticated_only_public_messaging"},
		Roles: map[string][]string{
			"agent":  {"authenticated_only_public_messaging", "authenticated_only_private_messaging", "presence"},
			"banned": {},
		}})
	s := tab.Sets()[0]
	cases := []struct {
		name string
		sub  Subject
		want Perm
	}{
		{"anonymous gets set perms", anonymous, AuthenticatedOnlyPublicMessaging},
		{"anonymous with role ignored", Subject{Role: "agent"}, AuthenticatedOnlyPublicMessaging},
		{"authenticated without role", authenticated, AuthenticatedOnlyPublicMessaging},
		{"authenticated unknown role", Subject{Authenticated: true, Role: "customer"}, AuthenticatedOnlyPublicMessaging},
		{"role override", agent, AuthenticatedOnlyPublicMessaging | AuthenticatedOnlyPrivateMessaging | Presence},
		{"role is case sensitive", Subject{Authenticated: true, Role: "Agent"}, AuthenticatedOnlyPublicMessaging},
		{"empty role override grants nothing", Subject{Authenticated: true, Role: "banned"}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := s.PermsFor(tc.sub); got != tc.want {
				t.Errorf("PermsFor = %v, want %v", got, tc.want)
			}
		})
	}
	var nilSet *Set
	if nilSet.PermsFor(agent) != 0 {
		t.Error("nil set grants permissions")
	}
}

// An inactive set is ignored as if absent, so it may repeat an active set's pattern (Xano
// exports keep disabled copies of rows).
func TestInactiveDuplicateIsIgnored(t *testing.T) {
	for _, specs := range [][]SetSpec{
		{set("x"), {Pattern: "x", Origin: "b.yaml:1"}},
		{{Pattern: "x", Origin: "b.yaml:1"}, set("x")},
	} {
		table, err := Compile(specs)
		if err != nil {
			t.Fatalf("Compile: %v", err)
		}
		m, ok := table.Match("x")
		if !ok || !m.Set.Active {
			t.Fatalf("Match(x) = %+v, %v; want the active set", m.Set, ok)
		}
	}
	if _, err := Compile([]SetSpec{set("x"), set("x")}); !errors.Is(err, ErrDuplicatePattern) {
		t.Fatalf("two active sets: err = %v", err)
	}
}
