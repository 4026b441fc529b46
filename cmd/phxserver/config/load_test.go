package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/phxserver/phxserver/channels/permissions"
)

func ptr[T any](v T) *T { return &v }

// lineOfText returns the 1-based line of the first line of file containing s.
func lineOfText(t *testing.T, file, s string) int {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(string(data), "\n") {
		if strings.Contains(line, s) {
			return i + 1
		}
	}
	t.Fatalf("%q not in %s", s, file)
	return 0
}

// TestLoadFullExample loads the complete example of config.md (testdata/full/phxserver.yaml,
// copied verbatim) with the Xano export it references.
func TestLoadFullExample(t *testing.T) {
	t.Setenv("PHX_JWT_SECRET", "jwt-secret")
	t.Setenv("PHX_API_KEY", "api-key")
	t.Setenv("HOOK_SECRET", "hook-secret")
	t.Setenv("WEBHOOK_SECRET", "webhook-secret")
	path := filepath.Join("testdata", "full", "phxserver.yaml")
	dir := filepath.Join("testdata", "full")

	cfg, err := Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := &Config{
		Server: Server{
			Listen: "127.0.0.1:4000", SocketPath: "/socket", CheckOrigin: []string{},
			TLS:           TLS{Listen: ":443"},
			Xano:          Xano{Canonicals: []string{"Dl3HlakmBZDhezv6yml7hliTM20"}},
			ShutdownGrace: 10 * time.Second,
		},
		Auth: Auth{InvalidToken: "reject", JWT: JWT{
			Algorithms: []string{"HS256"}, Secret: "jwt-secret", Leeway: 30 * time.Second,
			Claims: Claims{UserID: "sub", Role: "role", Channels: "authorized_channels", TokenType: "token_type",
				Presence: []string{"name"}, XanoDboID: "dbo_id", XanoRowID: "sub"},
		}},
		API:    API{Keys: []string{"api-key"}},
		Limits: Limits{MaxChannelsPerSocket: 100, MaxFrameBytes: 1048576, SocketQueueBytes: 1048576},
		Engine: Engine{Type: "memory", Redis: Redis{URL: "redis://127.0.0.1:6379/0"}, PresenceWindow: 30 * time.Millisecond},
		Channels: []Channel{
			{Pattern: "public-chat", Description: "Anonymous chat with presence", Active: ptr(true),
				Permissions: []string{"anonymous_clients", "client_public_messaging", "presence"}, History: 50},
			{Pattern: "chatroom/*", Permissions: []string{"anonymous_clients", "authenticated_only_public_messaging", "presence"},
				Triggers: []Trigger{{"message", "rate_limit_5_per_minute"}, {"message", "moderate"}}},
			{Pattern: "team/{team_id}/workspace/*",
				Permissions: []string{"authenticated_only_public_messaging", "authenticated_only_private_messaging", "presence"},
				Triggers:    []Trigger{{"join", "team_member"}}},
			{Pattern: "support/session/*", Permissions: []string{"authenticated_only_public_messaging"},
				Roles: map[string][]string{"agent": {"authenticated_only_public_messaging", "authenticated_only_private_messaging", "presence"}}},
			{Source: filepath.Join(dir, "xano-export.json")},
		},
		Functions: map[string]Function{
			"rate_limit_5_per_minute": {Type: "rate_limit", Limit: 5, Per: time.Minute, Key: "user"},
			"team_member":             {Type: "claim_match", Segment: "team_id", Claim: "team_ids"},
			"no_links":                {Type: "content_filter", Deny: []string{"https?://"}, MaxBytes: 4096},
			"audit":                   {Type: "audit_log", Path: filepath.Join(dir, "audit.jsonl")},
			"moderate": {Type: "webhook", URL: "http://127.0.0.1:5678/moderate", Timeout: 2 * time.Second,
				OnError: "deny", Secret: "hook-secret"},
		},
		Webhooks: []Webhook{{URL: "http://127.0.0.1:5678/events", Channels: []string{"notifications/*"},
			Events: []string{"message", "join", "leave"}, Secret: "webhook-secret"}},
		Source: path,
	}
	if diff := cmp.Diff(want, cfg, cmpopts.IgnoreUnexported(Config{})); diff != "" {
		t.Errorf("config mismatch (-want +got):\n%s", diff)
	}

	origin := func(pattern string) string {
		return fmt.Sprintf("%s:%d", path, lineOfText(t, path, `pattern: "`+pattern+`"`))
	}
	wantSpecs := []struct{ pattern, origin string }{
		{"public-chat", origin("public-chat")},
		{"chatroom/*", origin("chatroom/*")},
		{"team/{team_id}/workspace/*", origin("team/{team_id}/workspace/*")},
		{"support/session/*", origin("support/session/*")},
		{"marvel-chat-room", "xano-export.json channels[0] (id 1)"},
		{"orders/*", "xano-export.json channels[1] (id 2)"},
		{"legacy/*", "xano-export.json channels[2] (id 3)"},
	}
	specs := cfg.ChannelSpecs()
	if len(specs) != len(wantSpecs) {
		t.Fatalf("ChannelSpecs: %d sets, want %d: %+v", len(specs), len(wantSpecs), specs)
	}
	for i, w := range wantSpecs {
		if specs[i].Pattern != w.pattern || specs[i].Origin != w.origin {
			t.Errorf("spec %d = %q at %q, want %q at %q", i, specs[i].Pattern, specs[i].Origin, w.pattern, w.origin)
		}
	}
	if specs[6].Active {
		t.Error("the disabled Xano row imported as active")
	}
	if got := specs[1].Triggers; len(got) != 2 || got[1] != (permissions.TriggerSpec{Event: "message", Function: "moderate"}) {
		t.Errorf("chatroom triggers = %+v", got)
	}

	table := cfg.Table()
	if table == nil {
		t.Fatal("Table() is nil")
	}
	matches := []struct {
		channel string
		pattern string // "" = no match
	}{
		{"public-chat", "public-chat"},
		{"chatroom/a/b", "chatroom/*"},
		{"team/42/workspace/docs", "team/{team_id}/workspace/*"},
		{"orders/17", "orders/*"},
		{"marvel-chat-room", "marvel-chat-room"},
		{"legacy/x", ""},
		{"elsewhere", ""},
	}
	for _, m := range matches {
		got, ok := table.Match(m.channel)
		switch {
		case m.pattern == "" && ok:
			t.Errorf("Match(%q) = %q, want no match", m.channel, got.Set.Pattern)
		case m.pattern != "" && (!ok || got.Set.Pattern != m.pattern):
			t.Errorf("Match(%q) = %v, want %q", m.channel, got.Set, m.pattern)
		}
	}
}

func TestChannelSpecsReturnsACopy(t *testing.T) {
	cfg, err := parse([]byte("channels:\n  - pattern: a\n    permissions: [presence]\n"), "t.yaml", "", noEnv)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ChannelSpecs()[0].Pattern = "changed"
	if got := cfg.ChannelSpecs()[0].Pattern; got != "a" {
		t.Errorf("ChannelSpecs shares its slice: pattern now %q", got)
	}
}

func TestDefaultsApplied(t *testing.T) {
	tests := []struct {
		name  string
		yaml  string
		check func(t *testing.T, c *Config)
	}{
		{name: "empty file", yaml: "", check: func(t *testing.T, c *Config) {
			want := defaultConfig()
			want.Source = "t.yaml"
			if diff := cmp.Diff(want, c, cmpopts.IgnoreUnexported(Config{})); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		}},
		{name: "comments only", yaml: "# nothing\n", check: func(t *testing.T, c *Config) {
			if c.Server.Listen != DefaultListen || c.Limits.MaxFrameBytes != DefaultMaxFrameBytes {
				t.Errorf("defaults not applied: %+v", c)
			}
		}},
		{name: "documented values", yaml: "server: {}\n", check: func(t *testing.T, c *Config) {
			got := []any{c.Server.Listen, c.Server.SocketPath, c.Server.ShutdownGrace, c.Auth.InvalidToken,
				c.Auth.JWT.Algorithms, c.Auth.JWT.Leeway, c.Limits, c.Engine, c.Server.TLS.Enabled()}
			want := []any{"127.0.0.1:4000", "/socket", 10 * time.Second, "reject", []string{"HS256"}, 30 * time.Second,
				Limits{MaxConnections: 0, MaxChannelsPerSocket: 100, MaxFrameBytes: 1048576, SocketQueueBytes: 1048576},
				Engine{Type: "memory", Redis: Redis{URL: "redis://127.0.0.1:6379/0"}, PresenceWindow: 30 * time.Millisecond}, false}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		}},
		{name: "omitted claims keep defaults", yaml: "auth:\n  jwt:\n    claims:\n      user_id: uid\n", check: func(t *testing.T, c *Config) {
			want := Claims{UserID: "uid", Role: "role", Channels: "authorized_channels", TokenType: "token_type",
				Presence: []string{"name"}, XanoDboID: "dbo_id", XanoRowID: "sub"}
			if diff := cmp.Diff(want, c.Auth.JWT.Claims); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		}},
		{name: "explicit empty presence list", yaml: "auth:\n  jwt:\n    claims:\n      presence: []\n", check: func(t *testing.T, c *Config) {
			if len(c.Auth.JWT.Claims.Presence) != 0 {
				t.Errorf("presence = %v, want empty", c.Auth.JWT.Claims.Presence)
			}
		}},
		{name: "null keeps default", yaml: "server:\n  listen:\n  shutdown_grace: ~\n", check: func(t *testing.T, c *Config) {
			if c.Server.Listen != DefaultListen || c.Server.ShutdownGrace != DefaultShutdownGrace {
				t.Errorf("server = %+v", c.Server)
			}
		}},
		{name: "explicit zero overrides default", yaml: "limits:\n  max_channels_per_socket: 0\nauth:\n  jwt:\n    leeway: 0s\n", check: func(t *testing.T, c *Config) {
			if c.Limits.MaxChannelsPerSocket != 0 || c.Auth.JWT.Leeway != 0 {
				t.Errorf("limits = %+v, leeway = %v", c.Limits, c.Auth.JWT.Leeway)
			}
		}},
		{name: "channel active defaults to true", yaml: "channels:\n  - pattern: a\n  - pattern: b\n    active: false\n", check: func(t *testing.T, c *Config) {
			if !c.Channels[0].IsActive() || c.Channels[1].IsActive() {
				t.Errorf("active = %v, %v", c.Channels[0].IsActive(), c.Channels[1].IsActive())
			}
			specs := c.ChannelSpecs()
			if !specs[0].Active || specs[1].Active {
				t.Errorf("spec active = %v, %v", specs[0].Active, specs[1].Active)
			}
		}},
		{name: "function defaults", yaml: "functions:\n  rl: {type: rate_limit, limit: 1, per: 1s}\n  hook: {type: webhook, url: \"https://x.test/h\"}\n", check: func(t *testing.T, c *Config) {
			if c.Functions["rl"].Key != "user" {
				t.Errorf("rate_limit key = %q, want user", c.Functions["rl"].Key)
			}
			if h := c.Functions["hook"]; h.Timeout != 2*time.Second || h.OnError != "deny" {
				t.Errorf("webhook = %+v", h)
			}
		}},
		{name: "webhook events default to all", yaml: "webhooks:\n  - url: \"http://x.test\"\n    channels: [\"*\"]\n", check: func(t *testing.T, c *Config) {
			if got := strings.Join(c.Webhooks[0].Events, ","); got != "message,join,leave,presence" {
				t.Errorf("events = %q", got)
			}
		}},
		{name: "tls off leaves its listen empty", yaml: "", check: func(t *testing.T, c *Config) {
			if c.Server.TLS.Listen != "" {
				t.Errorf("tls.listen = %q while TLS is off", c.Server.TLS.Listen)
			}
		}},
		{name: "empty api keys dropped", yaml: "api:\n  keys: [\"\", \"k\", \"\"]\n", check: func(t *testing.T, c *Config) {
			if strings.Join(c.API.Keys, ",") != "k" {
				t.Errorf("keys = %q", c.API.Keys)
			}
		}},
		{name: "canonicals deduplicated", yaml: "server:\n  xano:\n    canonicals: [a, b, a]\n", check: func(t *testing.T, c *Config) {
			if strings.Join(c.Server.Xano.Canonicals, ",") != "a,b" {
				t.Errorf("canonicals = %q", c.Server.Xano.Canonicals)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parse([]byte(tt.yaml), "t.yaml", "", noEnv)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			tt.check(t, cfg)
		})
	}
}

func TestDefault(t *testing.T) {
	t.Setenv("PHX_JWT_SECRET", "")
	t.Setenv("PHX_API_KEY", "")
	cfg, err := Default()
	if err != nil {
		t.Fatalf("Default: %v", err)
	}
	if cfg.Source != DefaultSource || !cfg.Server.Demo || cfg.Server.Listen != "127.0.0.1:4000" {
		t.Errorf("server = %+v, source %q", cfg.Server, cfg.Source)
	}
	if cfg.Auth.JWT.Secret != "phxserver-demo-secret-change-me" {
		t.Errorf("secret = %q, want the documented demo fallback", cfg.Auth.JWT.Secret)
	}
	if cfg.API.Keys != nil {
		t.Errorf("api keys = %q, want none (API disabled)", cfg.API.Keys)
	}
	if strings.Join(cfg.Server.Xano.Canonicals, ",") != "phxserver-demo" {
		t.Errorf("canonicals = %q", cfg.Server.Xano.Canonicals)
	}
	var patterns []string
	for _, s := range cfg.ChannelSpecs() {
		patterns = append(patterns, s.Pattern)
		if !strings.HasPrefix(s.Origin, DefaultSource+":") {
			t.Errorf("origin %q", s.Origin)
		}
	}
	wantPatterns := []string{"public-chat", "room:*", "chatroom/*", "notifications/*", "team/{team_id}/workspace/*", "support/session/*"}
	if diff := cmp.Diff(wantPatterns, patterns); diff != "" {
		t.Errorf("patterns (-want +got):\n%s", diff)
	}
	// A plain phoenix client can join room:lobby anonymously; support sessions need a token.
	anon := permissions.Subject{}
	if _, _, d := cfg.Table().Join(anon, "room:lobby"); !d.Allowed {
		t.Errorf("anonymous join room:lobby refused: %+v", d)
	}
	if _, _, d := cfg.Table().Join(anon, "support/session/1"); d.Allowed {
		t.Error("anonymous join support/session/1 allowed")
	}
	if _, ok := cfg.Table().Match("phxserver:dashboard"); ok {
		t.Error("phxserver:dashboard must not be a config channel")
	}

	t.Run("environment overrides", func(t *testing.T) {
		t.Setenv("PHX_JWT_SECRET", "real-secret")
		t.Setenv("PHX_API_KEY", "real-key")
		cfg, err := Default()
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Auth.JWT.Secret != "real-secret" || strings.Join(cfg.API.Keys, ",") != "real-key" {
			t.Errorf("secret %q keys %q", cfg.Auth.JWT.Secret, cfg.API.Keys)
		}
	})
}

func TestXanoSourceMerges(t *testing.T) {
	dir := t.TempDir()
	export := `{"enabled": true, "hash": "HASH_1", "channels": [
		{"pattern": "xano-room", "wildcard": true, "anonymous_clients": true, "presence": true, "history": 25},
		{"pattern": "feed", "client_public_messaging_authenticated_only": true}]}`
	if err := os.MkdirAll(filepath.Join(dir, "exports"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "exports", "ws.json"), []byte(export), 0o600); err != nil {
		t.Fatal(err)
	}
	src := "server:\n  xano:\n    canonicals: [mine, HASH_1]\nchannels:\n" +
		"  - pattern: first\n    permissions: [presence]\n" +
		"  - source: exports/ws.json\n" +
		"  - pattern: last\n    permissions: [presence]\n"
	cfg, err := parse([]byte(src), "c.yaml", dir, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cfg.Server.Xano.Canonicals, ","); got != "mine,HASH_1" {
		t.Errorf("canonicals = %q, want mine,HASH_1 (deduplicated)", got)
	}
	var got []string
	for _, s := range cfg.ChannelSpecs() {
		got = append(got, fmt.Sprintf("%s@%s", s.Pattern, s.Origin))
	}
	want := []string{"first@c.yaml:5", "xano-room/*@exports/ws.json channels[0]", "feed@exports/ws.json channels[1]", "last@c.yaml:8"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("specs (-want +got):\n%s", diff)
	}
	if m, ok := cfg.Table().Match("xano-room/a"); !ok || m.Set.History != 25 {
		t.Errorf("xano-room/a: %+v %v", m, ok)
	}
	if cfg.Channels[1].Source != filepath.Join(dir, "exports", "ws.json") {
		t.Errorf("source not resolved: %q", cfg.Channels[1].Source)
	}
}

func TestRelativePathResolution(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"cert.pem", "key.pem", "jwt.pub"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	abs := filepath.Join(dir, "abs-audit.jsonl")
	src := "server:\n  tls:\n    cert_file: cert.pem\n    key_file: ./key.pem\n" +
		"auth:\n  jwt:\n    algorithms: [RS256]\n    public_key_file: jwt.pub\n" +
		"engine:\n  history_path: data/history.db\n" +
		"functions:\n  audit: {type: audit_log, path: logs/audit.jsonl}\n  audit2: {type: audit_log, path: \"" + abs + "\"}\n"
	path := filepath.Join(dir, "phx.yaml")
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	got := []string{cfg.Server.TLS.CertFile, cfg.Server.TLS.KeyFile, cfg.Auth.JWT.PublicKeyFile,
		cfg.Engine.HistoryPath, cfg.Functions["audit"].Path, cfg.Functions["audit2"].Path, cfg.Server.TLS.Listen}
	want := []string{filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem"), filepath.Join(dir, "jwt.pub"),
		filepath.Join(dir, "data", "history.db"), filepath.Join(dir, "logs", "audit.jsonl"), abs, ":443"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if !errors.Is(err, ErrRead) || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v, want ErrRead wrapping ErrNotExist", err)
	}
}

func TestLoadTooLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(path, make([]byte, maxFileBytes+1), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); !errors.Is(err, ErrRead) || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("err = %v, want ErrRead (too large)", err)
	}
}
