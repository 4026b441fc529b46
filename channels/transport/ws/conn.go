// Package ws is the WebSocket transport: it upgrades HTTP requests with gorilla/websocket and
// runs, per connection, one reader and an on-demand handler, feeding decoded frames to the
// core. The Phoenix endpoint (<socket_path>/websocket) lives here; the Xano adapter reuses
// Conn with its own frame handler.
//
// An idle connection owns only its reader goroutine, parked in a read with a small stack:
// frames are handled on a handler goroutine that exits when the inbox is empty (so the deep
// stacks of join handling are not kept by idle readers).
//
// Writes take the fast path on plain TCP: a woken connection joins a FIFO ready queue that a
// few shared writer workers drain with non-blocking write(2) calls of pre-framed bytes (no
// goroutine, timer or deadline per delivery, and sockets are served in the order they were
// woken). A write that would block hands the connection to a goroutine of its own that
// finishes with ordinary blocking writes (see writeLoop), so a slow client never stalls a
// worker. TLS connections always use that goroutine.
package ws

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
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
	raw          syscall.RawConn // non-blocking fast path; nil on TLS
	writeTimeout time.Duration
	idleTimeout  time.Duration

	// Owned by whoever holds writing (a fast-path worker or the writeLoop goroutine).
	batch    []protocol.Frame
	deadline time.Time // the write deadline in force
	unsent   []byte    // the tail of a fast-path write that would have blocked

	ready        atomic.Bool   // ws is set; before that Wake only records the need
	writing      atomic.Bool   // a writer (worker or goroutine) owns the connection's writes
	wake         chan struct{} // nudges a running writeLoop (capacity 1)
	closeOnce    sync.Once
	closeReq     atomic.Pointer[closeRequest]
	closed       atomic.Bool // the close frame is being written (or the conn failed)
	closeWritten atomic.Bool // the close frame was written (or could not be)
	pingDue      atomic.Bool
	pong         atomic.Pointer[string] // application data of a pong owed to the client

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
	return &Conn{idleTimeout: idle, writeTimeout: write, wake: make(chan struct{}, 1)}
}

// Attach binds the upgraded connection and the core socket, then flushes anything queued
// meanwhile.
func (c *Conn) Attach(ws *websocket.Conn, s *channels.Socket) {
	c.ws, c.socket = ws, s
	if tc, ok := ws.NetConn().(*net.TCPConn); ok {
		if rc, err := tc.SyscallConn(); err == nil {
			c.raw = rc
		}
	}
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
		c.startWriter()
	}
}

// startWriter runs the owner of the connection's writes; the caller holds writing.
func (c *Conn) startWriter() {
	if c.raw != nil {
		writers.schedule(c)
		return
	}
	go c.writeLoop()
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

// hasWork reports whether the writer has something to do.
func (c *Conn) hasWork() bool {
	return c.socket.Pending() || c.closeReq.Load() != nil || c.pingDue.Load() || c.pong.Load() != nil
}

// release gives up write ownership; it reports true when work arrived meanwhile and
// ownership was taken back (the caller must carry on).
func (c *Conn) release() bool {
	c.writing.Store(false)
	return c.hasWork() && c.writing.CompareAndSwap(false, true)
}

// writeFast is one turn of a fast-path worker for c: it frames everything queued into buf
// and writes it with one non-blocking write. It returns buf for reuse and whether c must be
// queued again (more work arrived). Anything that may block (a close, the tail of a write
// the kernel refused) is handed to a writeLoop goroutine, which then owns the connection.
func (c *Conn) writeFast(buf []byte) ([]byte, bool) {
	if c.closed.Load() {
		c.socket.Drain(nil) // nothing more is written; later Wakes find it closed again
		c.writing.Store(false)
		return buf, false
	}
	if c.closeReq.Load() != nil {
		go c.writeLoop()
		return buf, false
	}
	buf = buf[:0]
	if p := c.pong.Swap(nil); p != nil {
		buf = appendFrame(buf, websocket.PongMessage, []byte(*p))
	}
	if c.pingDue.Swap(false) {
		buf = appendFrame(buf, websocket.PingMessage, nil)
	}
	c.batch = c.socket.Drain(c.batch)
	for _, f := range c.batch {
		mt := websocket.TextMessage
		if f.Binary {
			mt = websocket.BinaryMessage
		}
		buf = appendFrame(buf, mt, f.Data)
	}
	clear(c.batch)
	if len(buf) > 0 {
		n, err := c.writeNonBlocking(buf)
		switch {
		case err != nil:
			c.fail()
			return buf, c.release()
		case n < len(buf):
			c.unsent = append(c.unsent[:0], buf[n:]...)
			go c.writeLoop()
			return buf, false
		}
	}
	if cap(buf) > maxWorkerBuf {
		buf = nil // one huge frame should not pin its buffer
	}
	return buf, c.release()
}

// writeNonBlocking writes as much of b as the socket takes now, without waiting.
func (c *Conn) writeNonBlocking(b []byte) (int, error) {
	var n int
	var werr error
	err := c.raw.Write(func(fd uintptr) bool {
		for n < len(b) {
			m, err := syscall.Write(int(fd), b[n:])
			if err == syscall.EINTR {
				continue
			}
			if err == syscall.EAGAIN {
				return true // would block: the caller hands the rest to a goroutine
			}
			if err != nil {
				werr = err
				return true
			}
			if m <= 0 {
				return true
			}
			n += m
		}
		return true
	})
	if werr == nil {
		werr = err
	}
	return n, werr
}

// appendFrame appends one unmasked, unfragmented server frame (RFC 6455 §5.2).
func appendFrame(buf []byte, messageType int, payload []byte) []byte {
	buf = append(buf, 0x80|byte(messageType))
	switch n := len(payload); {
	case n < 126:
		buf = append(buf, byte(n))
	case n <= 0xFFFF:
		buf = append(buf, 126, byte(n>>8), byte(n))
	default:
		buf = append(buf, 127)
		buf = binary.BigEndian.AppendUint64(buf, uint64(n))
	}
	return append(buf, payload...)
}

// writeLoop owns the connection's writes with ordinary blocking writes: for TLS, for a
// close, and for a socket whose fast-path write would have blocked. When the queue is empty
// it waits up to writerIdle for a Wake, then exits. A later Wake starts a new writer.
func (c *Conn) writeLoop() {
	idle := time.NewTimer(writerIdle)
	defer idle.Stop()
	for {
		if len(c.unsent) > 0 {
			err := c.writeRaw(c.unsent)
			c.unsent = c.unsent[:0]
			if err != nil {
				c.fail()
			}
		}
		if req := c.closeReq.Load(); req != nil {
			c.socket.Drain(nil) // pending frames are dropped: the client is going away
			c.writeClose(req)
			c.writing.Store(false)
			return
		}
		if c.closed.Load() {
			c.socket.Drain(nil)
			c.writing.Store(false)
			return
		}
		if err := c.writeControl(); err != nil {
			c.fail()
			continue
		}
		c.batch = c.socket.Drain(c.batch)
		if len(c.batch) > 0 {
			err := c.writeBatch(c.batch)
			clear(c.batch)
			if err != nil {
				c.fail()
			}
			continue
		}
		if c.raw != nil && c.release() {
			// Caught up: hand the socket back to the fast path.
			writers.schedule(c)
			return
		} else if c.raw != nil {
			return
		}
		idle.Reset(writerIdle)
		select {
		case <-c.wake:
			continue
		case <-idle.C:
		}
		if c.release() {
			continue
		}
		return
	}
}

// writeRaw writes pre-framed bytes with a blocking write bounded by the write timeout.
func (c *Conn) writeRaw(b []byte) error {
	nc := c.ws.NetConn()
	if err := nc.SetWriteDeadline(time.Now().Add(c.writeTimeout)); err != nil {
		return err
	}
	_, err := nc.Write(b)
	c.deadline = time.Time{} // gorilla's own deadline must be set again before its next write
	return err
}

// writeControl sends an owed pong and a due ping.
func (c *Conn) writeControl() error {
	if p := c.pong.Swap(nil); p != nil {
		if err := c.ws.WriteControl(websocket.PongMessage, []byte(*p), time.Now().Add(c.writeTimeout)); err != nil {
			return err
		}
	}
	if c.pingDue.Swap(false) {
		return c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(c.writeTimeout))
	}
	return nil
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
	defer c.closeWritten.Store(true)
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

// onPing queues the pong on the writer: every write goes through the connection's single
// writer, so a pong can never land inside a partly written frame.
func (c *Conn) onPing(appData string) error {
	c.pong.Store(&appData)
	c.Wake()
	return nil
}

// onClose answers the client's close through the writer and waits (bounded) until it was
// written, since the reader drops TCP as soon as this returns.
func (c *Conn) onClose(code int, _ string) error {
	if code == websocket.CloseNoStatusReceived {
		code = websocket.CloseNormalClosure
	}
	c.Close(code, "")
	for deadline := time.Now().Add(closeGrace); !c.closeWritten.Load() && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	return nil
}

// writerPool is the fast path's FIFO ready queue of connections and its workers. Workers
// start on demand (at most one per P) and exit when the queue is empty.
type writerPool struct {
	mu      sync.Mutex
	queue   []*Conn // guarded by mu
	head    int     // guarded by mu
	running int     // guarded by mu
}

// writers serves every fast-path connection of the process.
var writers writerPool

// maxWorkerBuf caps the framing buffer a worker keeps between connections.
const maxWorkerBuf = 64 << 10

// schedule queues c (whose writing flag the caller holds) behind the connections woken
// before it.
func (p *writerPool) schedule(c *Conn) {
	p.mu.Lock()
	p.queue = append(p.queue, c)
	start := p.running < runtime.GOMAXPROCS(0)
	if start {
		p.running++
	}
	p.mu.Unlock()
	if start {
		go p.work()
	}
}

func (p *writerPool) next() *Conn {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.head == len(p.queue) {
		p.running--
		if cap(p.queue) > 1<<16 {
			p.queue = nil // let a burst's backing array go
		} else {
			p.queue = p.queue[:0]
		}
		p.head = 0
		return nil
	}
	c := p.queue[p.head]
	p.queue[p.head] = nil
	p.head++
	return c
}

// workerBufs keeps the workers' framing buffers between bursts: workers come and go with
// the load, and a fresh 4 KiB buffer per worker start would be most of the garbage an idle
// server makes (one per heartbeat).
var workerBufs = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

func (p *writerPool) work() {
	bp := workerBufs.Get().(*[]byte)
	buf := *bp
	for c := p.next(); c != nil; c = p.next() {
		var again bool
		buf, again = c.writeFast(buf)
		if again {
			p.schedule(c)
		}
	}
	if buf != nil {
		*bp = buf[:0]
		workerBufs.Put(bp)
	}
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
		c.Wake() // a writer waiting for work wakes, finds the connection closed and exits
	}()
	extend := func() { _ = c.ws.SetReadDeadline(time.Now().Add(c.idleTimeout)) }
	extend()
	c.ws.SetPongHandler(func(string) error { extend(); return nil })
	c.ws.SetPingHandler(c.onPing)
	c.ws.SetCloseHandler(c.onClose)
	if pingInterval > 0 {
		p := &pinger{c: c, every: pingInterval}
		p.t.Store(time.AfterFunc(pingInterval, p.fire))
		defer p.stop()
	}
	for {
		mt, data, err := c.readMessage()
		if err != nil {
			return
		}
		extend()
		c.inbox.push(inFrame{data: data, binary: mt == websocket.BinaryMessage})
	}
}

// readBufs are scratch buffers for reading messages: a message is read into one and copied
// out at its exact size (gorilla's ReadMessage starts every message with a 512-byte buffer,
// most of the garbage of a heartbeat).
var readBufs = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// maxPooledReadBuf keeps a huge message's buffer out of the pool.
const maxPooledReadBuf = 64 << 10

// readMessage reads the next data message; the returned bytes belong to the caller.
func (c *Conn) readMessage() (int, []byte, error) {
	mt, r, err := c.ws.NextReader()
	if err != nil {
		return mt, nil, err
	}
	bp := readBufs.Get().(*[]byte)
	buf := (*bp)[:0]
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return mt, nil, err
		}
	}
	data := append([]byte(nil), buf...)
	if cap(buf) <= maxPooledReadBuf {
		*bp = buf[:0]
		readBufs.Put(bp)
	}
	return mt, data, nil
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
	p.c.pingDue.Store(true)
	p.c.Wake()
	if t := p.t.Load(); t != nil {
		t.Reset(p.every)
	}
}

func (p *pinger) stop() {
	if t := p.t.Load(); t != nil {
		t.Stop()
	}
}
