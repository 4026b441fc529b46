package httpapi

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
)

type openAPIDoc struct {
	OpenAPI  string                                 `json:"openapi"`
	Security []map[string][]string                  `json:"security"`
	Paths    map[string]map[string]openAPIOperation `json:"paths"`
	Comps    struct {
		SecuritySchemes map[string]struct {
			Type   string `json:"type"`
			Scheme string `json:"scheme"`
		} `json:"securitySchemes"`
	} `json:"components"`
}

type openAPIOperation struct {
	OperationID string                     `json:"operationId"`
	Security    *[]map[string][]string     `json:"security"`
	Responses   map[string]json.RawMessage `json:"responses"`
}

func loadOpenAPI(t *testing.T) openAPIDoc {
	t.Helper()
	var doc openAPIDoc
	if err := json.Unmarshal(OpenAPI(), &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	return doc
}

// TestOpenAPICoversRoutes walks the route table and the document both ways, and sends a
// request to every documented operation to prove the mux serves it.
func TestOpenAPICoversRoutes(t *testing.T) {
	doc := loadOpenAPI(t)
	h := New(Options{Node: newTestNode(t), Keys: []string{testKey}, Reload: func() error { return nil }})
	if !strings.HasPrefix(doc.OpenAPI, "3.0.") {
		t.Errorf("openapi = %q, want 3.0.x", doc.OpenAPI)
	}
	if s := doc.Comps.SecuritySchemes["bearerAuth"]; s.Type != "http" || s.Scheme != "bearer" {
		t.Errorf("bearerAuth scheme = %+v", s)
	}
	if len(doc.Security) != 1 || doc.Security[0]["bearerAuth"] == nil {
		t.Errorf("global security = %v, want bearerAuth", doc.Security)
	}

	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	served := map[string]route{}
	for _, rt := range h.routes {
		served[rt.method+" "+rt.path] = rt
	}
	t.Run("every route is documented", func(t *testing.T) {
		for key, rt := range served {
			if !documented[key] {
				t.Errorf("%s is served but not in openapi.json", key)
				continue
			}
			op := doc.Paths[rt.path][strings.ToLower(rt.method)]
			public := op.Security != nil && len(*op.Security) == 0
			if public != rt.public {
				t.Errorf("%s: documented public=%v, served public=%v", key, public, rt.public)
			}
			if _, ok := op.Responses["401"]; !rt.public && !ok {
				t.Errorf("%s: 401 not documented", key)
			}
			if _, ok := op.Responses["405"]; !ok {
				t.Errorf("%s: 405 not documented", key)
			}
		}
	})
	t.Run("every documented operation is served", func(t *testing.T) {
		for key := range documented {
			if _, ok := served[key]; !ok {
				t.Errorf("%s is documented but not served", key)
			}
			method, path, _ := strings.Cut(key, " ")
			req, _ := http.NewRequestWithContext(t.Context(), method, strings.ReplaceAll(path, "{name}", "chatroom%2F1"), strings.NewReader("{}"))
			req.Header.Set("Authorization", "Bearer "+testKey)
			rec := newRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code == http.StatusNotFound || rec.Code == http.StatusMethodNotAllowed {
				t.Errorf("%s answered %d: %s", key, rec.Code, rec.Body)
			}
		}
	})
	t.Run("every reference resolves", func(t *testing.T) {
		var whole map[string]any
		if err := json.Unmarshal(OpenAPI(), &whole); err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`"\$ref":\s*"#/([^"]+)"`).FindAllStringSubmatch(string(OpenAPI()), -1) {
			var node any = whole
			for _, part := range strings.Split(m[1], "/") {
				obj, _ := node.(map[string]any)
				node = obj[part]
			}
			if node == nil {
				t.Errorf("$ref #/%s does not resolve", m[1])
			}
		}
	})
	t.Run("served document matches the embedded one", func(t *testing.T) {
		req, _ := http.NewRequestWithContext(t.Context(), "GET", pathOpenAPI, nil)
		rec := newRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 || !slices.Equal(rec.Body.Bytes(), OpenAPI()) || rec.Header().Get("Content-Type") != "application/json" {
			t.Errorf("GET openapi.json: %d %s", rec.Code, rec.Header())
		}
	})
}
