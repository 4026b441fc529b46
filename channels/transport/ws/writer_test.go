package ws

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/phxserver/phxserver/channels"
)

// A client that stops reading makes the fast path's non-blocking write come up short; the
// rest must go out through the connection's own writer, in order and intact, once it reads.
func TestSlowReaderGetsEveryFrameInOrder(t *testing.T) {
	// A queue large enough that the kernel's socket buffers fill before the core calls the
	// client slow.
	srv, node := newServerWithLimits(t, Config{}, channels.Limits{QueueBytes: 256 << 20, QueueFrames: 100000})
	c, _, err := websocket.DefaultDialer.Dial(wsURL(srv, "vsn=2.0.0"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.WriteMessage(websocket.TextMessage, []byte(`["1","1","room:slow","phx_join",{}]`)); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(3 * time.Second))
	if _, data, err := c.ReadMessage(); err != nil || !strings.Contains(string(data), `"ok"`) {
		t.Fatalf("join reply %s %v", data, err)
	}
	const frames = 300
	pad := strings.Repeat("x", 64<<10)
	for i := range frames {
		node.Broadcast(context.Background(), channels.BroadcastRequest{Topic: "room:slow", Event: "big",
			Payload: json.RawMessage(fmt.Sprintf(`{"i":%d,"pad":%q}`, i, pad))})
	}
	time.Sleep(200 * time.Millisecond) // the kernel buffers fill while nobody reads
	for i := range frames {
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, data, err := c.ReadMessage()
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		var msg []json.RawMessage
		if err := json.Unmarshal(data, &msg); err != nil || len(msg) != 5 {
			t.Fatalf("frame %d is not a V2 message: %.80s", i, data)
		}
		var p struct {
			I   int    `json:"i"`
			Pad string `json:"pad"`
		}
		if err := json.Unmarshal(msg[4], &p); err != nil || p.I != i || len(p.Pad) != len(pad) {
			t.Fatalf("frame %d carries i=%d (pad %d bytes): %v", i, p.I, len(p.Pad), err)
		}
	}
}

func TestControlFramesGoThroughTheWriter(t *testing.T) {
	srv, _ := newServer(t, Config{})
	c, _, err := websocket.DefaultDialer.Dial(wsURL(srv, "vsn=2.0.0"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	pong := make(chan string, 1)
	c.SetPongHandler(func(s string) error { pong <- s; return nil })
	if err := c.WriteControl(websocket.PingMessage, []byte("hello"), time.Now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	// A heartbeat reply and the pong must both arrive, each intact.
	if err := c.WriteMessage(websocket.TextMessage, []byte(`[null,"7","phoenix","heartbeat",{}]`)); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
	_, data, err := c.ReadMessage() // runs the pong handler on the way
	if err != nil || string(data) != `[null,"7","phoenix","phx_reply",{"status":"ok","response":{}}]` {
		t.Fatalf("heartbeat reply %s %v", data, err)
	}
	select {
	case got := <-pong:
		if got != "hello" {
			t.Fatalf("pong payload %q", got)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("no pong")
	}
	// The client's close code is echoed (the Xano SDK reconnects only when 4000 comes back).
	if err := c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(4000, "bye"), time.Now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	_, _, err = c.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != 4000 {
		t.Fatalf("close echo: %v", err)
	}
}
