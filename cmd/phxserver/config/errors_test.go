package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phxserver/phxserver/channels/permissions"
)

// errorCase is a file that must be refused with an error at Line naming Key, whose message
// contains Msg.
type errorCase struct {
	name string
	yaml string
	line int
	key  string // "" when the error names no key
	msg  string
}

func runErrorCases(t *testing.T, tests []errorCase, baseDir string) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parse([]byte(tt.yaml), "phxserver.yaml", baseDir, noEnv)
			if err == nil {
				t.Fatalf("accepted; config %+v", cfg)
			}
			if cfg != nil {
				t.Error("returned a config together with an error")
			}
			prefix := "phxserver.yaml: "
			if tt.line > 0 {
				prefix = "phxserver.yaml:" + itoa(tt.line) + ": "
			}
			if tt.key != "" {
				prefix += tt.key + ": "
			}
			if !hasErrorLine(err, prefix, tt.msg) {
				t.Errorf("error:\n%v\nwant a line starting %q containing %q", err, prefix, tt.msg)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error does not wrap ErrInvalid: %v", err)
			}
		})
	}
}

func hasErrorLine(err error, prefix, msg string) bool {
	for _, line := range strings.Split(err.Error(), "\n") {
		if strings.HasPrefix(line, prefix) && strings.Contains(line[len(prefix):], msg) {
			return true
		}
	}
	return false
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func TestUnknownKeys(t *testing.T) {
	runErrorCases(t, []errorCase{
		{name: "top level", yaml: "server: {}\nchanels: []\n", line: 2, key: "chanels", msg: `unknown key (did you mean "channels"?)`},
		{name: "source is not a top-level key", yaml: "source: x\n", line: 1, key: "source", msg: "unknown key"},
		{name: "depth 2", yaml: "server:\n  listen: \"a:1\"\n  lisen: \"b:2\"\n", line: 3, key: "server.lisen", msg: `did you mean "listen"`},
		{name: "depth 3", yaml: "server:\n  tls:\n    cert: a\n", line: 3, key: "server.tls.cert", msg: "unknown key"},
		{name: "depth 4", yaml: "auth:\n  jwt:\n    claims:\n      userid: uid\n", line: 4, key: "auth.jwt.claims.userid", msg: `did you mean "user_id"`},
		{name: "in a list item", yaml: "channels:\n  - pattern: a\n  - pattern: b\n  - pattern: c\n    permisions: [presence]\n",
			line: 5, key: "channels[2].permisions", msg: "unknown key"},
		{name: "in a trigger", yaml: "channels:\n  - pattern: a\n    triggers:\n      - {event: join, func: f}\n",
			line: 4, key: "channels[0].triggers[0].func", msg: "unknown key"},
		{name: "in a function", yaml: "functions:\n  f:\n    type: rate_limit\n    limt: 5\n", line: 4, key: "functions.f.limt", msg: `did you mean "limit"`},
		{name: "in a webhook", yaml: "webhooks:\n  - url: \"http://x\"\n    event: [join]\n", line: 3, key: "webhooks[0].event", msg: `did you mean "events"`},
		{name: "in engine.redis", yaml: "engine:\n  redis:\n    addr: x\n", line: 3, key: "engine.redis.addr", msg: "unknown key"},
		{name: "no suggestion when far", yaml: "limits:\n  zzzzzzzz: 1\n", line: 2, key: "limits.zzzzzzzz", msg: "unknown key"},
	}, "")
}

func TestStructureErrors(t *testing.T) {
	runErrorCases(t, []errorCase{
		{name: "yaml syntax", yaml: "server:\n  listen: \"a:1\n  demo: true\n", line: 2, msg: "found unexpected end of stream"},
		{name: "bad indentation", yaml: "server:\n  listen: a\n demo: true\n", line: 2, msg: "did not find expected key"},
		{name: "tab indentation", yaml: "server:\n\tlisten: a\n", line: 2, msg: "cannot start any token"},
		{name: "control character", yaml: "server:\n  listen: \"a\x01\"\n", line: 0, msg: "control characters are not allowed"},
		{name: "two documents", yaml: "server: {}\n---\nserver: {}\n", line: 2, msg: "only one YAML document"},
		{name: "duplicate key", yaml: "server:\n  demo: true\n  demo: false\n", line: 3, key: "server.demo", msg: "duplicate key (first at line 2)"},
		{name: "duplicate function", yaml: "functions:\n  f: {type: audit_log, path: a}\n  f: {type: audit_log, path: b}\n", line: 3, key: "functions.f", msg: "duplicate key"},
		{name: "root is a list", yaml: "- a\n- b\n", line: 0, msg: "expected a mapping, got a list"},
		{name: "section is a list", yaml: "server: []\n", line: 1, key: "server", msg: "expected a mapping, got a list"},
		{name: "list expected", yaml: "channels:\n  pattern: a\n", line: 1, key: "channels", msg: "expected a list, got a mapping"},
		{name: "scalar where list", yaml: "auth:\n  jwt:\n    algorithms: HS256\n", line: 3, key: "auth.jwt.algorithms", msg: "expected a list, got a single value"},
		{name: "mapping where scalar", yaml: "server:\n  listen: {a: 1}\n", line: 2, key: "server.listen", msg: "expected a single value, got a mapping"},
		{name: "string for int", yaml: "limits:\n  max_connections: many\n", line: 2, key: "limits.max_connections", msg: `expected an integer, got "many"`},
		{name: "quoted int", yaml: "limits:\n  max_connections: \"5\"\n", line: 2, key: "limits.max_connections", msg: "expected an integer"},
		{name: "float for int", yaml: "channels:\n  - pattern: a\n    history: 1.5\n", line: 3, key: "channels[0].history", msg: `expected an integer, got "1.5"`},
		{name: "int overflow", yaml: "limits:\n  max_connections: 99999999999999999999999\n", line: 2, key: "limits.max_connections", msg: "expected an integer"},
		{name: "yes for bool", yaml: "server:\n  demo: yes\n", line: 2, key: "server.demo", msg: "expected true or false"},
		{name: "string for bool", yaml: "channels:\n  - pattern: a\n    active: \"true\"\n", line: 3, key: "channels[0].active", msg: "expected true or false"},
		{name: "bad duration", yaml: "server:\n  shutdown_grace: 10x\n", line: 2, key: "server.shutdown_grace", msg: `expected a duration such as "10s"`},
		{name: "bare number duration", yaml: "auth:\n  jwt:\n    leeway: 30\n", line: 3, key: "auth.jwt.leeway", msg: "expected a duration"},
		{name: "function duration", yaml: "functions:\n  f: {type: rate_limit, limit: 1, per: 1 minute}\n", line: 2, key: "functions.f.per", msg: "expected a duration"},
		{name: "merge key", yaml: "base: &b {listen: \"a:1\"}\nserver:\n  <<: *b\n", line: 1, key: "base", msg: "unknown key"},
		{name: "merge key inside section", yaml: "server:\n  <<: {listen: \"a:1\"}\n", line: 2, key: "server", msg: "keys must be plain strings"},
		{name: "complex key", yaml: "server:\n  ? [a]\n  : 1\n", line: 2, key: "server", msg: "keys must be plain strings"},
		{name: "env unterminated", yaml: "auth:\n  jwt:\n    secret: \"${SECRET\"\n", line: 3, msg: "unterminated ${"},
	}, "")
}

func TestValidationErrors(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "bad.json"), []byte(`{"hash": "h", "channels": "nope"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "dup.json"), []byte(`{"channels": [{"pattern": "a"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "adir"), 0o755); err != nil {
		t.Fatal(err)
	}
	runErrorCases(t, []errorCase{
		// server
		{name: "listen without port", yaml: "server:\n  listen: localhost\n", line: 2, key: "server.listen", msg: "must be host:port"},
		{name: "listen bad port", yaml: "server:\n  listen: \"127.0.0.1:http\"\n", line: 2, key: "server.listen", msg: "port must be a number"},
		{name: "listen port too large", yaml: "server:\n  listen: \":70000\"\n", line: 2, key: "server.listen", msg: "port must be a number"},
		{name: "socket_path relative", yaml: "server:\n  socket_path: socket\n", line: 2, key: "server.socket_path", msg: `must start with "/"`},
		{name: "socket_path trailing slash", yaml: "server:\n  socket_path: /socket/\n", line: 2, key: "server.socket_path", msg: "trailing"},
		{name: "empty check_origin", yaml: "server:\n  check_origin:\n    - \"https://a\"\n    - \"\"\n", line: 4, key: "server.check_origin[1]", msg: "must not be empty"},
		{name: "negative shutdown_grace", yaml: "server:\n  shutdown_grace: -1s\n", line: 2, key: "server.shutdown_grace", msg: "must not be negative"},
		{name: "tls without key", yaml: "server:\n  tls:\n    cert_file: /etc/hostname\n", line: 2, key: "server.tls.key_file", msg: "needs both cert_file and key_file"},
		{name: "tls cert missing", yaml: "server:\n  tls:\n    cert_file: missing.pem\n    key_file: missing.key\n", line: 3, key: "server.tls.cert_file", msg: "no such file"},
		{name: "tls cert is a directory", yaml: "server:\n  tls:\n    cert_file: adir\n    key_file: adir\n", line: 4, key: "server.tls.key_file", msg: "not a regular file"},
		{name: "tls bad listen", yaml: "server:\n  tls:\n    listen: \"443\"\n    cert_file: adir\n", line: 3, key: "server.tls.listen", msg: "must be host:port"},
		{name: "empty canonical", yaml: "server:\n  xano:\n    canonicals: [ok, \"\"]\n", line: 3, key: "server.xano.canonicals[1]", msg: "must not be empty"},
		{name: "canonical with slash", yaml: "server:\n  xano:\n    canonicals:\n      - \"a/b\"\n", line: 4, key: "server.xano.canonicals[0]", msg: `no "/"`},
		// auth
		{name: "invalid_token", yaml: "auth:\n  invalid_token: ignore\n", line: 2, key: "auth.invalid_token", msg: `must be "reject" or "anonymous", got "ignore"`},
		{name: "alg none", yaml: "auth:\n  jwt:\n    algorithms: [HS256, none]\n", line: 3, key: "auth.jwt.algorithms[1]", msg: `"none" is never accepted`},
		{name: "alg None", yaml: "auth:\n  jwt:\n    algorithms:\n      - None\n", line: 4, key: "auth.jwt.algorithms[0]", msg: "never accepted"},
		{name: "alg unknown", yaml: "auth:\n  jwt:\n    algorithms: [HS257]\n", line: 3, key: "auth.jwt.algorithms[0]", msg: `unknown algorithm "HS257"`},
		{name: "alg lower case", yaml: "auth:\n  jwt:\n    algorithms: [hs256]\n", line: 3, key: "auth.jwt.algorithms[0]", msg: "unknown algorithm"},
		{name: "no algorithms", yaml: "auth:\n  jwt:\n    algorithms: []\n", line: 3, key: "auth.jwt.algorithms", msg: "at least one"},
		{name: "RS256 without key", yaml: "auth:\n  jwt:\n    algorithms: [RS256]\n", line: 3, key: "auth.jwt.algorithms", msg: "need public_key_file or jwks_url"},
		{name: "public key missing", yaml: "auth:\n  jwt:\n    algorithms: [ES256]\n    public_key_file: nope.pem\n", line: 4, key: "auth.jwt.public_key_file", msg: "no such file"},
		{name: "jwks_url not http", yaml: "auth:\n  jwt:\n    algorithms: [RS256]\n    jwks_url: \"ftp://x/jwks\"\n", line: 4, key: "auth.jwt.jwks_url", msg: "http:// or https://"},
		{name: "negative leeway", yaml: "auth:\n  jwt:\n    leeway: -5s\n", line: 3, key: "auth.jwt.leeway", msg: "must not be negative"},
		{name: "empty claim name", yaml: "auth:\n  jwt:\n    claims:\n      user_id: \"\"\n", line: 4, key: "auth.jwt.claims.user_id", msg: "must name a claim"},
		{name: "empty presence claim", yaml: "auth:\n  jwt:\n    claims:\n      presence: [name, \"\"]\n", line: 4, key: "auth.jwt.claims.presence[1]", msg: "must name a claim"},
		// limits and engine
		{name: "negative max_connections", yaml: "limits:\n  max_connections: -1\n", line: 2, key: "limits.max_connections", msg: "must not be negative"},
		{name: "negative messages_per_second", yaml: "limits:\n  messages_per_second: -3\n", line: 2, key: "limits.messages_per_second", msg: "must not be negative"},
		{name: "negative max_channels", yaml: "limits:\n  max_channels_per_socket: -3\n", line: 2, key: "limits.max_channels_per_socket", msg: "must not be negative"},
		{name: "zero max_frame_bytes", yaml: "limits:\n  max_frame_bytes: 0\n", line: 2, key: "limits.max_frame_bytes", msg: "must be positive"},
		{name: "negative socket_queue_bytes", yaml: "limits:\n  socket_queue_bytes: -1\n", line: 2, key: "limits.socket_queue_bytes", msg: "must be positive"},
		{name: "engine type", yaml: "engine:\n  type: sqlite\n", line: 2, key: "engine.type", msg: `must be "memory" or "redis", got "sqlite"`},
		{name: "redis url", yaml: "engine:\n  type: redis\n  redis:\n    url: \"http://x\"\n", line: 4, key: "engine.redis.url", msg: "redis://"},
		{name: "negative presence_window", yaml: "engine:\n  presence_window: -1ms\n", line: 2, key: "engine.presence_window", msg: "must not be negative"},
		// channels
		{name: "channel without pattern", yaml: "channels:\n  - description: x\n", line: 2, key: "channels[0]", msg: "needs a pattern"},
		{name: "empty channel entry", yaml: "channels:\n  - pattern: a\n  -\n", line: 3, key: "channels[1]", msg: "needs a pattern"},
		{name: "pattern and source", yaml: "channels:\n  - source: x.json\n    pattern: a\n", line: 3, key: "channels[0].pattern", msg: "a source entry takes no other keys"},
		{name: "source with permissions", yaml: "channels:\n  - source: x.json\n    permissions: [presence]\n", line: 3, key: "channels[0].permissions", msg: "takes no other keys"},
		{name: "empty source", yaml: "channels:\n  - source: \"\"\n", line: 2, key: "channels[0].source", msg: "must name a Xano export file"},
		{name: "bad pattern", yaml: "channels:\n  - pattern: ok\n  - pattern: \"a//b\"\n", line: 3, key: "channels[1].pattern", msg: "empty segment"},
		{name: "partial wildcard", yaml: "channels:\n  - pattern: \"a*b\"\n", line: 2, key: "channels[0].pattern", msg: "invalid pattern"},
		{name: "unknown permission", yaml: "channels:\n  - pattern: a\n    permissions: [presence, presense]\n", line: 3, key: "channels[0].permissions[1]", msg: `unknown permission "presense"`},
		{name: "unknown role permission", yaml: "channels:\n  - pattern: a\n    roles:\n      agent: [everything]\n", line: 4, key: "channels[0].roles.agent[0]", msg: "unknown permission"},
		{name: "empty role name", yaml: "channels:\n  - pattern: a\n    roles:\n      \"\": [presence]\n", line: 3, key: "channels[0].roles", msg: "role names must not be empty"},
		{name: "negative history", yaml: "channels:\n  - pattern: a\n    history: -1\n", line: 3, key: "channels[0].history", msg: "must not be negative"},
		{name: "trigger unknown function", yaml: "functions:\n  f: {type: audit_log, path: a}\nchannels:\n  - pattern: a\n    triggers:\n      - {event: join, function: g}\n",
			line: 6, key: "channels[0].triggers[0].function", msg: `unknown function "g" (configured: f)`},
		{name: "trigger with no functions", yaml: "channels:\n  - pattern: a\n    triggers:\n      - event: join\n        function: g\n",
			line: 5, key: "channels[0].triggers[0].function", msg: "no functions are configured"},
		{name: "trigger missing function", yaml: "channels:\n  - pattern: a\n    triggers:\n      - event: join\n",
			line: 4, key: "channels[0].triggers[0].function", msg: "must name a function"},
		{name: "trigger bad event", yaml: "functions:\n  f: {type: audit_log, path: a}\nchannels:\n  - pattern: a\n    triggers:\n      - event: connect\n        function: f\n",
			line: 6, key: "channels[0].triggers[0].event", msg: `unknown event "connect"`},
		{name: "claim_match capture missing", yaml: "functions:\n  tm: {type: claim_match, segment: team_id, claim: team_ids}\nchannels:\n  - pattern: \"team/*\"\n    triggers:\n      - {event: join, function: tm}\n",
			line: 6, key: "channels[0].triggers[0].function", msg: `capture {team_id}, which pattern "team/*" does not have`},
		{name: "duplicate pattern", yaml: "channels:\n  - pattern: a\n  - pattern: b\n  - pattern: a\n", line: 4, key: "channels[2].pattern", msg: `duplicate pattern: same as set "a" (phxserver.yaml:2)`},
		{name: "source missing", yaml: "channels:\n  - source: nope.json\n", line: 2, key: "channels[0].source", msg: "no such file"},
		{name: "source invalid", yaml: "channels:\n  - pattern: z\n  - source: bad.json\n", line: 3, key: "channels[1].source", msg: "invalid xano export"},
		{name: "source duplicates a pattern", yaml: "channels:\n  - pattern: a\n  - source: dup.json\n", line: 3, key: "channels[1].source", msg: `set "a" (dup.json channels[0]): duplicate pattern`},
		// functions
		{name: "function unknown type", yaml: "functions:\n  f:\n    type: lua\n", line: 3, key: "functions.f.type", msg: `unknown function type "lua"`},
		{name: "function without type", yaml: "functions:\n  f: {limit: 1}\n", line: 2, key: "functions.f.type", msg: `unknown function type ""`},
		{name: "function bad name", yaml: "functions:\n  \"bad name\": {type: audit_log, path: a}\n", line: 2, key: `functions["bad name"]`, msg: "function names are"},
		{name: "hostile key quoted", yaml: "server:\n  \"a\\nb\": 1\n", line: 2, key: `server["a\nb"]`, msg: "unknown key"},
		{name: "foreign field", yaml: "functions:\n  f:\n    type: rate_limit\n    limit: 1\n    per: 1s\n    url: \"http://x\"\n", line: 6, key: "functions.f.url", msg: "does not apply to a rate_limit function"},
		{name: "rate_limit limit", yaml: "functions:\n  f:\n    type: rate_limit\n    limit: 0\n    per: 1s\n", line: 4, key: "functions.f.limit", msg: "must be a positive number"},
		{name: "rate_limit per missing", yaml: "functions:\n  f:\n    type: rate_limit\n    limit: 3\n", line: 2, key: "functions.f.per", msg: "must be a positive duration"},
		{name: "rate_limit key", yaml: "functions:\n  f: {type: rate_limit, limit: 1, per: 1s, key: ip}\n", line: 2, key: "functions.f.key", msg: `must be user, client or channel, got "ip"`},
		{name: "claim_match claim", yaml: "functions:\n  f:\n    type: claim_match\n    segment: s\n", line: 2, key: "functions.f.claim", msg: "must name a token claim"},
		{name: "claim_match segment", yaml: "functions:\n  f:\n    type: claim_match\n    claim: c\n", line: 2, key: "functions.f.segment", msg: "must name a {capture}"},
		{name: "content_filter regexp", yaml: "functions:\n  f:\n    type: content_filter\n    deny:\n      - ok\n      - \"(unclosed\"\n", line: 6, key: "functions.f.deny[1]", msg: "missing closing )"},
		{name: "content_filter empty", yaml: "functions:\n  f:\n    type: content_filter\n", line: 2, key: "functions.f", msg: "needs deny, max_bytes or required_keys"},
		{name: "content_filter max_bytes", yaml: "functions:\n  f: {type: content_filter, max_bytes: -1}\n", line: 2, key: "functions.f.max_bytes", msg: "must not be negative"},
		{name: "audit_log path", yaml: "functions:\n  f:\n    type: audit_log\n", line: 2, key: "functions.f.path", msg: "must name the audit file"},
		{name: "audit_log max_size", yaml: "functions:\n  f: {type: audit_log, path: a, max_size: -1}\n", line: 2, key: "functions.f.max_size", msg: "must not be negative"},
		{name: "webhook url", yaml: "functions:\n  f:\n    type: webhook\n    url: \"127.0.0.1:5678\"\n", line: 4, key: "functions.f.url", msg: "http:// or https://"},
		{name: "webhook on_error", yaml: "functions:\n  f:\n    type: webhook\n    url: \"http://h\"\n    on_error: retry\n", line: 5, key: "functions.f.on_error", msg: `must be allow or deny, got "retry"`},
		{name: "webhook negative timeout", yaml: "functions:\n  f: {type: webhook, url: \"http://h\", timeout: -1s}\n", line: 2, key: "functions.f.timeout", msg: "must not be negative"},
		// webhooks
		{name: "webhooks url", yaml: "webhooks:\n  - url: \"mailto:a@b\"\n    channels: [a]\n", line: 2, key: "webhooks[0].url", msg: "http:// or https://"},
		{name: "webhooks channels missing", yaml: "webhooks:\n  - url: \"http://h\"\n", line: 2, key: "webhooks[0].channels", msg: "at least one channel pattern"},
		{name: "webhooks bad pattern", yaml: "webhooks:\n  - url: \"http://h\"\n    channels:\n      - ok/*\n      - \"/bad\"\n", line: 5, key: "webhooks[0].channels[1]", msg: "invalid pattern"},
		{name: "webhooks bad event", yaml: "webhooks:\n  - url: \"http://h\"\n    channels: [a]\n    events: [message, typing]\n", line: 4, key: "webhooks[0].events[1]", msg: `unknown event "typing"`},
	}, dir)
}

func TestAllErrorsReportedSortedByLine(t *testing.T) {
	src := "limits:\n  max_connections: -1\nserver:\n  socket_path: x\nengine:\n  type: nope\n"
	_, err := parse([]byte(src), "f.yaml", "", noEnv)
	if err == nil {
		t.Fatal("accepted")
	}
	lines := strings.Split(err.Error(), "\n")
	want := []string{"f.yaml:2: limits.max_connections:", "f.yaml:4: server.socket_path:", "f.yaml:6: engine.type:"}
	if len(lines) != len(want) {
		t.Fatalf("got %d errors, want %d:\n%v", len(lines), len(want), err)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("error %d = %q, want prefix %q", i, lines[i], w)
		}
	}
	var e *Error
	if !errors.As(err, &e) || e.File != "f.yaml" || e.Line != 2 || e.Key != "limits.max_connections" {
		t.Errorf("errors.As = %+v", e)
	}
}

func TestErrorCountIsBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("channels:\n")
	for range 200 {
		b.WriteString("  - pattern: a\n    permissions: [nope]\n")
	}
	_, err := parse([]byte(b.String()), "f.yaml", "", noEnv)
	if err == nil {
		t.Fatal("accepted")
	}
	if n := strings.Count(err.Error(), "\n") + 1; n != maxReportedErrors+1 {
		t.Errorf("%d error lines, want %d", n, maxReportedErrors+1)
	}
	if !strings.Contains(err.Error(), "150 more errors not shown") {
		t.Errorf("no summary line: %v", err)
	}
}

func TestCompileErrorsWrapPermissionSentinels(t *testing.T) {
	_, err := parse([]byte("channels:\n  - pattern: a\n  - pattern: a\n"), "f.yaml", "", noEnv)
	if !errors.Is(err, permissions.ErrDuplicatePattern) || !errors.Is(err, ErrInvalid) {
		t.Errorf("err = %v, want ErrDuplicatePattern and ErrInvalid", err)
	}
	_, err = parse([]byte("channels:\n  - pattern: a\n    permissions: [x]\n"), "f.yaml", "", noEnv)
	if !errors.Is(err, permissions.ErrUnknownPermission) {
		t.Errorf("err = %v, want ErrUnknownPermission", err)
	}
}

func TestAliasBombRefused(t *testing.T) {
	// 600 aliases of one channel whose 600 triggers are themselves one alias: a 12 kB file that
	// expands to 360 000 trigger nodes, more than the decode budget.
	var b strings.Builder
	b.WriteString("x-triggers: &t [")
	for i := range 600 {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("{event: join, function: f}")
	}
	b.WriteString("]\nchannels:\n  - &c {pattern: a, triggers: *t}\n")
	for range 600 {
		b.WriteString("  - *c\n")
	}
	_, err := parse([]byte(b.String()), "f.yaml", "", noEnv)
	if err == nil || !strings.Contains(err.Error(), "document too large") {
		t.Fatalf("err = %v, want the node budget error", err)
	}
}
