package longpoll

import (
	"net/http"
	"sync"
	"time"

	"github.com/phxserver/phxserver/channels"
	"github.com/phxserver/phxserver/channels/transport/ws"
)

// Handler serves <socket_path>/longpoll. Create it with NewHandler; it needs no Run: its
// janitor goroutine starts with the first session and exits when none is left. Close ends
// every session and joins the janitor.
type Handler struct {
	node   *channels.Node
	cfg    Config
	signer *tokenSigner
	tick   time.Duration // janitor period

	mu         sync.Mutex
	sessions   map[string]*session // guarded by mu
	ending     []*session          // guarded by mu: closed sessions awaiting Terminate
	janitorOn  bool                // guarded by mu
	closed     bool                // guarded by mu
	stop       chan struct{}       // closed by Close
	poke       chan struct{}       // capacity 1: wakes the janitor for ending sessions
	janitorsWG sync.WaitGroup
}

// NewHandler builds the LongPoll endpoint for node.
func NewHandler(node *channels.Node, cfg Config) *Handler {
	cfg.applyDefaults()
	tick := min(max(cfg.IdleTimeout/4, 5*time.Millisecond), time.Second)
	return &Handler{
		node:     node,
		cfg:      cfg,
		signer:   newTokenSigner(node.ID()),
		tick:     tick,
		sessions: make(map[string]*session),
		stop:     make(chan struct{}),
		poke:     make(chan struct{}, 1),
	}
}

// Sessions reports the number of live sessions.
func (h *Handler) Sessions() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.sessions)
}

// ServeHTTP answers GET (poll), POST (publish) and OPTIONS (CORS preflight). Protocol
// answers are always HTTP 200 with the outcome in the JSON body's "status".
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("Content-Type", "application/json; charset=utf-8")
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("Access-Control-Allow-Origin", "*")
	if !ws.OriginAllowed(r, h.cfg.CheckOrigin) {
		writeBody(w, body{Status: 403})
		return
	}
	switch r.Method {
	case http.MethodOptions:
		h.preflight(w, r)
	case http.MethodGet:
		h.servePoll(w, r)
	case http.MethodPost:
		h.servePublish(w, r)
	default:
		hdr.Set("Allow", "GET, POST, OPTIONS")
		w.WriteHeader(http.StatusMethodNotAllowed)
		writeBody(w, body{Status: http.StatusMethodNotAllowed})
	}
}

// preflight answers a CORS preflight: custom headers (X-Phoenix-AuthToken, the ndjson
// content type) make browsers send one cross-origin.
func (h *Handler) preflight(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("Access-Control-Allow-Headers", joinHeader(r.Header.Values("Access-Control-Request-Headers")))
	hdr.Set("Access-Control-Allow-Methods", "get, post, options")
	hdr.Set("Access-Control-Max-Age", "3600")
	writeBody(w, body{Status: 200})
}

func joinHeader(values []string) string {
	out := ""
	for i, v := range values {
		if i > 0 {
			out += ", "
		}
		out += v
	}
	return out
}

// lookup returns the live session a token names, or nil for a forged, foreign, unknown or
// expired token.
func (h *Handler) lookup(token string) *session {
	id, err := h.signer.verify(token)
	if err != nil {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.sessions[id]
}

// register adds a new session; false when the handler or the session is already closed.
func (h *Handler) register(s *session) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed || s.isClosed() {
		return false
	}
	h.sessions[s.id] = s
	h.startJanitorLocked()
	return true
}

// retire forgets a closed session and hands it to the janitor for Terminate.
func (h *Handler) retire(s *session) {
	h.mu.Lock()
	if h.sessions[s.id] == s {
		delete(h.sessions, s.id)
	}
	if h.closed {
		h.mu.Unlock()
		return // Close terminates everything itself
	}
	h.ending = append(h.ending, s)
	h.startJanitorLocked()
	h.mu.Unlock()
	notify(h.poke)
}

// Close ends every session (held polls answer {"status":410}), terminates their sockets and
// joins the janitor. Later session creations are refused. It is idempotent.
func (h *Handler) Close() {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		h.janitorsWG.Wait()
		return
	}
	h.closed = true
	close(h.stop)
	h.mu.Unlock()
	h.janitorsWG.Wait() // no janitor starts once closed is set

	h.mu.Lock()
	all := h.ending
	h.ending = nil
	for _, s := range h.sessions {
		all = append(all, s)
	}
	clear(h.sessions)
	h.mu.Unlock()
	for _, s := range all {
		s.Close(channels.CloseGoingAway, "server shutdown")
		s.terminate()
	}
}
