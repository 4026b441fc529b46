package webhooks

import (
	"errors"
	"testing"
)

func TestCompileEndpoint(t *testing.T) {
	tests := []struct {
		name    string
		ep      Endpoint
		wantErr bool
	}{
		{"valid", Endpoint{URL: "https://hooks.example/x", Channels: []string{"room/*"}, Events: []string{"join"}}, false},
		{"all events by default", Endpoint{URL: "http://127.0.0.1:1/", Channels: []string{"*"}}, false},
		{"not http", Endpoint{URL: "ftp://x/", Channels: []string{"*"}}, true},
		{"no host", Endpoint{URL: "http:///x", Channels: []string{"*"}}, true},
		{"no channels", Endpoint{URL: "http://x/"}, true},
		{"bad pattern", Endpoint{URL: "http://x/", Channels: []string{"a/{1x}"}}, true},
		{"unknown event", Endpoint{URL: "http://x/", Channels: []string{"*"}, Events: []string{"publish"}}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := compileEndpoint(tc.ep)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if err != nil && !errors.Is(err, ErrInvalidEndpoint) {
				t.Fatalf("error %v is not ErrInvalidEndpoint", err)
			}
		})
	}
}

func TestEndpointWants(t *testing.T) {
	ep, err := compileEndpoint(Endpoint{URL: "http://x/", Channels: []string{"notifications/*", "team/{id}"}, Events: []string{"message", "join"}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		event   eventMask
		channel string
		want    bool
	}{
		{"message on a matching channel", maskMessage, "notifications/a", true},
		{"join on a capture pattern", maskJoin, "team/7", true},
		{"leave not subscribed", maskLeave, "notifications/a", false},
		{"presence not subscribed", maskPresence, "team/7", false},
		{"other channel", maskMessage, "room/1", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ep.wants(tc.event, tc.channel); got != tc.want {
				t.Fatalf("wants = %v, want %v", got, tc.want)
			}
		})
	}
}
