package httpapi

import (
	"errors"
	"testing"
)

func TestReload(t *testing.T) {
	calls := 0
	tests := []struct {
		name       string
		reload     func() error
		wantStatus int
		wantBody   string
	}{
		{"ok", func() error { calls++; return nil }, 200, "{\"ok\":true}\n"},
		{"refused", func() error { calls++; return errors.New("config: channels[2]: unknown permission \"x\"") }, 409, "{\"error\":\"config: channels[2]: unknown permission \\\"x\\\"\"}\n"},
		{"not available", nil, 501, "{\"error\":\"reload is not available\"}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := calls
			srv := newAPI(t, Options{Node: newTestNode(t), Reload: tt.reload})
			res := call(t, srv, "POST", "/api/reload", testKey, "")
			if res.status != tt.wantStatus || res.raw != tt.wantBody {
				t.Errorf("got %d %s, want %d %s", res.status, res.raw, tt.wantStatus, tt.wantBody)
			}
			if tt.reload != nil && calls != before+1 {
				t.Errorf("reload called %d times", calls-before)
			}
		})
	}
}
