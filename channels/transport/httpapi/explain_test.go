package httpapi

import (
	"slices"
	"strings"
	"testing"

	"github.com/phxserver/phxserver/channels/permissions"
)

func TestExplainScenarios(t *testing.T) {
	srv := newAPI(t, Options{Node: newTestNode(t)})
	anon := "anonymous=true"
	tok := func(s string) string { return "token=" + s }
	tests := []struct {
		name       string
		query      string
		who        string
		allowed    bool
		reason     string
		setPattern string // "" = null
		perms      []string
	}{
		// Scenario 1: anonymous chat.
		{"s1 anonymous joins", "channel=public-chat&action=join", anon, true, "", "public-chat", []string{"anonymous_clients", "presence", "client_public_messaging"}},
		{"s1 anonymous sends", "channel=public-chat&action=send", anon, true, "", "public-chat", nil},
		{"s1 anonymous cannot send authenticated", "channel=public-chat&action=send&audience=authenticated", anon, false, permissions.ReasonAuthenticatedNotAllowed, "public-chat", nil},
		// Scenario 2: authenticated chat with moderation.
		{"s2 anonymous reads", "channel=moderated-chat/general&action=receive", anon, true, "", "moderated-chat/*", nil},
		{"s2 anonymous cannot post", "channel=moderated-chat/general&action=send", anon, false, permissions.ReasonAnonymousSend, "moderated-chat/*", nil},
		{"s2 authenticated posts", "channel=moderated-chat/general&action=send", tok("alice"), true, "", "moderated-chat/*", nil},
		// Scenario 3: notifications, receive only.
		{"s3 anonymous receives", "channel=notifications/user-123&action=receive", anon, true, "", "notifications/*", nil},
		{"s3 nobody sends", "channel=notifications/user-123&action=send", tok("alice"), false, permissions.ReasonPublicNotAllowed, "notifications/*", nil},
		{"s3 anonymous misses authenticated audience", "channel=notifications/user-123&action=receive&audience=authenticated", anon, false, "anonymous members do not receive authenticated messages", "notifications/*", nil},
		// Scenario 4: team collaboration.
		{"s4 anonymous cannot join", "channel=team/7/workspace/3&action=join", anon, false, permissions.ReasonAnonymousJoin, "team/*/workspace/*", []string{}},
		{"s4 anonymous cannot send either", "channel=team/7/workspace/3&action=send", anon, false, permissions.ReasonAnonymousJoin, "team/*/workspace/*", []string{}},
		{"s4 private to authenticated", "channel=team/7/workspace/3&action=send&audience=private&target=authenticated", tok("alice"), true, "", "team/*/workspace/*", nil},
		{"s4 private to anonymous", "channel=team/7/workspace/3&action=send&audience=private", tok("alice"), false, permissions.ReasonPrivateTargetAnonymous, "team/*/workspace/*", nil},
		// Scenario 5: support with a role override.
		{"s5 customer sends public", "channel=support/session/9&action=send", tok("alice"), true, "", "support/session/*", []string{"authenticated_only_public_messaging", "authenticated_only_private_messaging"}},
		{"s5 moderator role override", "channel=support/session/9&action=send&audience=private&target=authenticated", tok("moderator"), false, permissions.ReasonPrivateNotAllowed, "support/session/*", []string{"authenticated_only_public_messaging", "client_authenticated_messaging"}},
		{"s5 moderator authenticated audience", "channel=support/session/9&action=send&audience=authenticated", tok("moderator"), true, "", "support/session/*", nil},
		// Token scope and unmatched channels.
		{"authorized_channels allow", "channel=room:1&action=join", tok("scoped"), true, "", "room:*", nil},
		{"authorized_channels deny", "channel=room:2&action=join", tok("scoped"), false, permissions.ReasonNotAuthorizedByToken, "room:*", nil},
		{"unmatched topic", "channel=nowhere&action=join", anon, false, permissions.ReasonUnmatchedTopic, "", []string{}},
		{"invalid channel", "channel=a//b&action=join", anon, false, permissions.ReasonInvalidChannelName, "", []string{}},
		{"private receive", "channel=room:1&action=receive&audience=private", anon, false, "private messages reach only their target", "room:*", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := tt.query + "&" + tt.who
			res := call(t, srv, "GET", "/api/explain?"+q, testKey, "")
			if res.status != 200 {
				t.Fatalf("status %d: %s", res.status, res.raw)
			}
			if res.body["allowed"] != tt.allowed || res.body["reason"] != tt.reason {
				t.Errorf("allowed=%v reason=%q, want %v %q (explain: %v)", res.body["allowed"], res.body["reason"], tt.allowed, tt.reason, res.body["explain"])
			}
			if e, _ := res.body["explain"].(string); e == "" {
				t.Error("explain is empty")
			}
			set, _ := res.body["set"].(map[string]any)
			switch {
			case tt.setPattern == "" && res.body["set"] != nil:
				t.Errorf("set = %v, want null", res.body["set"])
			case tt.setPattern != "" && (set["pattern"] != tt.setPattern || set["origin"] == ""):
				t.Errorf("set = %v, want pattern %q", set, tt.setPattern)
			}
			if tt.perms != nil {
				var got []string
				for _, p := range res.body["permissions"].([]any) {
					got = append(got, p.(string))
				}
				if !slices.Equal(got, tt.perms) && !(len(got) == 0 && len(tt.perms) == 0) {
					t.Errorf("permissions = %v, want %v", got, tt.perms)
				}
			}
			id, _ := res.body["identity"].(map[string]any)
			if wantAuth := strings.HasPrefix(tt.who, "token="); id["authenticated"] != wantAuth {
				t.Errorf("identity = %v", id)
			}
		})
	}
}

func TestExplainIdentity(t *testing.T) {
	srv := newAPI(t, Options{Node: newTestNode(t)})
	res := call(t, srv, "GET", "/api/explain?channel=room:1&action=join&token=bob", testKey, "")
	id, _ := res.body["identity"].(map[string]any)
	if id["user_id"] != "bob" || id["role"] != "admin" || id["authenticated"] != true {
		t.Errorf("identity = %v", id)
	}
}

func TestExplainErrors(t *testing.T) {
	srv := newAPI(t, Options{Node: newTestNode(t)})
	noAuth := serveAPI(t, Options{Node: newTestNode(t), Keys: []string{testKey}})
	tests := []struct {
		name, query string
		wantStatus  int
		wantError   string
	}{
		{"invalid token", "channel=room:1&action=join&token=forged", 400, "token: token signature is invalid"},
		{"no subject", "channel=room:1&action=join", 400, "exactly one of token"},
		{"both subjects", "channel=room:1&action=join&anonymous=true&token=alice", 400, "exactly one of token"},
		{"no channel", "action=join&anonymous=true", 400, "channel is required"},
		{"no action", "channel=room:1&anonymous=true", 400, "action is required"},
		{"bad action", "channel=room:1&action=leave&anonymous=true", 400, "action must be"},
		{"bad audience", "channel=room:1&action=send&audience=everyone&anonymous=true", 400, "audience must be"},
		{"bad target", "channel=room:1&action=send&target=admin&anonymous=true", 400, "target must be"},
		{"bad anonymous", "channel=room:1&action=join&anonymous=yes", 400, "anonymous must be"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := call(t, srv, "GET", "/api/explain?"+tt.query, testKey, "")
			if res.status != tt.wantStatus || !strings.Contains(res.raw, tt.wantError) {
				t.Errorf("%d %s, want %d %q", res.status, res.raw, tt.wantStatus, tt.wantError)
			}
		})
	}
	t.Run("no authenticator", func(t *testing.T) {
		res := call(t, noAuth, "GET", "/api/explain?channel=room:1&action=join&token=x", testKey, "")
		if res.status != 501 {
			t.Errorf("%d %s", res.status, res.raw)
		}
		if res := call(t, noAuth, "GET", "/api/explain?channel=room:1&action=join&anonymous=true", testKey, ""); res.status != 200 {
			t.Errorf("anonymous without authenticator: %d %s", res.status, res.raw)
		}
	})
}
