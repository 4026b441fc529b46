// Package ws is the WebSocket transport: it upgrades HTTP requests with gorilla/websocket,
// runs one reader (the request goroutine) and an on-demand writer per connection, and feeds
// decoded frames to the core. The Phoenix endpoint (<socket_path>/websocket) lives here; the
// Xano adapter reuses Conn with its own frame handler.
package ws

import (
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/phxserver/phxserver/channels"
	"github.com/phxserver/phxserver/protocol"
)

// Timing defaults (gorilla's chat example names them the same way).
const (
	// DefaultIdleTimeout closes a connection that sent nothing for this long (Phoenix: 60 s).
	DefaultIdleTimeout = 60 * time.Second
	// DefaultWriteTimeout bounds one batch of writes to a client.
	DefaultWriteTimeout = 10 * time.Second
	// closeGrace is how long we wait for the client's close reply before dropping TCP.
	closeGrace = time.Second
)

// FrameHandler handles one inbound data frame on the reader goroutine.
type FrameHandler func(ctx context.Context, data []byte, binary bool)

// Conn is one upgraded WebSocket bound to a core Socket. It implements channels.Transport.
type Conn struct {
	ws           *websocket.Conn
	socket       *channels.Socket
	writeTimeout time.Duration
	idleTimeout  time.Duration

	// Owned by the writer goroutine (one at a time, started on demand).
	batch []protocol.Frame

	ready     atomic.Bool // ws is set; before that Wake only records the need
	writing   atomic.Bool // a writer goroutine is running
	closeOnce sync.Once
	closeReq  atomic.Pointer[closeRequest]
	closed    atomic.Bool // the close frame was written (or the conn failed)
}

type closeRequest struct {
	code   int
	reason string
}

// NewConn returns a transport for a socket whose WebSocket is not upgraded yet: the core
// needs the transport to create the socket, and the upgrade happens after authentication.
// Call Attach once upgraded.
func NewConn(idle, write time.Duration) *Conn {
	if idle <= 0 {
		idle = DefaultIdleTimeout
	}
	if write <= 0 {
		write = DefaultWriteTimeout
	}
	return &Conn{idleTimeout: idle, writeTimeout: write}
}

// Attach binds the upgraded connection and the core socket, then flushes anything queued
// meanwhile.
func (c *Conn) Attach(ws *websocket.Conn, s *channels.Socket) {
	c.ws, c.socket = ws, s
	c.ready.Store(true)
	c.Wake()
}

// Wake starts the writer if it is not running. It never blocks.
func (c *Conn) Wake() {
	if c.ready.Load() && c.writing.CompareAndSwap(false, true) {
		go c.writeLoop()
	}
}

// Close asks the writer to send a close frame with code and reason, then drop the
// connection. It never blocks and only the first call counts.
func (c *Conn) Close(code int, reason string) {
	if len(reason) > 120 {
		reason = reason[:120] // a close frame's payload is at most 125 bytes
	}
	c.closeReq.CompareAndSwap(nil, &closeRequest{code: code, reason: reason})
	c.Wake()
}

// writeLoop drains the socket's queue until it is empty, then exits; a later Wake starts a new
// one. Idle connections thus hold no writer goroutine.
func (c *Conn) writeLoop() {
	for {
		if req := c.closeReq.Load(); req != nil {
			c.socket.Drain(nil) // pending frames are dropped: the client is going away
			c.writeClose(req)
			c.writing.Store(false)
			return
		}
		c.batch = c.socket.Drain(c.batch)
		if len(c.batch) == 0 {
			c.writing.Store(false)
			// A frame (or close request) may have arrived between Drain and Store.
			if (c.socket.Pending() || c.closeReq.Load() != nil) && c.writing.CompareAndSwap(false, true) {
				continue
			}
			return
		}
		if err := c.writeBatch(c.batch); err != nil {
			c.fail()
			c.writing.Store(false)
			return
		}
		clear(c.batch)
	}
}

func (c *Conn) writeBatch(frames []protocol.Frame) error {
	if c.closed.Load() {
		return errors.New("ws: closed")
	}
	if err := c.ws.SetWriteDeadline(time.Now().Add(c.writeTimeout)); err != nil {
		return err
	}
	for _, f := range frames {
		mt := websocket.TextMessage
		if f.Binary {
			mt = websocket.BinaryMessage
		}
		if err := c.ws.WriteMessage(mt, f.Data); err != nil {
			return err
		}
	}
	return nil
}

func (c *Conn) writeClose(req *closeRequest) {
	if !c.closed.CompareAndSwap(false, true) {
		return
	}
	msg := websocket.FormatCloseMessage(req.code, req.reason)
	_ = c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(c.writeTimeout))
	// Give the client a moment to answer the close, then the reader's deadline drops TCP.
	_ = c.ws.SetReadDeadline(time.Now().Add(closeGrace))
}

// fail drops the TCP connection at once; the reader then stops and terminates the socket.
func (c *Conn) fail() {
	c.closed.Store(true)
	c.closeOnce.Do(func() { _ = c.ws.NetConn().Close() })
}

// Serve runs the read loop on the calling goroutine until the connection ends, then closes
// TCP and terminates the socket. pingInterval > 0 sends WebSocket pings (for clients without
// an application heartbeat).
func (c *Conn) Serve(ctx context.Context, handle FrameHandler, pingInterval time.Duration) {
	defer func() {
		c.closed.Store(true)
		c.closeOnce.Do(func() { _ = c.ws.NetConn().Close() })
		c.socket.Terminate()
	}()
	extend := func() { _ = c.ws.SetReadDeadline(time.Now().Add(c.idleTimeout)) }
	extend()
	c.ws.SetPongHandler(func(string) error { extend(); return nil })
	if pingInterval > 0 {
		p := &pinger{c: c, every: pingInterval}
		p.t.Store(time.AfterFunc(pingInterval, p.fire))
		defer p.stop()
	}
	for {
		mt, data, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		extend()
		handle(ctx, data, mt == websocket.BinaryMessage)
	}
}

// IsTimeout reports whether err is a network timeout (used in tests).
func IsTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// pinger sends WebSocket pings so that dead peers and NAT idle-kills are noticed.
type pinger struct {
	c     *Conn
	every time.Duration
	t     atomic.Pointer[time.Timer]
}

func (p *pinger) fire() {
	if p.c.closed.Load() {
		return
	}
	_ = p.c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(p.c.writeTimeout))
	if t := p.t.Load(); t != nil {
		t.Reset(p.every)
	}
}

func (p *pinger) stop() {
	if t := p.t.Load(); t != nil {
		t.Stop()
	}
}
