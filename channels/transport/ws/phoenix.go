package ws

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/phxserver/phxserver/channels"
	"github.com/phxserver/phxserver/protocol"
)

// Config configures the Phoenix WebSocket endpoint.
type Config struct {
	// CheckOrigin lists the allowed Origin values; empty allows any.
	CheckOrigin []string
	// MaxFrameBytes caps an inbound frame (default 1 MiB); a bigger one closes with 1009.
	MaxFrameBytes int64
	// IdleTimeout closes connections silent for this long (default 60 s).
	IdleTimeout time.Duration
	// WriteTimeout bounds a batch of writes (default 10 s).
	WriteTimeout time.Duration
	// InvalidTokenAnonymous continues anonymously when a token fails verification
	// (auth.invalid_token: anonymous); otherwise the upgrade is refused with 403.
	InvalidTokenAnonymous bool
}

// bearerPrefix marks the Phoenix 1.8 authToken entry of Sec-WebSocket-Protocol.
const bearerPrefix = "base64url.bearer.phx."

// writeBufferPool shares write buffers between connections: an idle connection holds none.
var writeBufferPool sync.Pool

// PhoenixHandler serves <socket_path>/websocket.
type PhoenixHandler struct {
	node     *channels.Node
	cfg      Config
	upgrader websocket.Upgrader
}

// NewPhoenixHandler builds the Phoenix WebSocket endpoint.
func NewPhoenixHandler(node *channels.Node, cfg Config) *PhoenixHandler {
	if cfg.MaxFrameBytes <= 0 {
		cfg.MaxFrameBytes = 1 << 20
	}
	h := &PhoenixHandler{node: node, cfg: cfg}
	h.upgrader = NewUpgrader(cfg.CheckOrigin)
	return h
}

// NewUpgrader returns the upgrader every endpoint uses: small read buffer, pooled write
// buffers, no compression, our own origin check (done before the upgrade).
func NewUpgrader(origins []string) websocket.Upgrader {
	return websocket.Upgrader{
		ReadBufferSize:  512, // frames larger than this are read in several reads
		WriteBufferPool: &writeBufferPool,
		CheckOrigin:     func(*http.Request) bool { return true },
		Error: func(w http.ResponseWriter, _ *http.Request, status int, reason error) {
			http.Error(w, reason.Error(), status)
		},
	}
}

// OriginAllowed applies server.check_origin: empty allows any; a request without Origin
// (non-browser clients) is allowed.
func OriginAllowed(r *http.Request, allowed []string) bool {
	if len(allowed) == 0 {
		return true
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	for _, a := range allowed {
		if strings.EqualFold(a, origin) {
			return true
		}
	}
	return false
}

// lastParam returns the last value of a repeated query key ("last wins").
func lastParam(r *http.Request, key string) (string, bool) {
	vs, ok := r.URL.Query()[key]
	if !ok || len(vs) == 0 {
		return "", false
	}
	return vs[len(vs)-1], true
}

// BearerToken extracts the Phoenix authToken from Sec-WebSocket-Protocol values. The client
// encodes with btoa (standard alphabet, no padding); URL alphabet and padding are accepted too.
func BearerToken(r *http.Request) (string, bool) {
	for _, p := range websocket.Subprotocols(r) {
		if !strings.HasPrefix(p, bearerPrefix) {
			continue
		}
		enc := strings.TrimRight(p[len(bearerPrefix):], "=")
		for _, e := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
			if b, err := e.DecodeString(enc); err == nil {
				return string(b), true
			}
		}
		return "", false
	}
	return "", false
}

// hasBearerEntry reports whether the client sent an authToken entry at all.
func hasBearerEntry(r *http.Request) bool {
	for _, p := range websocket.Subprotocols(r) {
		if strings.HasPrefix(p, bearerPrefix) {
			return true
		}
	}
	return false
}

// offersPhoenix reports whether the client asked for the "phoenix" subprotocol.
func offersPhoenix(r *http.Request) bool {
	for _, p := range websocket.Subprotocols(r) {
		if p == "phoenix" {
			return true
		}
	}
	return false
}

// ServeHTTP negotiates vsn, authenticates (authToken subprotocol, else params.token), upgrades
// and serves the connection on a goroutine of its own.
func (h *PhoenixHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		http.Error(w, "WebSocket upgrade must be a GET", http.StatusBadRequest)
		return
	}
	if !OriginAllowed(r, h.cfg.CheckOrigin) {
		http.Error(w, "origin not allowed", http.StatusForbidden)
		return
	}
	vsn, _ := lastParam(r, "vsn")
	ser, err := protocol.Negotiate(vsn)
	if err != nil {
		http.Error(w, "unsupported vsn", http.StatusForbidden)
		return
	}
	token, _ := BearerToken(r)
	if token == "" && hasBearerEntry(r) && !h.cfg.InvalidTokenAnonymous {
		// An authToken that is empty or not base64 is an invalid token, not an absent one.
		http.Error(w, "invalid authToken", http.StatusForbidden)
		return
	}
	if token == "" {
		token, _ = lastParam(r, "token")
	}
	wc := NewConn(h.cfg.IdleTimeout, h.cfg.WriteTimeout)
	sock, err := h.node.Connect(r.Context(), channels.ConnectRequest{
		Token: token, InvalidTokenAnonymous: h.cfg.InvalidTokenAnonymous,
		Dialect: channels.PhoenixDialect(ser), Transport: wc, TransportName: "websocket", RemoteAddr: r.RemoteAddr,
	})
	if err != nil {
		status := http.StatusForbidden
		if errors.Is(err, channels.ErrTooManyConnections) || errors.Is(err, channels.ErrDraining) {
			status = http.StatusServiceUnavailable
		}
		http.Error(w, err.Error(), status)
		return
	}
	var header http.Header
	if offersPhoenix(r) {
		header = http.Header{"Sec-Websocket-Protocol": {"phoenix"}}
	}
	conn, err := h.upgrader.Upgrade(w, r, header)
	if err != nil {
		sock.Terminate()
		return
	}
	conn.SetReadLimit(h.cfg.MaxFrameBytes)
	wc.Attach(conn, sock)
	// The connection outlives the request: its context is a fresh one, not a child of the
	// request's (which would keep the request's context chain alive for the connection's life).
	ctx := context.Background()
	// Serve on a goroutine of its own and let the HTTP handler return: net/http's per-request
	// state (two 4 KiB buffers and a deep stack) is then released for the connection's life.
	// The node owns the goroutine: Drain closes the socket and waits for it to terminate.
	go wc.Serve(ctx, func(ctx context.Context, data []byte, binary bool) {
		h.handleFrame(ctx, sock, ser, data, binary)
	}, 0)
}

func (h *PhoenixHandler) handleFrame(ctx context.Context, sock *channels.Socket, ser protocol.Serializer, data []byte, binary bool) {
	m, err := ser.Decode(data, binary)
	if err != nil {
		MalformedFrame(sock, ser, data, binary, err)
		return
	}
	sock.HandlePhoenix(ctx, m)
}

// MalformedFrame answers a frame that does not decode: with an error reply when its topic and
// ref can still be read, otherwise by closing with 1007 and the reason. It logs once per
// rate-limit window.
func MalformedFrame(sock *channels.Socket, ser protocol.Serializer, data []byte, binary bool, err error) {
	reason := strings.TrimPrefix(err.Error(), "protocol: ")
	sock.Node().Warn("malformed_frame", nil, "malformed frame from client: "+reason)
	if !binary && ser.Version() == protocol.V2 {
		var parts []json.RawMessage
		if json.Unmarshal(data, &parts) == nil && len(parts) >= 3 {
			var ref, topic string
			joinRef := ""
			if json.Unmarshal(parts[1], &ref) == nil && json.Unmarshal(parts[2], &topic) == nil && ref != "" {
				_ = json.Unmarshal(parts[0], &joinRef)
				resp, _ := json.Marshal(map[string]string{"reason": reason})
				if f, err := ser.EncodeReply(protocol.Reply{JoinRef: joinRef, Ref: ref, Topic: topic, Status: "error", Response: resp}); err == nil {
					sock.Enqueue(f)
					return
				}
			}
		}
	}
	sock.Disconnect(1007, reason)
}
