// Package ws is the WebSocket transport: it upgrades HTTP requests with gorilla/websocket and
// runs, per connection, one reader, an on-demand handler and an on-demand writer, feeding
// decoded frames to the core. The Phoenix endpoint (<socket_path>/websocket) lives here; the
// Xano adapter reuses Conn with its own frame handler.
//
// An idle connection owns only its reader goroutine, parked in a read with a small stack:
// frames are handled on a handler goroutine that exits when the inbox is empty (so the deep
// stacks of join handling are not kept by idle readers), and the writer goroutine exits after
// writerIdle without frames.
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
	// writerIdle is how long a writer goroutine waits for more frames before it exits; a
	// busy connection keeps its writer instead of starting one per frame.
	writerIdle = time.Second
	// maxInbox bounds the frames read but not yet handled; the reader waits beyond it, which
	// pushes back on the client through TCP.
	maxInbox = 64
)

// FrameHandler handles one inbound data frame. Frames of one connection are handled one at a
// time, in order.
type FrameHandler func(ctx context.Context, data []byte, binary bool)

// Conn is one upgraded WebSocket bound to a core Socket. It implements channels.Transport.
type Conn struct {
	ws           *websocket.Conn
	socket       *channels.Socket
	writeTimeout time.Duration
	idleTimeout  time.Duration

	// Owned by the writer goroutine (one at a time).
	batch    []protocol.Frame
	deadline time.Time // the write deadline in force

	ready     atomic.Bool   // ws is set; before that Wake only records the need
	writing   atomic.Bool   // a writer goroutine is running
	wake      chan struct{} // nudges a running writer (capacity 1)
	done      chan struct{} // closed when the connection ended: a waiting writer exits
	closeOnce sync.Once
	closeReq  atomic.Pointer[closeRequest]
	closed    atomic.Bool // the close frame was written (or the conn failed)

	inbox inbox
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
	return &Conn{idleTimeout: idle, writeTimeout: write, wake: make(chan struct{}, 1), done: make(chan struct{})}
}

// Attach binds the upgraded connection and the core socket, then flushes anything queued
// meanwhile.
func (c *Conn) Attach(ws *websocket.Conn, s *channels.Socket) {
	c.ws, c.socket = ws, s
	c.ready.Store(true)
	c.Wake()
}

// Wake makes sure a writer runs and will look at the queue. It never blocks.
func (c *Conn) Wake() {
	if !c.ready.Load() {
		return
	}
	select {
	case c.wake <- struct{}{}:
	default: // a nudge is already pending
	}
	if c.writing.CompareAndSwap(false, true) {
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

// writeLoop drains the socket's queue; when it is empty it waits up to writerIdle for a Wake,
// then exits. A later Wake starts a new writer.
func (c *Conn) writeLoop() {
	idle := time.NewTimer(writerIdle)
	defer idle.Stop()
	for {
		if req := c.closeReq.Load(); req != nil {
			c.socket.Drain(nil) // pending frames are dropped: the client is going away
			c.writeClose(req)
			c.writing.Store(false)
			return
		}
		c.batch = c.socket.Drain(c.batch)
		if len(c.batch) > 0 {
			err := c.writeBatch(c.batch)
			clear(c.batch)
			if err != nil {
				c.fail()
				c.writing.Store(false)
				return
			}
			continue
		}
		idle.Reset(writerIdle)
		select {
		case <-c.wake:
			continue
		case <-c.done:
			c.writing.Store(false)
			return
		case <-idle.C:
		}
		c.writing.Store(false)
		// A frame (or close request) may have arrived between the timeout and the Store.
		if (c.socket.Pending() || c.closeReq.Load() != nil) && c.writing.CompareAndSwap(false, true) {
			continue
		}
		return
	}
}

func (c *Conn) writeBatch(frames []protocol.Frame) error {
	if c.closed.Load() {
		return errors.New("ws: closed")
	}
	// Moving the deadline costs a timer update; do it only when less than half is left.
	if now := time.Now(); c.deadline.Sub(now) < c.writeTimeout/2 {
		c.deadline = now.Add(c.writeTimeout)
		if err := c.ws.SetWriteDeadline(c.deadline); err != nil {
			return err
		}
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
// TCP and terminates the socket once the handler has finished. pingInterval > 0 sends
// WebSocket pings (for clients without an application heartbeat).
func (c *Conn) Serve(ctx context.Context, handle FrameHandler, pingInterval time.Duration) {
	c.inbox.init(ctx, handle)
	defer func() {
		c.closed.Store(true)
		c.closeOnce.Do(func() { _ = c.ws.NetConn().Close() })
		c.inbox.closeAndWait()
		c.socket.Terminate()
		close(c.done)
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
		c.inbox.push(inFrame{data: data, binary: mt == websocket.BinaryMessage})
	}
}

// inFrame is one frame read and waiting to be handled.
type inFrame struct {
	data   []byte
	binary bool
}

// inbox hands frames from the reader to a handler goroutine started on demand, in order,
// one at a time.
type inbox struct {
	ctx    context.Context
	handle FrameHandler

	mu      sync.Mutex
	cond    sync.Cond // signalled when frames are taken or the handler stops
	frames  []inFrame // guarded by mu
	running bool      // a handler goroutine is running; guarded by mu
	closed  bool      // guarded by mu
}

func (b *inbox) init(ctx context.Context, handle FrameHandler) {
	b.ctx, b.handle = ctx, handle
	b.cond.L = &b.mu
}

// push queues f, waiting while the inbox is full.
func (b *inbox) push(f inFrame) {
	b.mu.Lock()
	for len(b.frames) >= maxInbox && !b.closed {
		b.cond.Wait()
	}
	b.frames = append(b.frames, f)
	start := !b.running
	b.running = true
	b.mu.Unlock()
	if start {
		go b.run()
	}
}

func (b *inbox) run() {
	var batch []inFrame
	for {
		b.mu.Lock()
		if len(b.frames) == 0 || b.closed && len(b.frames) == 0 {
			b.running = false
			b.cond.Broadcast()
			b.mu.Unlock()
			return
		}
		batch = append(batch[:0], b.frames...)
		clear(b.frames)
		b.frames = b.frames[:0]
		b.cond.Broadcast()
		b.mu.Unlock()
		for _, f := range batch {
			b.handle(b.ctx, f.data, f.binary)
		}
		clear(batch)
	}
}

// closeAndWait stops accepting frames and waits for the handler to finish what was read.
func (b *inbox) closeAndWait() {
	b.mu.Lock()
	b.closed = true
	b.cond.Broadcast()
	for b.running {
		b.cond.Wait()
	}
	b.mu.Unlock()
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
