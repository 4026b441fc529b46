package httpapi

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

func TestRequestErrors(t *testing.T) {
	srv := newAPI(t, Options{Node: newTestNode(t), Reload: func() error { return nil }})
	big := `{"channel":"room:1","event":"e","payload":"` + strings.Repeat("a", maxBodyBytes) + `"}`
	tests := []struct {
		name, method, path, body string
		wantStatus               int
		wantError                string
		wantAllow                string
	}{
		{"bad JSON", "POST", "/api/broadcast", `{"channel":`, 400, "invalid JSON", ""},
		{"syntax error", "POST", "/api/broadcast", `{"channel" "x"}`, 400, "invalid JSON", ""},
		{"not an object", "POST", "/api/broadcast", `[1,2]`, 400, "JSON object", ""},
		{"empty body", "POST", "/api/broadcast", ``, 400, "empty", ""},
		{"unknown field", "POST", "/api/broadcast", `{"channel":"room:1","event":"e","chanel":"x"}`, 400, `unknown field "chanel"`, ""},
		{"unknown nested field", "POST", "/api/broadcast", `{"channel":"room:1","event":"e","to":{"user":"x"}}`, 400, `unknown field "user"`, ""},
		{"wrong type", "POST", "/api/broadcast", `{"channel":1,"event":"e"}`, 400, `"channel" must be a string`, ""},
		{"trailing data", "POST", "/api/broadcast", `{"channel":"room:1","event":"e"} {}`, 400, "after the object", ""},
		{"too large", "POST", "/api/broadcast", big, 413, "too large", ""},
		{"disconnect unknown field", "POST", "/api/disconnect", `{"client":"x"}`, 400, "unknown field", ""},
		{"GET broadcast", "GET", "/api/broadcast", "", 405, "not allowed", "POST"},
		{"POST channels", "POST", "/api/channels", "{}", 405, "not allowed", "GET"},
		{"DELETE presence", "DELETE", "/api/channels/room:1/presence", "", 405, "not allowed", "GET"},
		{"PUT history", "PUT", "/api/channels/room:1/history", "", 405, "not allowed", "GET"},
		{"GET reload", "GET", "/api/reload", "", 405, "not allowed", "POST"},
		{"GET disconnect", "GET", "/api/disconnect", "", 405, "not allowed", "POST"},
		{"POST explain", "POST", "/api/explain", "", 405, "not allowed", "GET"},
		{"POST openapi", "POST", "/api/openapi.json", "", 405, "not allowed", "GET"},
		{"unknown channel suffix", "GET", "/api/channels/room:1/members", "", 404, "not found", ""},
		{"empty channel name", "GET", "/api/channels//presence", "", 404, "", ""},
		{"bare suffix", "GET", "/api/channels/presence", "", 404, "not found", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := call(t, srv, tt.method, tt.path, testKey, tt.body)
			if res.status != tt.wantStatus {
				t.Fatalf("status = %d, want %d (%s)", res.status, tt.wantStatus, res.raw)
			}
			if got, _ := res.body["error"].(string); !strings.Contains(got, tt.wantError) {
				t.Errorf("error = %q, want it to contain %q", got, tt.wantError)
			}
			if got := res.header.Get("Allow"); got != tt.wantAllow {
				t.Errorf("Allow = %q, want %q", got, tt.wantAllow)
			}
		})
	}
}
