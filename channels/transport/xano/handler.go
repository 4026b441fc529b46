// Package xano is the Xano realtime transport: wss://HOST/rt/<canonical>, the dialect spoken
// by the unmodified @xano/js-sdk. It maps the SDK's join/leave/message/history actions onto
// the same channel core the Phoenix transports use, so both kinds of client share channels,
// messages and presence.
package xano

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/phxserver/phxserver/channels"
	"github.com/phxserver/phxserver/channels/permissions"
	"github.com/phxserver/phxserver/channels/transport/ws"
	"github.com/phxserver/phxserver/protocol"
	xproto "github.com/phxserver/phxserver/protocol/xano"
)

// Close codes. The SDK reconnects only on 1006, 1011, 1012, 1013, 1014 and 4000.
const (
	// CloseUnknownCanonical refuses an unknown /rt/<canonical> without a reconnect loop.
	CloseUnknownCanonical = 4004
	// CloseAuthRejected refuses an invalid token when auth is configured to reject.
	CloseAuthRejected = 4001
)

// Config configures the Xano endpoint.
type Config struct {
	// Canonicals are the accepted connection canonicals (hashes); others are refused.
	Canonicals []string
	// CheckOrigin lists allowed Origin values; empty allows any.
	CheckOrigin []string
	// MaxFrameBytes caps an inbound frame (default 1 MiB).
	MaxFrameBytes int64
	// RejectInvalidToken refuses a connection whose token fails verification; by default it
	// continues anonymously, as the hosted service does.
	RejectInvalidToken bool
	// PingInterval sends WebSocket pings (default 25 s); the SDK has no heartbeat.
	PingInterval time.Duration
	// IdleTimeout drops a connection that answered nothing for this long (default 75 s).
	IdleTimeout time.Duration
}

// Handler serves /rt/{canonical}.
type Handler struct {
	node       *channels.Node
	cfg        Config
	canonicals atomic.Pointer[map[string]bool]
	upgrader   websocket.Upgrader
}

// NewHandler builds the Xano endpoint.
func NewHandler(node *channels.Node, cfg Config) *Handler {
	if cfg.MaxFrameBytes <= 0 {
		cfg.MaxFrameBytes = 1 << 20
	}
	if cfg.PingInterval <= 0 {
		cfg.PingInterval = 25 * time.Second
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 75 * time.Second
	}
	h := &Handler{node: node, cfg: cfg, upgrader: ws.NewUpgrader(nil)}
	h.SetCanonicals(cfg.Canonicals)
	return h
}

// SetCanonicals replaces the accepted canonicals (configuration reload).
func (h *Handler) SetCanonicals(list []string) {
	m := make(map[string]bool, len(list))
	for _, c := range list {
		m[c] = true
	}
	h.canonicals.Store(&m)
}

// subprotocolToken is the raw token the SDK sends as its only subprotocol.
func subprotocolToken(r *http.Request) string {
	if ps := websocket.Subprotocols(r); len(ps) > 0 {
		return ps[0]
	}
	return ""
}

// ServeHTTP checks the canonical, authenticates the subprotocol token (anonymous when it
// fails), echoes it, upgrades and serves the connection on a goroutine of its own.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		http.Error(w, "WebSocket upgrade must be a GET", http.StatusBadRequest)
		return
	}
	if !ws.OriginAllowed(r, h.cfg.CheckOrigin) {
		http.Error(w, "origin not allowed", http.StatusForbidden)
		return
	}
	token := subprotocolToken(r)
	var header http.Header
	if token != "" {
		// The SDK's WebSocket fails the handshake unless its subprotocol is echoed.
		header = http.Header{"Sec-Websocket-Protocol": {token}}
	}
	canonical := strings.TrimPrefix(r.PathValue("canonical"), "/")
	if !(*h.canonicals.Load())[canonical] {
		h.refuse(w, r, header, CloseUnknownCanonical, "unknown realtime canonical")
		return
	}
	wc := ws.NewConn(h.cfg.IdleTimeout, 0)
	sock, err := h.node.Connect(r.Context(), channels.ConnectRequest{
		Token: token, InvalidTokenAnonymous: !h.cfg.RejectInvalidToken,
		Dialect: Dialect, Transport: wc, TransportName: "websocket", RemoteAddr: r.RemoteAddr,
	})
	if err != nil {
		code := CloseAuthRejected
		if errors.Is(err, channels.ErrTooManyConnections) || errors.Is(err, channels.ErrDraining) {
			code = channels.CloseTryAgainLater
		}
		h.refuse(w, r, header, code, err.Error())
		return
	}
	conn, err := h.upgrader.Upgrade(w, r, header)
	if err != nil {
		sock.Terminate()
		return
	}
	conn.SetReadLimit(h.cfg.MaxFrameBytes)
	wc.Attach(conn, sock)
	c := &client{sock: sock}
	go wc.Serve(context.Background(), c.handleFrame, h.cfg.PingInterval) // see ws.PhoenixHandler
}

// refuse upgrades only to close with a code: a plain HTTP error would surface as 1006, which
// the SDK retries forever.
func (h *Handler) refuse(w http.ResponseWriter, r *http.Request, header http.Header, code int, reason string) {
	conn, err := h.upgrader.Upgrade(w, r, header)
	if err != nil {
		return
	}
	h.node.Warn("xano_refused", nil, "xano connection refused: "+reason)
	_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
	_ = conn.Close()
}

// client handles one Xano connection's frames on its reader goroutine.
type client struct {
	sock *channels.Socket
}

func (c *client) send(b []byte) { c.sock.Enqueue(protocol.Frame{Data: b}) }

func (c *client) fail(channel, message string) { c.send(xproto.EncodeError(channel, message)) }

func (c *client) handleFrame(ctx context.Context, data []byte, binary bool) {
	if binary {
		c.fail("", "binary frames are not supported")
		return
	}
	req, err := xproto.Decode(data)
	if err != nil {
		c.sock.Node().Warn("malformed_frame", nil, "malformed xano frame: "+err.Error())
		c.fail("", strings.TrimPrefix(err.Error(), "xano: "))
		return
	}
	if req.Channel == "" && req.Action != "" {
		c.fail("", "options.channel is required")
		return
	}
	switch req.Action {
	case xproto.ActionJoin:
		c.join(ctx, req)
	case xproto.ActionLeave:
		c.sock.Leave(req.Channel)
	case xproto.ActionMessage:
		c.message(ctx, req)
	case xproto.ActionHistory:
		c.history(req)
	default:
		c.fail(req.Channel, "unknown action: "+req.Action)
	}
}

func (c *client) join(ctx context.Context, req xproto.Request) {
	if cur := c.sock.Channel(req.Channel); cur != nil {
		if cur.ReceivesPresence() == req.WantPresence {
			return // the SDK sends duplicate joins: joining twice is a no-op
		}
		// The same channel joined again with other flags: rejoin with the new ones.
		c.sock.Leave(req.Channel)
	}
	ch, err := c.sock.Join(ctx, channels.JoinRequest{
		Topic: req.Channel, WantPresence: req.WantPresence, Track: req.WantPresence,
	}, nil)
	if err != nil {
		c.fail(req.Channel, refusal(err))
		return
	}
	if req.WantHistory && ch.Set() != nil && ch.Set().History > 0 {
		c.send(historyFrame(req.Channel, c.sock.Node().History(ch), ""))
	}
}

func (c *client) message(ctx context.Context, req xproto.Request) {
	ch := c.sock.Channel(req.Channel)
	if ch == nil {
		c.fail(req.Channel, "join the channel before sending messages")
		return
	}
	send := func() {
		err := c.sock.Send(ctx, ch, channels.SendRequest{
			Event: "message", Payload: channels.Payload{JSON: req.Payload},
			Authenticated: req.Authenticated, TargetClient: req.SocketID,
			NoDefaultAudience: true, // §4: a Xano message without options is public
		})
		if err != nil {
			c.fail(req.Channel, refusal(err))
		}
	}
	if c.sock.Node().NeedsAsync(ch, channels.TriggerMessage) {
		if !ch.Go(send) {
			c.fail(req.Channel, "too many pending messages")
		}
		return
	}
	send()
}

func (c *client) history(req xproto.Request) {
	ch := c.sock.Channel(req.Channel)
	if ch == nil {
		c.fail(req.Channel, "join the channel before requesting history")
		return
	}
	c.send(historyFrame(req.Channel, c.sock.Node().History(ch), req.SocketID))
}

// xanoWording maps the core's reasons to the wording the hosted Xano service uses, where it
// is known (xano-realtime.md §4.3, §7).
var xanoWording = map[string]string{
	permissions.ReasonAnonymousJoin: "Anonymous clients cannot join this channel.",
}

func refusal(err error) string {
	var re *channels.ReplyError
	if errors.As(err, &re) {
		if w, ok := xanoWording[re.Reason]; ok {
			return w
		}
		return re.Reason
	}
	return err.Error()
}
