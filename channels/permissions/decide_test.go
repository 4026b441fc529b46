package permissions

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestJoin(t *testing.T) {
	tab := mustCompile(t,
		SetSpec{Pattern: "chatroom/*", Active: true, Origin: "phxserver.yaml:12",
			Permissions: []string{"authenticated_only_public_messaging", "presence"}},
		set("public-chat", "anonymous_clients", "client_public_messaging"),
		set("team/{team_id}/workspace/*", "authenticated_only_public_messaging"),
		SetSpec{Pattern: "support/session/*", Active: true, Permissions: []string{"anonymous_clients"},
			Roles: map[string][]string{"agent": {"presence"}}},
	)
	withChannels := func(sub Subject, patterns ...string) Subject {
		sub.AuthorizedChannels = patterns
		return sub
	}
	cases := []struct {
		name      string
		sub       Subject
		channel   string
		allowed   bool
		reason    string
		perms     Perm
		setPat    string
		captures  map[string]string
		inExplain []string
	}{
		{"invalid name", authenticated, "chatroom//a", false, ReasonInvalidChannelName, 0, "", nil, []string{"empty segment"}},
		{"too long", authenticated, "chatroom/" + strings.Repeat("x", 250), false, ReasonInvalidChannelName, 0, "", nil, []string{"255"}},
		{"control character", authenticated, "chatroom/a\x1b", false, ReasonInvalidChannelName, 0, "", nil, []string{"control"}},
		{"unmatched", authenticated, "nowhere", false, "unmatched topic", 0, "", nil, []string{`"nowhere"`}},
		{"bare prefix unmatched", authenticated, "chatroom", false, "unmatched topic", 0, "", nil, nil},
		{"anonymous refused", anonymous, "chatroom/a", false, ReasonAnonymousJoin, 0, "chatroom/*", nil,
			[]string{`set "chatroom/*" (phxserver.yaml:12)`, "anonymous_clients", "anonymous"}},
		{"anonymous allowed", anonymous, "public-chat", true, "", AnonymousClients | ClientPublicMessaging, "public-chat", nil, nil},
		{"authenticated joins without anonymous_clients", authenticated, "chatroom/a", true, "",
			AuthenticatedOnlyPublicMessaging | Presence, "chatroom/*", nil, []string{`set "chatroom/*" (phxserver.yaml:12)`, "authenticated"}},
		{"captures returned", authenticated, "team/42/workspace/x", true, "", AuthenticatedOnlyPublicMessaging,
			"team/{team_id}/workspace/*", map[string]string{"team_id": "42"}, nil},
		{"role applied", agent, "support/session/1", true, "", Presence, "support/session/*", nil, []string{`role "agent"`}},
		{"authorized by exact channel", withChannels(authenticated, "chatroom/a"), "chatroom/a", true, "",
			AuthenticatedOnlyPublicMessaging | Presence, "chatroom/*", nil, nil},
		{"authorized by pattern", withChannels(authenticated, "nope", "team/{t}/workspace/*"), "team/42/workspace/x", true, "",
			AuthenticatedOnlyPublicMessaging, "team/{team_id}/workspace/*", map[string]string{"team_id": "42"}, nil},
		{"not authorized", withChannels(authenticated, "team/7/*"), "team/42/workspace/x", false, ReasonNotAuthorizedByToken, 0,
			"team/{team_id}/workspace/*", map[string]string{"team_id": "42"}, []string{"authorized_channels", "team/7/*"}},
		{"empty authorized list authorizes nothing", Subject{Authenticated: true, AuthorizedChannels: []string{}}, "chatroom/a", false, ReasonNotAuthorizedByToken, 0, "chatroom/*", nil, nil},
		{"invalid authorized pattern matches nothing", withChannels(authenticated, "chat*"), "chatroom/a", false, ReasonNotAuthorizedByToken, 0, "chatroom/*", nil, nil},
		{"authorized_channels cannot grant an unmatched topic", withChannels(authenticated, "*"), "nowhere", false, "unmatched topic", 0, "", nil, nil},
		{"authorized_channels does not bypass anonymous_clients", withChannels(anonymous, "*"), "chatroom/a", false, ReasonAnonymousJoin, 0, "chatroom/*", nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, perms, d := tab.Join(tc.sub, tc.channel)
			if d.Allowed != tc.allowed || d.Reason != tc.reason {
				t.Fatalf("Join = allowed %v reason %q, want %v %q (explain %q)", d.Allowed, d.Reason, tc.allowed, tc.reason, d.Explain)
			}
			if perms != tc.perms {
				t.Errorf("perms = %v, want %v", perms, tc.perms)
			}
			gotPat := ""
			if d.Set != nil {
				gotPat = d.Set.Pattern
			}
			if gotPat != tc.setPat || m.Set != d.Set {
				t.Errorf("decision set = %q (match set %v), want %q", gotPat, m.Set, tc.setPat)
			}
			if diff := cmp.Diff(tc.captures, m.Captures); diff != "" {
				t.Errorf("captures (-want +got):\n%s", diff)
			}
			if d.Explain == "" {
				t.Error("empty Explain")
			}
			for _, s := range tc.inExplain {
				if !strings.Contains(d.Explain, s) {
					t.Errorf("Explain %q does not mention %q", d.Explain, s)
				}
			}
		})
	}
}

func TestSendReasons(t *testing.T) {
	anonP := func(p Perm) Perm { return p | AnonymousClients }
	cases := []struct {
		name   string
		perms  Perm
		sub    Subject
		aud    Audience
		target *Subject
		reason string // "" = allowed
	}{
		{"public allowed for anonymous", anonP(ClientPublicMessaging), anonymous, AudiencePublic, nil, ""},
		{"public refused to anonymous under authenticated-only", anonP(AuthenticatedOnlyPublicMessaging), anonymous, AudiencePublic, nil, ReasonAnonymousSend},
		{"public not in channel", anonP(Presence), anonymous, AudiencePublic, nil, ReasonPublicNotAllowed},
		{"public not in channel authenticated", ClientAuthenticatedMessaging, authenticated, AudiencePublic, nil, ReasonPublicNotAllowed},
		{"authenticated audience allowed", ClientAuthenticatedMessaging, authenticated, AudienceAuthenticated, nil, ""},
		{"authenticated audience not in channel", AuthenticatedOnlyPublicMessaging, authenticated, AudienceAuthenticated, nil, ReasonAuthenticatedNotAllowed},
		{"authenticated audience refused to anonymous", anonP(ClientAuthenticatedMessaging | ClientPublicMessaging), anonymous, AudienceAuthenticated, nil, ReasonAnonymousAuthenticated},
		{"private not in channel", anonP(ClientPublicMessaging), authenticated, AudiencePrivate, &authenticated, ReasonPrivateNotAllowed},
		{"private any to anonymous", anonP(ClientPrivateMessaging), anonymous, AudiencePrivate, &anonymous, ""},
		{"private any wins over authenticated-only", anonP(ClientPrivateMessaging | AuthenticatedOnlyPrivateMessaging), anonymous, AudiencePrivate, &anonymous, ""},
		{"private refused to anonymous sender", anonP(AuthenticatedOnlyPrivateMessaging), anonymous, AudiencePrivate, &authenticated, ReasonAnonymousPrivate},
		{"private refused to anonymous target", anonP(AuthenticatedOnlyPrivateMessaging), authenticated, AudiencePrivate, &anonymous, ReasonPrivateTargetAnonymous},
		{"private nil target fails closed", AuthenticatedOnlyPrivateMessaging, authenticated, AudiencePrivate, nil, ReasonPrivateTargetAnonymous},
		{"private authenticated pair", AuthenticatedOnlyPrivateMessaging, authenticated, AudiencePrivate, &agent, ""},
		{"anonymous non-member refused", ClientPublicMessaging, anonymous, AudiencePublic, nil, ReasonAnonymousSend},
		{"unknown audience", AllPerms, authenticated, Audience(9), nil, ReasonUnknownAudience},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := Send(tc.perms, tc.sub, tc.aud, tc.target)
			if d.Allowed != (tc.reason == "") || d.Reason != tc.reason {
				t.Errorf("Send = allowed %v reason %q, want reason %q", d.Allowed, d.Reason, tc.reason)
			}
			if d.Explain == "" || d.Set != nil {
				t.Errorf("Explain %q, Set %v", d.Explain, d.Set)
			}
		})
	}
}

func TestReasonsAreDistinct(t *testing.T) {
	reasons := []string{ReasonInvalidChannelName, ReasonUnmatchedTopic, ReasonAnonymousJoin, ReasonNotAuthorizedByToken,
		ReasonAnonymousSend, ReasonPublicNotAllowed, ReasonAuthenticatedNotAllowed, ReasonAnonymousAuthenticated,
		ReasonPrivateNotAllowed, ReasonAnonymousPrivate, ReasonPrivateTargetAnonymous, ReasonUnknownAudience}
	seen := map[string]bool{}
	for _, r := range reasons {
		if r == "" || seen[r] {
			t.Errorf("reason %q is empty or repeated", r)
		}
		seen[r] = true
	}
	if ReasonUnmatchedTopic != "unmatched topic" {
		t.Errorf("unmatched topic reason changed: %q", ReasonUnmatchedTopic)
	}
}

func TestDefaultAudience(t *testing.T) {
	cases := []struct {
		name  string
		perms Perm
		sub   Subject
		want  Audience
	}{
		{"authenticated messaging only, authenticated", ClientAuthenticatedMessaging, authenticated, AudienceAuthenticated},
		{"plus presence and private still authenticated", ClientAuthenticatedMessaging | Presence | ClientPrivateMessaging, agent, AudienceAuthenticated},
		{"authenticated messaging only, anonymous", ClientAuthenticatedMessaging | AnonymousClients, anonymous, AudiencePublic},
		{"with client_public_messaging", ClientAuthenticatedMessaging | ClientPublicMessaging, authenticated, AudiencePublic},
		{"with authenticated_only_public_messaging", ClientAuthenticatedMessaging | AuthenticatedOnlyPublicMessaging, authenticated, AudiencePublic},
		{"no authenticated messaging", ClientPublicMessaging, authenticated, AudiencePublic},
		{"nothing", 0, authenticated, AudiencePublic},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := DefaultAudience(tc.perms, tc.sub); got != tc.want {
				t.Errorf("DefaultAudience = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestReceives(t *testing.T) {
	cases := []struct {
		name  string
		perms Perm
		sub   Subject
		aud   Audience
		want  bool
	}{
		{"anonymous public", AnonymousClients, anonymous, AudiencePublic, true},
		{"anonymous authenticated audience", AnonymousClients | ClientAuthenticatedMessaging, anonymous, AudienceAuthenticated, false},
		{"anonymous non-member", Presence, anonymous, AudiencePublic, false},
		{"authenticated public", 0, authenticated, AudiencePublic, true},
		{"authenticated audience without the permission", 0, authenticated, AudienceAuthenticated, true},
		{"private not addressed to it", AllPerms, authenticated, AudiencePrivate, false},
		{"unknown audience", AllPerms, authenticated, Audience(7), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Receives(tc.perms, tc.sub, tc.aud); got != tc.want {
				t.Errorf("Receives = %v, want %v", got, tc.want)
			}
		})
	}
	if ReceivesPresence(AllPerms&^Presence) || !ReceivesPresence(Presence) {
		t.Error("ReceivesPresence does not follow the presence permission")
	}
}
