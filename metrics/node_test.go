package metrics

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/phxserver/phxserver/channels"
	"github.com/phxserver/phxserver/channels/permissions"
	"github.com/phxserver/phxserver/protocol"
)

// anonymousAuth admits every connection anonymously.
type anonymousAuth struct{}

func (anonymousAuth) Authenticate(context.Context, string) (channels.Identity, error) {
	return channels.Identity{}, nil
}

// discardTransport drops every frame; Close terminates the socket like a real transport would.
type discardTransport struct{ sock *channels.Socket }

func (t *discardTransport) Wake() {
	if t.sock != nil {
		t.sock.Drain(nil)
	}
}
func (t *discardTransport) Close(int, string) {}

// testNode is a running node with an anonymous chat set on room:*.
func testNode(t *testing.T) *channels.Node {
	t.Helper()
	table, err := permissions.Compile([]permissions.SetSpec{{
		Pattern: "room:*", Active: true, Origin: "test",
		Permissions: []string{"anonymous_clients", "client_public_messaging", "presence"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	node, err := channels.NewNode(channels.Options{Policy: table, Authenticator: anonymousAuth{}, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = node.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return node
}

// connect opens a Phoenix V2 socket on node; it is terminated at cleanup.
func connect(t *testing.T, node *channels.Node, transport string) *channels.Socket {
	t.Helper()
	tr := &discardTransport{}
	s, err := node.Connect(context.Background(), channels.ConnectRequest{
		Dialect: channels.PhoenixDialect(protocol.V2JSON), Transport: tr, TransportName: transport,
	})
	if err != nil {
		t.Fatal(err)
	}
	tr.sock = s
	t.Cleanup(s.Terminate)
	return s
}

func push(s *channels.Socket, topic, event, payload string) {
	s.HandlePhoenix(context.Background(), protocol.Message{
		JoinRef: "1", Ref: "2", Topic: topic, Event: event, Payload: json.RawMessage(payload),
	})
}

// eventually polls cond for up to two seconds (presence is tracked asynchronously).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
