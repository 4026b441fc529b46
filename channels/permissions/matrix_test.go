package permissions

import (
	"fmt"
	"strings"
	"testing"
)

// TestMatrix asserts every cell of permission set × subject × action against an expectation
// table written by hand from channels-and-permissions.md §3 (not computed by the code).
//
// Each expectation is eight cells, in this order (y = allowed, - = refused):
//
//	J   join
//	SP  send public
//	SA  send to the authenticated audience
//	PA  send private to an anonymous member (needs an anonymous member: the target must be able to join)
//	PU  send private to an authenticated member
//	RP  receive public
//	RA  receive the authenticated audience
//	RR  receive presence
//
// Sending and receiving need membership, so a subject that cannot join has "-" everywhere.
func TestMatrix(t *testing.T) {
	type row struct{ anon, auth, agent string }
	cases := []struct {
		name    string
		spec    SetSpec
		channel string
		want    row
	}{
		// The seven permissions alone.                                       J SP SA PA PU RP RA RR
		{"anonymous_clients alone", set("only/anon", "anonymous_clients"), "only/anon",
			row{anon: "y - - - - y - -", auth: "y - - - - y y -", agent: "y - - - - y y -"}},
		{"presence alone", set("only/presence", "presence"), "only/presence",
			row{anon: "- - - - - - - -", auth: "y - - - - y y y", agent: "y - - - - y y y"}},
		{"client_public_messaging alone", set("only/cpm", "client_public_messaging"), "only/cpm",
			row{anon: "- - - - - - - -", auth: "y y - - - y y -", agent: "y y - - - y y -"}},
		{"authenticated_only_public_messaging alone", set("only/aopm", "authenticated_only_public_messaging"), "only/aopm",
			row{anon: "- - - - - - - -", auth: "y y - - - y y -", agent: "y y - - - y y -"}},
		{"client_authenticated_messaging alone", set("only/cam", "client_authenticated_messaging"), "only/cam",
			row{anon: "- - - - - - - -", auth: "y - y - - y y -", agent: "y - y - - y y -"}},
		{"client_private_messaging alone", set("only/cprm", "client_private_messaging"), "only/cprm",
			row{anon: "- - - - - - - -", auth: "y - - - y y y -", agent: "y - - - y y y -"}},
		{"authenticated_only_private_messaging alone", set("only/aoprm", "authenticated_only_private_messaging"), "only/aoprm",
			row{anon: "- - - - - - - -", auth: "y - - - y y y -", agent: "y - - - y y y -"}},

		// Combinations with anonymous members, so that anonymous senders and targets are exercised.
		{"anonymous + client_private_messaging", set("combo/cprm", "anonymous_clients", "client_private_messaging"), "combo/cprm",
			row{anon: "y - - y y y - -", auth: "y - - y y y y -", agent: "y - - y y y y -"}},
		{"anonymous + authenticated_only_private_messaging", set("combo/aoprm", "anonymous_clients", "authenticated_only_private_messaging"), "combo/aoprm",
			row{anon: "y - - - - y - -", auth: "y - - - y y y -", agent: "y - - - y y y -"}},
		{"anonymous + client_authenticated_messaging", set("combo/cam", "anonymous_clients", "client_authenticated_messaging"), "combo/cam",
			row{anon: "y - - - - y - -", auth: "y - y - - y y -", agent: "y - y - - y y -"}},

		// The seed document's five scenarios.
		{"seed 1 anonymous chat", set("public-chat", "anonymous_clients", "client_public_messaging", "presence"), "public-chat",
			row{anon: "y y - - - y - y", auth: "y y - - - y y y", agent: "y y - - - y y y"}},
		{"seed 2 moderated chat", set("moderated-chat/*", "anonymous_clients", "authenticated_only_public_messaging", "presence"), "moderated-chat/lobby",
			row{anon: "y - - - - y - y", auth: "y y - - - y y y", agent: "y y - - - y y y"}},
		{"seed 3 notifications", set("notifications/*", "anonymous_clients", "presence"), "notifications/user-123",
			row{anon: "y - - - - y - y", auth: "y - - - - y y y", agent: "y - - - - y y y"}},
		{"seed 4 team collaboration", set("team/{team_id}/workspace/*", "authenticated_only_public_messaging", "authenticated_only_private_messaging", "presence"), "team/42/workspace/main",
			row{anon: "- - - - - - - -", auth: "y y - - y y y y", agent: "y y - - y y y y"}},
		{"seed 5 customer support", SetSpec{Pattern: "support/session/*", Active: true,
			Permissions: []string{"authenticated_only_public_messaging"},
			Roles:       map[string][]string{"agent": {"authenticated_only_public_messaging", "authenticated_only_private_messaging", "presence"}}},
			"support/session/981",
			row{anon: "- - - - - - - -", auth: "y y - - - y y -", agent: "y y - - y y y y"}},
	}
	subjects := []struct {
		name string
		sub  Subject
		want func(row) string
	}{
		{"anonymous", anonymous, func(r row) string { return r.anon }},
		{"authenticated", authenticated, func(r row) string { return r.auth }},
		{"agent", agent, func(r row) string { return r.agent }},
	}
	actions := []string{"join", "send-public", "send-authenticated", "send-private-to-anonymous",
		"send-private-to-authenticated", "receive-public", "receive-authenticated", "receive-presence"}

	for _, tc := range cases {
		tab := mustCompile(t, tc.spec)
		for _, s := range subjects {
			want := strings.Fields(s.want(tc.want))
			if len(want) != len(actions) {
				t.Fatalf("%s/%s: expectation has %d cells, want %d", tc.name, s.name, len(want), len(actions))
			}
			got := matrixRow(tab, tc.channel, s.sub)
			for i, action := range actions {
				t.Run(fmt.Sprintf("%s/%s/%s", tc.name, s.name, action), func(t *testing.T) {
					if got[i].allowed != (want[i] == "y") {
						t.Errorf("allowed = %v, want %q (reason %q, explain %q)", got[i].allowed, want[i], got[i].reason, got[i].explain)
					}
					if !got[i].allowed && got[i].reason == "" && i < 5 {
						t.Errorf("refused without a reason")
					}
				})
			}
		}
	}
}

type cell struct {
	allowed         bool
	reason, explain string
}

// matrixRow performs the eight actions the way the core composes the API.
func matrixRow(tab *Table, channel string, sub Subject) []cell {
	_, perms, join := tab.Join(sub, channel)
	cells := []cell{{join.Allowed, join.Reason, join.Explain}}
	member := func(d Decision) cell {
		if !join.Allowed {
			return cell{false, join.Reason, "not a member: " + join.Explain}
		}
		return cell{d.Allowed, d.Reason, d.Explain}
	}
	cells = append(cells,
		member(Send(perms, sub, AudiencePublic, nil)),
		member(Send(perms, sub, AudienceAuthenticated, nil)))
	for _, target := range []Subject{anonymous, authenticated} {
		if _, _, tj := tab.Join(target, channel); !tj.Allowed {
			cells = append(cells, cell{false, "target not in channel", "target cannot join: " + tj.Explain})
			continue
		}
		cells = append(cells, member(Send(perms, sub, AudiencePrivate, &target)))
	}
	receive := func(ok bool) cell { return cell{allowed: join.Allowed && ok} }
	cells = append(cells,
		receive(Receives(perms, sub, AudiencePublic)),
		receive(Receives(perms, sub, AudienceAuthenticated)),
		receive(ReceivesPresence(perms)))
	return cells
}
