package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// handshakeTimeout bounds one connect and one join.
const handshakeTimeout = 15 * time.Second

// phxConn is one Phoenix V2 client connection. Writes are serialised (heartbeats and pushes
// may come from different goroutines); reads belong to one goroutine at a time.
type phxConn struct {
	ws  *websocket.Conn
	wmu sync.Mutex
	ref atomic.Uint64
}

// errJoinRefused is a join answered with an error status.
var errJoinRefused = errors.New("phxload: join refused")

// dial opens connection number i (which picks its source address) with an optional token.
func dial(ctx context.Context, t *target, i int, token string) (*phxConn, error) {
	nd := &net.Dialer{LocalAddr: &net.TCPAddr{IP: t.sources[i%len(t.sources)]}, Timeout: handshakeTimeout}
	d := websocket.Dialer{
		NetDialContext:   nd.DialContext,
		HandshakeTimeout: handshakeTimeout,
		// Small buffers: phxload holds thousands of connections on the same machine.
		ReadBufferSize:  512,
		WriteBufferSize: 512,
	}
	u := *t.url
	if token != "" {
		q := u.Query()
		q.Set("token", token)
		u.RawQuery = q.Encode()
	}
	ws, resp, err := d.DialContext(ctx, u.String(), nil)
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close()
	}
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("dial: %w (HTTP %d)", err, resp.StatusCode)
		}
		return nil, fmt.Errorf("dial: %w", err)
	}
	return &phxConn{ws: ws}, nil
}

// send writes one V2 text frame [join_ref, ref, topic, event, payload]; payload is raw JSON.
func (c *phxConn) send(joinRef, topic, event, payload string) error {
	ref := strconv.FormatUint(c.ref.Add(1), 10)
	jr := "null"
	if joinRef != "" {
		jr = strconv.Quote(joinRef)
	}
	frame := make([]byte, 0, 32+len(topic)+len(event)+len(payload))
	frame = append(frame, '[')
	frame = append(frame, jr...)
	frame = append(frame, ',')
	frame = strconv.AppendQuote(frame, ref)
	frame = append(frame, ',')
	frame = strconv.AppendQuote(frame, topic)
	frame = append(frame, ',')
	frame = strconv.AppendQuote(frame, event)
	frame = append(frame, ',')
	frame = append(frame, payload...)
	frame = append(frame, ']')
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(handshakeTimeout))
	return c.ws.WriteMessage(websocket.TextMessage, frame)
}

// heartbeat sends the Phoenix heartbeat the server's idle timeout expects.
func (c *phxConn) heartbeat() error { return c.send("", "phoenix", "heartbeat", "{}") }

// join joins topic with join_ref "1" and waits for its reply (frames before it are skipped).
func (c *phxConn) join(topic string) error {
	if err := c.send("1", topic, "phx_join", "{}"); err != nil {
		return fmt.Errorf("join %s: %w", topic, err)
	}
	_ = c.ws.SetReadDeadline(time.Now().Add(handshakeTimeout))
	defer func() { _ = c.ws.SetReadDeadline(time.Time{}) }()
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			return fmt.Errorf("join %s: %w", topic, err)
		}
		if !bytes.Contains(data, []byte(`"phx_reply"`)) {
			continue
		}
		if bytes.Contains(data, []byte(`"status":"ok"`)) {
			return nil
		}
		return fmt.Errorf("%w: %s", errJoinRefused, data)
	}
}

// joinMany pipelines count joins of <topic>-<k> (join_ref = ref) and waits for every reply.
func (c *phxConn) joinMany(topic string, count int) error {
	for k := range count {
		ref := strconv.Itoa(k + 2)
		if err := c.send(ref, topic+"-"+strconv.Itoa(k), "phx_join", "{}"); err != nil {
			return fmt.Errorf("join: %w", err)
		}
	}
	_ = c.ws.SetReadDeadline(time.Now().Add(handshakeTimeout))
	defer func() { _ = c.ws.SetReadDeadline(time.Time{}) }()
	for replies := 0; replies < count; {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			return fmt.Errorf("join: %w", err)
		}
		if !bytes.Contains(data, []byte(`"phx_reply"`)) {
			continue
		}
		if !bytes.Contains(data, []byte(`"status":"ok"`)) {
			return fmt.Errorf("%w: %s", errJoinRefused, data)
		}
		replies++
	}
	return nil
}

func (c *phxConn) close() { _ = c.ws.Close() }

// connectResult is the outcome of connectAll.
type connectResult struct {
	conns    []*phxConn // nil where the connection failed
	failures int
	firstErr error
	elapsed  time.Duration
}

// connectAll opens n connections with c concurrent workers and joins each to topic(i).
// token may be nil (anonymous).
func connectAll(ctx context.Context, t *target, n, c int, topic func(int) string, token func(int) string) connectResult {
	return connectAllEach(ctx, t, n, c, topic, token, nil)
}

// connectAllEach is connectAll with a hook: when handoff is non-nil, each joined connection is
// handed to it instead of being kept in the result.
func connectAllEach(ctx context.Context, t *target, n, c int, topic func(int) string, token func(int) string, handoff func(*phxConn)) connectResult {
	res := connectResult{}
	if handoff == nil {
		res.conns = make([]*phxConn, n)
	}
	var mu sync.Mutex
	next := atomic.Int64{}
	start := time.Now()
	var wg sync.WaitGroup
	for range c {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				tok := ""
				if token != nil {
					tok = token(i)
				}
				conn, err := dial(ctx, t, i, tok)
				if err == nil {
					if err = conn.join(topic(i)); err != nil {
						conn.close()
					}
				}
				if err == nil && handoff != nil {
					handoff(conn)
					continue
				}
				mu.Lock()
				if err != nil {
					res.failures++
					if res.firstErr == nil {
						res.firstErr = err
					}
				} else {
					res.conns[i] = conn
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res
}

// closeAll closes every open connection.
func closeAll(conns []*phxConn) {
	for _, c := range conns {
		if c != nil {
			c.close()
		}
	}
}
