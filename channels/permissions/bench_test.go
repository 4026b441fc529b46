package permissions

import (
	"fmt"
	"testing"
)

// fiftySets is a realistic table: literal-first families, nested wildcards, captures and a
// few wildcard-first patterns.
func fiftySets(tb testing.TB) *Table {
	specs := make([]SetSpec, 0, 50)
	for i := 0; i < 40; i++ {
		specs = append(specs, set(fmt.Sprintf("app%d/*", i), "anonymous_clients", "client_public_messaging"))
	}
	specs = append(specs,
		set("chatroom/*", "anonymous_clients", "authenticated_only_public_messaging", "presence"),
		set("chatroom/vip/*", "authenticated_only_public_messaging"),
		set("chatroom/{id}/thread/*", "authenticated_only_public_messaging"),
		set("team/{team_id}/workspace/*", "authenticated_only_public_messaging", "presence"),
		set("support/session/*", "authenticated_only_public_messaging"),
		set("notifications/*", "anonymous_clients", "presence"),
		set("public-chat", "anonymous_clients", "client_public_messaging", "presence"),
		set("{tenant}/feed", "anonymous_clients"),
		set("*/status/*", "anonymous_clients"),
		set("room:*", "anonymous_clients", "client_public_messaging"),
	)
	return mustCompile(tb, specs...)
}

func TestMatchDoesNotAllocateWithoutCaptures(t *testing.T) {
	tab := fiftySets(t)
	for _, ch := range []string{"chatroom/lobby", "chatroom/vip/gold", "public-chat", "room:42", "app39/x/y", "nothing/here"} {
		t.Run(ch, func(t *testing.T) {
			if n := testing.AllocsPerRun(100, func() { tab.Match(ch) }); n != 0 {
				t.Errorf("Match(%q) allocates %v times", ch, n)
			}
		})
	}
	t.Run("Send", func(t *testing.T) {
		target := authenticated
		if n := testing.AllocsPerRun(100, func() { Send(AllPerms, authenticated, AudiencePrivate, &target) }); n != 0 {
			t.Errorf("Send allocates %v times", n)
		}
	})
}

func BenchmarkMatch(b *testing.B) {
	tab := fiftySets(b)
	for _, ch := range []string{"chatroom/lobby", "chatroom/vip/gold", "team/42/workspace/main", "app17/a/b", "nothing/here"} {
		b.Run(ch, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, ok := tab.Match(ch); !ok && ch != "nothing/here" {
					b.Fatal("no match")
				}
			}
		})
	}
}

func BenchmarkJoinDecision(b *testing.B) {
	tab := fiftySets(b)
	restricted := Subject{Authenticated: true, AuthorizedChannels: []string{"team/42/*", "chatroom/*"}}
	for _, bc := range []struct {
		name    string
		sub     Subject
		channel string
	}{
		{"anonymous allowed", anonymous, "chatroom/lobby"},
		{"anonymous refused", anonymous, "chatroom/vip/gold"},
		{"authorized_channels", restricted, "team/42/workspace/main"},
		{"unmatched", authenticated, "nothing/here"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				tab.Join(bc.sub, bc.channel)
			}
		})
	}
}

func BenchmarkSend(b *testing.B) {
	b.ReportAllocs()
	target := authenticated
	for b.Loop() {
		Send(AuthenticatedOnlyPrivateMessaging|Presence, authenticated, AudiencePrivate, &target)
	}
}
