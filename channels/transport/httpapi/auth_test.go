package httpapi

import (
	"net/http"
	"strings"
	"testing"
)

func TestAuthentication(t *testing.T) {
	node := newTestNode(t)
	srv := newAPI(t, Options{Node: node, Keys: []string{"", "other-key", testKey}})
	disabled := newAPI(t, Options{Node: node, Keys: []string{"", ""}})

	tests := []struct {
		name       string
		srv        func() response
		wantStatus int
		wantError  string
		wantAuthn  bool
	}{
		{"no header", func() response { return call(t, srv, "GET", "/api/channels", "", "") }, 401, "missing API key", true},
		{"wrong key of the same length", func() response {
			return call(t, srv, "GET", "/api/channels", strings.Repeat("x", len(testKey)), "")
		}, 401, "invalid API key", true},
		{"key of another length", func() response { return call(t, srv, "GET", "/api/channels", "short", "") }, 401, "invalid API key", true},
		{"key prefix", func() response { return call(t, srv, "GET", "/api/channels", testKey[:5], "") }, 401, "invalid API key", true},
		{"second key accepted", func() response { return call(t, srv, "GET", "/api/channels", "other-key", "") }, 200, "", false},
		{"first key accepted", func() response { return call(t, srv, "GET", "/api/channels", testKey, "") }, 200, "", false},
		{"unknown route needs a key", func() response { return call(t, srv, "GET", "/api/nope", "", "") }, 401, "missing API key", true},
		{"unknown route with key", func() response { return call(t, srv, "GET", "/api/nope", testKey, "") }, 404, "not found", false},
		{"openapi needs no key", func() response { return call(t, srv, "GET", "/api/openapi.json", "", "") }, 200, "", false},
		{"per-channel route needs a key", func() response { return call(t, srv, "GET", "/api/channels/room:1/presence", "", "") }, 401, "missing API key", true},
		{"post needs a key", func() response { return call(t, srv, "POST", "/api/broadcast", "", `{"channel":"room:1","event":"e"}`) }, 401, "missing API key", true},
		{"disabled: channels", func() response { return call(t, disabled, "GET", "/api/channels", testKey, "") }, 404, "api disabled", false},
		{"disabled: broadcast", func() response {
			return call(t, disabled, "POST", "/api/broadcast", "", `{"channel":"room:1","event":"e"}`)
		}, 404, "api disabled", false},
		{"disabled: openapi", func() response { return call(t, disabled, "GET", "/api/openapi.json", "", "") }, 404, "api disabled", false},
		{"disabled: unknown", func() response { return call(t, disabled, "GET", "/api/x", "", "") }, 404, "api disabled", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := tt.srv()
			if res.status != tt.wantStatus {
				t.Fatalf("status = %d, want %d (%s)", res.status, tt.wantStatus, res.raw)
			}
			if tt.wantError != "" {
				if got, _ := res.body["error"].(string); !strings.Contains(got, tt.wantError) {
					t.Errorf("error = %q, want it to contain %q", got, tt.wantError)
				}
			}
			if got := res.header.Get("WWW-Authenticate"); tt.wantAuthn != strings.HasPrefix(got, "Bearer") {
				t.Errorf("WWW-Authenticate = %q, want Bearer challenge: %v", got, tt.wantAuthn)
			}
			if ct := res.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q", ct)
			}
		})
	}
}

func TestSetKeys(t *testing.T) {
	node := newTestNode(t)
	h := New(Options{Node: node})
	get := func(key string) int {
		req, _ := http.NewRequestWithContext(t.Context(), "GET", "/api/channels", nil)
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		rec := newRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	steps := []struct {
		name string
		keys []string
		key  string
		want int
	}{
		{"disabled at start", nil, testKey, 404},
		{"enabled by reload", []string{testKey}, testKey, 200},
		{"old key refused after rotation", []string{"new-key"}, testKey, 401},
		{"new key accepted", []string{"new-key"}, "new-key", 200},
		{"disabled again", []string{""}, "new-key", 404},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.keys != nil || st.name != "disabled at start" {
				h.SetKeys(st.keys)
			}
			if got := get(st.key); got != st.want {
				t.Errorf("status = %d, want %d", got, st.want)
			}
		})
	}
}

func TestKeyring(t *testing.T) {
	kr := newKeyring([]string{"alpha", "", "beta-longer-key"})
	tests := []struct {
		key  string
		want bool
	}{
		{"alpha", true}, {"beta-longer-key", true}, {"", false}, {"alph", false}, {"alphaa", false}, {"ALPHA", false},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			if got := kr.accepts(tt.key); got != tt.want {
				t.Errorf("accepts(%q) = %v, want %v", tt.key, got, tt.want)
			}
		})
	}
	if newKeyring([]string{"", ""}) != nil {
		t.Error("only empty keys must disable the API")
	}
}

func TestBearerKey(t *testing.T) {
	tests := []struct {
		header string
		want   string
		ok     bool
	}{
		{"Bearer k1", "k1", true}, {"bearer k1", "k1", true}, {"Basic k1", "", false}, {"Bearer", "", false}, {"Bearer   ", "", false}, {"", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			r, _ := http.NewRequest("GET", "/", nil)
			r.Header.Set("Authorization", tt.header)
			got, ok := bearerKey(r)
			if got != tt.want || ok != tt.ok {
				t.Errorf("bearerKey(%q) = %q, %v; want %q, %v", tt.header, got, ok, tt.want, tt.ok)
			}
		})
	}
}
