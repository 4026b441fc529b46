package web

import (
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"sync/atomic"
	"time"
)

//go:embed static
var staticFiles embed.FS

// Config is what the pages depend on; SetConfig replaces it on a configuration reload.
type Config struct {
	// Demo enables the demo chat page and demo tokens.
	Demo bool
	// SocketPath is the Phoenix endpoint, e.g. "/socket".
	SocketPath string
	// Token configures the demo tokens.
	Token TokenConfig
	// PhoenixJS is the phoenix client bundle; nil makes /assets/phoenix.js answer 503.
	PhoenixJS []byte
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// ErrNoSocketPath is returned by NewSite without Config.SocketPath.
var ErrNoSocketPath = errors.New("web: Config.SocketPath is required")

// Site serves the pages. It is safe for concurrent use.
type Site struct {
	cfg    atomic.Pointer[Config]
	pages  *template.Template
	static http.Handler
}

// NewSite parses the embedded pages.
func NewSite(cfg Config) (*Site, error) {
	pages, err := template.ParseFS(staticFiles, "static/*.html")
	if err != nil {
		return nil, err
	}
	sub, err := fs.Sub(staticFiles, "static")
	if err != nil {
		return nil, err
	}
	s := &Site{pages: pages, static: http.StripPrefix("/assets/", http.FileServerFS(sub))}
	if err := s.SetConfig(cfg); err != nil {
		return nil, err
	}
	return s, nil
}

// SetConfig installs a new configuration (live reload).
func (s *Site) SetConfig(cfg Config) error {
	if cfg.SocketPath == "" {
		return ErrNoSocketPath
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s.cfg.Store(&cfg)
	return nil
}

func (s *Site) config() *Config { return s.cfg.Load() }

// Mount registers the pages and the demo API on mux.
func (s *Site) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", s.serveChat)
	mux.HandleFunc("GET /dashboard", s.serveDashboard)
	mux.HandleFunc("GET /assets/phoenix.js", s.servePhoenixJS)
	mux.Handle("GET /assets/", withSecurityHeaders(s.static))
	mux.HandleFunc("POST /demo/token", s.serveDemoToken)
}

// contentSecurityPolicy keeps the pages to their own origin: no inline script, no CDN.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

func withSecurityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setSecurityHeaders(w.Header())
		h.ServeHTTP(w, r)
	})
}

func setSecurityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
}
