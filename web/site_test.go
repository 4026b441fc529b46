package web

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var testSecret = []byte("test-secret-test-secret-test-secret")

func newTestSite(t *testing.T, cfg Config) *http.ServeMux {
	t.Helper()
	site, err := NewSite(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	site.Mount(mux)
	return mux
}

func do(mux *http.ServeMux, method, target, body string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(method, target, strings.NewReader(body)))
	return rec
}

func TestNewSiteRequiresSocketPath(t *testing.T) {
	if _, err := NewSite(Config{}); err != ErrNoSocketPath {
		t.Fatalf("error = %v, want ErrNoSocketPath", err)
	}
}

func TestSiteRoutes(t *testing.T) {
	demo := Config{Demo: true, SocketPath: "/rt-socket", PhoenixJS: []byte("var Phoenix = {};"),
		Token: TokenConfig{Secret: testSecret, HS256Accepted: true}}
	off := demo
	off.Demo = false
	noJS := demo
	noJS.PhoenixJS = nil
	noSecret := demo
	noSecret.Token.Secret = nil
	tests := []struct {
		name         string
		cfg          Config
		method, path string
		body         string
		wantStatus   int
		wantBody     string
		wantType     string
	}{
		{"chat page in demo mode", demo, "GET", "/", "", 200, `data-socket-path="/rt-socket"`, "text/html"},
		{"chat page lists the demo channels", demo, "GET", "/", "", 200, `value="team/7/workspace/general"`, "text/html"},
		{"chat page lists the demo users", demo, "GET", "/", "", 200, `value="sam"`, "text/html"},
		{"chat page 404 outside demo mode", off, "GET", "/", "", 404, "", ""},
		{"unknown path is 404", demo, "GET", "/nope", "", 404, "", ""},
		{"dashboard page", off, "GET", "/dashboard", "", 200, `data-topic="phxserver:dashboard"`, "text/html"},
		{"phoenix client", demo, "GET", "/assets/phoenix.js", "", 200, "var Phoenix", "text/javascript"},
		{"phoenix client missing", noJS, "GET", "/assets/phoenix.js", "", 503, "npm ci", "text/plain"},
		{"embedded script", demo, "GET", "/assets/chat.js", "", 200, "longPollFallbackMs", "text/javascript"},
		{"embedded chart", demo, "GET", "/assets/chart.js", "", 200, "LineChart", "text/javascript"},
		{"missing asset", demo, "GET", "/assets/none.js", "", 404, "", ""},
		{"demo token", demo, "POST", "/demo/token", `{"user":"alice"}`, 200, `"token":"ey`, "application/json"},
		{"demo token unknown user", demo, "POST", "/demo/token", `{"user":"mallory"}`, 400, "unknown demo user", "application/json"},
		{"demo token bad body", demo, "POST", "/demo/token", `{"user":`, 400, "body must be", "application/json"},
		{"demo token oversized body", demo, "POST", "/demo/token", `{"user":"` + strings.Repeat("a", 5000) + `"}`, 400, "", "application/json"},
		{"demo token without a secret", noSecret, "POST", "/demo/token", `{"user":"alice"}`, 503, "auth.jwt.secret", "application/json"},
		{"demo token 404 outside demo mode", off, "POST", "/demo/token", `{"user":"alice"}`, 404, "", ""},
		{"demo token needs POST", demo, "GET", "/demo/token", "", 405, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := do(newTestSite(t, tc.cfg), tc.method, tc.path, tc.body)
			if rec.Code != tc.wantStatus {
				t.Fatalf("status = %d, want %d; body %q", rec.Code, tc.wantStatus, rec.Body)
			}
			if !strings.Contains(rec.Body.String(), tc.wantBody) {
				t.Errorf("body does not contain %q:\n%s", tc.wantBody, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, tc.wantType) {
				t.Errorf("Content-Type = %q, want prefix %q", ct, tc.wantType)
			}
			if tc.wantType == "text/html" && !strings.Contains(rec.Header().Get("Content-Security-Policy"), "script-src 'self'") {
				t.Errorf("page without the Content-Security-Policy")
			}
		})
	}
}

func TestSetConfigSwitchesDemoMode(t *testing.T) {
	site, err := NewSite(Config{Demo: true, SocketPath: "/socket"})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	site.Mount(mux)
	if rec := do(mux, "GET", "/", ""); rec.Code != 200 {
		t.Fatalf("demo on: status %d", rec.Code)
	}
	if err := site.SetConfig(Config{Demo: false, SocketPath: "/socket"}); err != nil {
		t.Fatal(err)
	}
	if rec := do(mux, "GET", "/", ""); rec.Code != 404 {
		t.Fatalf("demo off after reload: status %d", rec.Code)
	}
	if err := site.SetConfig(Config{}); err != ErrNoSocketPath {
		t.Fatalf("SetConfig without a socket path: %v", err)
	}
}

func TestDemoTokenResponse(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	mux := newTestSite(t, Config{Demo: true, SocketPath: "/socket", Now: func() time.Time { return now },
		Token: TokenConfig{Secret: testSecret, HS256Accepted: true}})
	rec := do(mux, "POST", "/demo/token", `{"user":"sam"}`)
	var got demoTokenResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.User.ID != "sam" || got.User.Role != "agent" || got.ExpiresAt != "2027-01-15T09:00:00Z" || got.Token == "" {
		t.Fatalf("response = %+v", got)
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
		t.Fatalf("Cache-Control = %q", cc)
	}
}

func TestPhoenixJSCandidates(t *testing.T) {
	got := PhoenixJSCandidates("/srv/wd", "/opt/phx/bin/phxserver")
	want := []string{
		filepath.Join("/srv/wd", PhoenixJSRelPath),
		filepath.Join("/opt/phx", PhoenixJSRelPath),
		filepath.Join("/opt/phx/bin", PhoenixJSRelPath),
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("candidates = %q, want %q", got, want)
	}
	if got := PhoenixJSCandidates("", ""); len(got) != 0 {
		t.Fatalf("no dirs: %q", got)
	}
}

func TestLoadPhoenixJS(t *testing.T) {
	dir := t.TempDir()
	present := filepath.Join(dir, "b", "phoenix.js")
	if err := os.MkdirAll(filepath.Dir(present), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(present, []byte("var Phoenix;"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		candidates []string
		wantFrom   string
		wantErr    error
	}{
		{"first existing wins", []string{filepath.Join(dir, "a", "phoenix.js"), present}, present, nil},
		{"a directory is skipped", []string{filepath.Join(dir, "b"), present}, present, nil},
		{"none exists", []string{filepath.Join(dir, "a", "phoenix.js")}, "", ErrPhoenixJSMissing},
		{"no candidates", nil, "", ErrPhoenixJSMissing},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, from, err := LoadPhoenixJS(tc.candidates)
			if err != tc.wantErr || from != tc.wantFrom {
				t.Fatalf("LoadPhoenixJS = %q, %v; want %q, %v", from, err, tc.wantFrom, tc.wantErr)
			}
			if err == nil && string(b) != "var Phoenix;" {
				t.Fatalf("content = %q", b)
			}
		})
	}
}

func TestEmbeddedPagesReferenceOnlyLocalScripts(t *testing.T) {
	for _, page := range []string{"static/index.html", "static/dashboard.html"} {
		t.Run(page, func(t *testing.T) {
			f, err := staticFiles.Open(page)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			b, _ := io.ReadAll(f)
			if strings.Contains(string(b), "http://") || strings.Contains(string(b), "https://") || strings.Contains(string(b), "<script>") {
				t.Fatalf("%s loads remote or inline script", page)
			}
		})
	}
}
