package httpapi

import (
	"net/http"
	"sync/atomic"

	"github.com/rs/zerolog"

	"github.com/phxserver/phxserver/channels"
)

// Options configure the server API.
type Options struct {
	// Node is the core the API acts on (required).
	Node *channels.Node
	// Keys are the accepted bearer keys (config api.keys); empty strings are ignored and no
	// key at all disables the API: every route answers 404 {"error":"api disabled"}.
	Keys []string
	// Authenticator verifies the tokens given to /api/explain; nil refuses token explanations.
	Authenticator channels.Authenticator
	// Reload reloads the configuration for POST /api/reload; nil answers 501.
	Reload func() error
	// Logger logs the actions taken through the API.
	Logger zerolog.Logger
}

// Handler serves the server API under /api/. Mount it with mux.Handle("/api/", h).
type Handler struct {
	node   *channels.Node
	auth   channels.Authenticator
	reload func() error
	log    zerolog.Logger
	keys   atomic.Pointer[keyring]
	mux    *http.ServeMux
	routes []route
}

// route is one documented operation: method and OpenAPI path, and its handler.
type route struct {
	method string
	path   string
	// public routes need no key (the OpenAPI document).
	public bool
	handle http.HandlerFunc
}

// Route paths.
const (
	pathBroadcast  = "/api/broadcast"
	pathChannels   = "/api/channels"
	pathPresence   = "/api/channels/{name}/presence"
	pathHistory    = "/api/channels/{name}/history"
	pathDisconnect = "/api/disconnect"
	pathExplain    = "/api/explain"
	pathReload     = "/api/reload"
	pathOpenAPI    = "/api/openapi.json"

	// channelPrefix is the mux pattern of the per-channel routes: the channel name may contain
	// '/' (raw or escaped as %2F), so the rest of the path is one wildcard, split on its suffix.
	channelPrefix = "/api/channels/"
)

// New builds the server API handler.
func New(opts Options) *Handler {
	h := &Handler{node: opts.Node, auth: opts.Authenticator, reload: opts.Reload, log: opts.Logger, mux: http.NewServeMux()}
	h.keys.Store(newKeyring(opts.Keys))
	h.routes = []route{
		{method: http.MethodPost, path: pathBroadcast, handle: h.broadcast},
		{method: http.MethodGet, path: pathChannels, handle: h.listChannels},
		{method: http.MethodGet, path: pathPresence, handle: h.presence},
		{method: http.MethodGet, path: pathHistory, handle: h.history},
		{method: http.MethodPost, path: pathDisconnect, handle: h.disconnect},
		{method: http.MethodGet, path: pathExplain, handle: h.explain},
		{method: http.MethodPost, path: pathReload, handle: h.reloadConfig},
		{method: http.MethodGet, path: pathOpenAPI, public: true, handle: serveOpenAPI},
	}
	var perChannel []route
	for _, rt := range h.routes {
		if len(rt.path) > len(channelPrefix) && rt.path[:len(channelPrefix)] == channelPrefix {
			perChannel = append(perChannel, rt)
			continue
		}
		h.mux.Handle(rt.path, h.guard(rt))
	}
	h.mux.Handle(channelPrefix+"{name...}", h.authenticated(h.channelRoute(perChannel)))
	h.mux.Handle("/", h.authenticated(http.HandlerFunc(notFound)))
	return h
}

// SetKeys replaces the accepted keys (configuration reload); none disables the API.
func (h *Handler) SetKeys(keys []string) { h.keys.Store(newKeyring(keys)) }

// ServeHTTP answers 404 while the API is disabled, else routes the request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.keys.Load() == nil {
		writeError(w, http.StatusNotFound, "api disabled")
		return
	}
	h.mux.ServeHTTP(w, r)
}

// guard checks the key (unless rt is public) and the method, then runs rt.
func (h *Handler) guard(rt route) http.Handler {
	run := allowMethod(rt.method, rt.handle)
	if rt.public {
		return run
	}
	return h.authenticated(run)
}

// authenticated answers 401 unless the request carries one of the keys.
func (h *Handler) authenticated(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		kr := h.keys.Load()
		key, ok := bearerKey(r)
		switch {
		case kr == nil:
			writeError(w, http.StatusNotFound, "api disabled")
			return
		case !ok:
			w.Header().Set("WWW-Authenticate", `Bearer realm="phxserver"`)
			writeError(w, http.StatusUnauthorized, "missing API key: send Authorization: Bearer <key>")
			return
		case !kr.accepts(key):
			w.Header().Set("WWW-Authenticate", `Bearer realm="phxserver", error="invalid_token"`)
			writeError(w, http.StatusUnauthorized, "invalid API key")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// allowMethod answers 405 with an Allow header for any method but method.
func allowMethod(method string, next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != method {
			w.Header().Set("Allow", method)
			writeError(w, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed; use "+method)
			return
		}
		next(w, r)
	})
}

func notFound(w http.ResponseWriter, _ *http.Request) {
	writeError(w, http.StatusNotFound, "not found")
}
