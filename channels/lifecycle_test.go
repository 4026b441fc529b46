package channels

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestPhoenixLifecycleFrames(t *testing.T) {
	ok := `{"response":{},"status":"ok"}`
	tests := []struct {
		name  string
		setup []string // frames sent first; their replies are discarded
		send  string
		want  []string // exact frames, in order (presence frames are filtered out)
	}{
		{"heartbeat", nil, `[null,"12","phoenix","heartbeat",{}]`, []string{`[null,"12","phoenix","phx_reply",` + ok + `]`}},
		{"join ok echoes refs", nil, `["11","1","room:a","phx_join",{}]`, []string{`["11","1","room:a","phx_reply",` + ok + `]`}},
		{"unmatched topic join has null join_ref", nil, `["3","3","nosuch:a","phx_join",{}]`,
			[]string{`[null,"3","nosuch:a","phx_reply",{"response":{"reason":"unmatched topic"},"status":"error"}]`}},
		{"refused join", nil, `["3","3","members:a","phx_join",{}]`,
			[]string{`["3","3","members:a","phx_reply",{"response":{"reason":"anonymous clients cannot join this channel"},"status":"error"}]`}},
		{"event on unjoined topic", nil, `["3","4","room:b","shout",{}]`,
			[]string{`[null,"4","room:b","phx_reply",{"response":{"reason":"unmatched topic"},"status":"error"}]`}},
		{"duplicate join: new reply then old close", []string{`["3","3","room:a","phx_join",{}]`}, `["5","5","room:a","phx_join",{}]`,
			[]string{`["5","5","room:a","phx_reply",` + ok + `]`, `["3","3","room:a","phx_close",{}]`}},
		{"leave: reply then close", []string{`["3","3","room:a","phx_join",{}]`}, `["3","9","room:a","phx_leave",{}]`,
			[]string{`["3","9","room:a","phx_reply",` + ok + `]`, `["3","3","room:a","phx_close",{}]`}},
		{"leave unjoined: ok only", nil, `["3","9","room:z","phx_leave",{}]`, []string{`["3","9","room:z","phx_reply",` + ok + `]`}},
		{"leave with stale join_ref: nothing", []string{`["3","3","room:a","phx_join",{}]`}, `["2","9","room:a","phx_leave",{}]`, nil},
		{"push with stale join_ref ignored", []string{`["3","3","room:a","phx_join",{}]`}, `["2","9","room:a","shout",{"a":1}]`, nil},
		{"reserved event refused", []string{`["3","3","room:a","phx_join",{}]`}, `["3","9","room:a","phx_reply",{}]`,
			[]string{`["3","9","room:a","phx_reply",{"response":{"reason":"reserved event: phx_reply"},"status":"error"}]`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tn := newTestNode(t, Limits{})
			c := tn.connect("")
			for _, f := range tt.setup {
				c.send(f)
			}
			c.take()
			c.send(tt.send)
			var got []string
			for _, f := range c.take() {
				if ev, _ := f[3].(string); strings.HasPrefix(ev, "presence_") {
					continue
				}
				got = append(got, jsonOf(f))
			}
			if jsonOf(got) != jsonOf(tt.want) {
				t.Fatalf("frames\n got %s\nwant %s", jsonOf(got), jsonOf(tt.want))
			}
		})
	}
}

func TestTooManyChannels(t *testing.T) {
	tn := newTestNode(t, Limits{MaxChannelsPerSocket: 3})
	c := tn.connect("")
	for i := range 3 {
		c.send(`["1","1","room:` + string(rune('a'+i)) + `","phx_join",{}]`)
	}
	c.take()
	c.send(`["9","9","room:x","phx_join",{}]`)
	replies := findEvent(c.take(), "phx_reply")
	if len(replies) != 1 || jsonOf(replies[0][4]) != `{"response":{"reason":"too many channels joined"},"status":"error"}` {
		t.Fatalf("4th join: %v", replies)
	}
	// Rejoining a joined topic is not a new channel.
	c.send(`["10","10","room:a","phx_join",{}]`)
	if r := findEvent(c.take(), "phx_reply"); len(r) != 1 || r[0][4].(map[string]any)["status"] != "ok" {
		t.Fatalf("rejoin: %v", r)
	}
}

func TestBroadcastEchoAndSender(t *testing.T) {
	tn := newTestNode(t, Limits{})
	a, b := tn.connect(""), tn.connect("user:42:admin")
	a.send(`["1","1","room:a","phx_join",{}]`)
	b.send(`["1","1","room:a","phx_join",{}]`)
	a.take()
	b.take()
	b.send(`["1","2","room:a","shout",{"text":"hi","sender":"forged"}]`)
	want := `[null,null,"room:a","shout",{"sender":{"authenticated":true,"client_id":"` + b.sock.ClientID() + `","role":"admin","user_id":"42"},"text":"hi"}]`
	for name, c := range map[string]*client{"other": a, "sender": b} {
		got := findEvent(c.take(), "shout")
		if len(got) != 1 || jsonOf(got[0]) != want {
			t.Errorf("%s got %v\nwant %s", name, got, want)
		}
	}
	// A non-object payload is delivered unchanged.
	a.send(`["1","3","room:a","shout","plain"]`)
	if got := findEvent(b.take(), "shout"); len(got) != 1 || got[0][4] != "plain" {
		t.Errorf("string payload: %v", got)
	}
}

func TestAudiences(t *testing.T) {
	tn := newTestNode(t, Limits{})
	anon, u1, u2 := tn.connect(""), tn.connect("user:1"), tn.connect("user:2")
	for _, c := range []*client{anon, u1, u2} {
		c.send(`["1","1","auth:x","phx_join",{}]`)
		c.send(`["2","2","dm:x","phx_join",{}]`)
		c.take()
	}
	t.Run("authenticated audience skips anonymous", func(t *testing.T) {
		u1.send(`["1","5","auth:x","note",{"n":1}]`)
		if got := findEvent(anon.take(), "note"); len(got) != 0 {
			t.Fatalf("anonymous received %v", got)
		}
		if got := findEvent(u2.take(), "note"); len(got) != 1 {
			t.Fatalf("authenticated member got %v", got)
		}
		if r := findEvent(u1.take(), "phx_reply"); len(r) != 1 || r[0][4].(map[string]any)["status"] != "ok" {
			t.Fatalf("sender reply %v", r)
		}
	})
	t.Run("anonymous cannot send authenticated", func(t *testing.T) {
		anon.send(`["1","6","auth:x","note",{"authenticated":true}]`)
		r := findEvent(anon.take(), "phx_reply")
		if len(r) != 1 || r[0][4].(map[string]any)["status"] != "error" {
			t.Fatalf("reply %v", r)
		}
		if got := findEvent(u1.take(), "note"); len(got) != 0 {
			t.Fatalf("delivered despite refusal: %v", got)
		}
	})
	t.Run("private reaches the target only, no echo", func(t *testing.T) {
		anon.send(`["2","7","dm:x","psst",{"target_client_id":"` + u2.sock.ClientID() + `"}]`)
		if got := findEvent(u2.take(), "psst"); len(got) != 1 {
			t.Fatalf("target got %v", got)
		}
		if got := findEvent(u1.take(), "psst"); len(got) != 0 {
			t.Fatalf("bystander got %v", got)
		}
		if got := anon.take(); len(findEvent(got, "psst")) != 0 || len(findEvent(got, "phx_reply")) != 1 {
			t.Fatalf("sender got %v", got)
		}
	})
	t.Run("private to a user reaches the user's connections", func(t *testing.T) {
		anon.send(`["2","8","dm:x","psst",{"target_user_id":"1"}]`)
		if got := findEvent(u1.take(), "psst"); len(got) != 1 {
			t.Fatalf("target user got %v", got)
		}
		anon.take()
	})
	t.Run("target not in channel", func(t *testing.T) {
		anon.send(`["2","9","dm:x","psst",{"target_client_id":"nobody"}]`)
		r := findEvent(anon.take(), "phx_reply")
		if len(r) != 1 || jsonOf(r[0][4]) != `{"response":{"reason":"target not in channel"},"status":"error"}` {
			t.Fatalf("reply %v", r)
		}
	})
}

// crashHandler panics on every event, or on join when joinPanics.
type crashHandler struct{ joinPanics bool }

func (h crashHandler) Join(context.Context, *Channel, json.RawMessage) (any, error) {
	if h.joinPanics {
		panic("boom")
	}
	return map[string]any{"custom": true}, nil
}
func (crashHandler) HandleIn(context.Context, *Channel, string, Payload) (any, error) {
	panic("boom")
}

func TestHandlerCrashes(t *testing.T) {
	tn := newTestNode(t, Limits{})
	if err := tn.Router().Handle("room:crash", crashHandler{}); err != nil {
		t.Fatal(err)
	}
	if err := tn.Router().Handle("room:joincrash", crashHandler{joinPanics: true}); err != nil {
		t.Fatal(err)
	}
	c := tn.connect("")
	c.send(`["1","1","room:crash","phx_join",{}]`)
	if r := findEvent(c.take(), "phx_reply"); len(r) != 1 || jsonOf(r[0][4]) != `{"response":{"custom":true},"status":"ok"}` {
		t.Fatalf("custom join reply %v", r)
	}
	c.send(`["1","2","room:crash","x",{}]`)
	if got := findEvent(c.take(), "phx_error"); len(got) != 1 || jsonOf(got[0]) != `["1","1","room:crash","phx_error",{"reason":"channel_crash"}]` {
		t.Fatalf("phx_error %v", got)
	}
	if c.sock.Channel("room:crash") != nil {
		t.Fatal("crashed channel still joined")
	}
	c.send(`["2","2","room:joincrash","phx_join",{}]`)
	if r := findEvent(c.take(), "phx_reply"); len(r) != 1 || jsonOf(r[0][4]) != `{"response":{"reason":"join crashed"},"status":"error"}` {
		t.Fatalf("join crash reply %v", r)
	}
}

func TestSlowConsumerIsDisconnected(t *testing.T) {
	tn := newTestNode(t, Limits{QueueBytes: 2048})
	slow, fast := tn.connect(""), tn.connect("")
	slow.send(`["1","1","room:a","phx_join",{}]`)
	fast.send(`["1","1","room:a","phx_join",{}]`)
	big := `{"x":"` + strings.Repeat("a", 600) + `"}`
	for i := 0; i < 10; i++ {
		fast.send(`["1","2","room:a","big",` + big + `]`)
		fast.take() // the fast member keeps draining
	}
	if codes := slow.tr.closeCodes(); len(codes) != 1 || codes[0] != CloseTryAgainLater {
		t.Fatalf("slow consumer close codes %v", codes)
	}
	if got := fast.tr.closeCodes(); len(got) != 0 {
		t.Fatalf("fast member closed: %v", got)
	}
	if tn.Stats().SlowDisconnects.Load() != 1 {
		t.Fatalf("slow disconnects = %d", tn.Stats().SlowDisconnects.Load())
	}
}

func TestPresenceStateAfterJoin(t *testing.T) {
	tn := newTestNode(t, Limits{})
	a, b := tn.connect(""), tn.connect("user:7")
	a.send(`["1","1","room:p","phx_join",{}]`)
	eventually(t, time.Second, func() bool { return len(findEvent(a.frames(), "presence_state")) == 1 }, "presence_state for a")
	b.send(`["4","4","room:p","phx_join",{"presence_meta":{"status":"away","client_id":"spoof"}}]`)
	eventually(t, time.Second, func() bool { return len(findEvent(b.frames(), "presence_state")) == 1 }, "presence_state for b")
	frames := b.take()
	if frames[0][3] != "phx_reply" {
		t.Fatalf("first frame is %v, want the join reply", frames[0])
	}
	st := findEvent(frames, "presence_state")[0]
	if st[0] != "4" || st[1] != nil {
		t.Fatalf("presence_state refs %v %v", st[0], st[1])
	}
	state := st[4].(map[string]any)
	if _, ok := state[a.sock.ClientID()]; !ok {
		t.Fatalf("state lacks the anonymous member: %v", state)
	}
	me := state["7"].(map[string]any)["metas"].([]any)[0].(map[string]any)
	if me["status"] != "away" || me["client_id"] != b.sock.ClientID() || me["user_id"] != "7" || me["name"] != "n7" || me["phx_ref"] == nil {
		t.Fatalf("own meta %v", me)
	}
	eventually(t, time.Second, func() bool { return len(findEvent(a.frames(), "presence_diff")) >= 1 }, "presence_diff for a")
	diff := findEvent(a.take(), "presence_diff")[0]
	if diff[0] != nil || diff[4].(map[string]any)["leaves"] == nil {
		t.Fatalf("diff %v", diff)
	}
	b.sock.Terminate()
	eventually(t, time.Second, func() bool {
		for _, d := range findEvent(a.frames(), "presence_diff") {
			if _, ok := d[4].(map[string]any)["leaves"].(map[string]any)["7"]; ok {
				return true
			}
		}
		return false
	}, "leave diff after the socket closed")
}

func TestTokenRefresh(t *testing.T) {
	tn := newTestNode(t, Limits{})
	c := tn.connect("user:5")
	c.send(`["1","1","members:a","phx_join",{}]`)
	c.take()
	c.send(`["1","2","members:a","access_token",{"access_token":"user:6"}]`)
	if r := findEvent(c.take(), "phx_reply"); len(r) != 1 || jsonOf(r[0][4]) != `{"response":{"reason":"token belongs to another user"},"status":"error"}` {
		t.Fatalf("other user: %v", r)
	}
	c.send(`["1","3","members:a","access_token",{"access_token":"user:5:admin"}]`)
	if r := findEvent(c.take(), "phx_reply"); len(r) != 1 || r[0][4].(map[string]any)["status"] != "ok" {
		t.Fatalf("refresh: %v", r)
	}
	if c.sock.Identity().Role != "admin" {
		t.Fatalf("role not refreshed: %+v", c.sock.Identity())
	}
}

func TestReloadKicksMembersNoLongerAdmitted(t *testing.T) {
	tn := newTestNode(t, Limits{})
	c := tn.connect("")
	c.send(`["1","1","room:a","phx_join",{}]`)
	c.take()
	table := mustCompile(t, testSets[1:]...) // room:* removed
	tn.SetPolicy(table)
	if got := findEvent(c.take(), "phx_close"); len(got) != 1 || got[0][0] != "1" {
		t.Fatalf("phx_close %v", got)
	}
	if c.sock.Channel("room:a") != nil {
		t.Fatal("still a member")
	}
}

func TestHistoryOnJoin(t *testing.T) {
	tn := newTestNode(t, Limits{})
	a := tn.connect("")
	a.send(`["1","1","room:h","phx_join",{}]`)
	for i := 0; i < 3; i++ {
		a.send(`["1","2","room:h","msg",{"i":` + string(rune('0'+i)) + `}]`)
	}
	b := tn.connect("")
	b.send(`["1","1","room:h","phx_join",{"history":true}]`)
	r := findEvent(b.take(), "phx_reply")[0][4].(map[string]any)["response"].(map[string]any)
	h := r["history"].([]any)
	if len(h) != 3 || h[0].(map[string]any)["payload"].(map[string]any)["i"] != float64(0) {
		t.Fatalf("history %v", h)
	}
}

func TestConnectRejectsInvalidToken(t *testing.T) {
	tn := newTestNode(t, Limits{})
	if _, err := tn.Connect(context.Background(), ConnectRequest{Token: "bad", Dialect: PhoenixV2, Transport: &fakeTransport{}}); err == nil {
		t.Fatal("invalid token accepted")
	}
	s, err := tn.Connect(context.Background(), ConnectRequest{Token: "bad", InvalidTokenAnonymous: true, Dialect: PhoenixV2, Transport: &fakeTransport{}})
	if err != nil || s.Identity().Authenticated {
		t.Fatalf("anonymous fallback: %v %+v", err, s)
	}
	s.Terminate()
	if tn.Stats().Connections.Load() != 0 {
		t.Fatalf("connections = %d", tn.Stats().Connections.Load())
	}
}

func TestPresenceUpdatesAreRateLimited(t *testing.T) {
	tn := newTestNode(t, Limits{})
	c := tn.connect("")
	c.send(`["1","1","room:p","phx_join",{}]`)
	c.take()
	var statuses []string
	for i := 0; i < presenceUpdateBurst+1; i++ {
		c.send(`["1","2","room:p","presence_update",{"status":"s"}]`)
		for _, r := range findEvent(c.take(), "phx_reply") {
			statuses = append(statuses, r[4].(map[string]any)["status"].(string))
		}
	}
	if len(statuses) != presenceUpdateBurst+1 || statuses[presenceUpdateBurst-1] != "ok" || statuses[presenceUpdateBurst] != "error" {
		t.Fatalf("statuses %v: want %d ok then an error", statuses, presenceUpdateBurst)
	}
}

func TestJoinLimitAppliesToEveryDialect(t *testing.T) {
	tn := newTestNode(t, Limits{MaxChannelsPerSocket: 2})
	c := tn.connect("")
	for i, topic := range []string{"room:a", "room:b", "room:c"} {
		_, err := c.sock.Join(context.Background(), JoinRequest{Topic: topic}, nil)
		if (i < 2) != (err == nil) {
			t.Fatalf("join %d (%s): %v", i, topic, err)
		}
	}
	if _, err := c.sock.Join(context.Background(), JoinRequest{Topic: "room:c"}, nil); err == nil || err.Error() != "too many channels joined" {
		t.Fatalf("third join: %v", err)
	}
}

func TestNoDefaultAudienceMeansPublic(t *testing.T) {
	tn := newTestNode(t, Limits{})
	c := tn.connect("user:1")
	ch, err := c.sock.Join(context.Background(), JoinRequest{Topic: "auth:x"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// auth:* grants client_authenticated_messaging only: a Phoenix push defaults to the
	// authenticated audience (§4's exception), a Xano message without options is public.
	if err := c.sock.Send(context.Background(), ch, SendRequest{Event: "m", Payload: Payload{JSON: []byte(`{}`)}}); err != nil {
		t.Fatalf("default audience: %v", err)
	}
	err = c.sock.Send(context.Background(), ch, SendRequest{Event: "message", Payload: Payload{JSON: []byte(`{}`)}, NoDefaultAudience: true})
	if err == nil || err.Error() != "public messages are not allowed in this channel" {
		t.Fatalf("public send: %v", err)
	}
}

// targetRecorder records the TargetClient of every event it encodes.
type targetRecorder struct {
	Dialect
	targets chan string
}

func (d *targetRecorder) EncodeEvent(ev *Event) []OutFrame {
	d.targets <- ev.TargetClient
	return d.Dialect.EncodeEvent(ev)
}

func TestPrivateToUserIsAddressedToEachConnection(t *testing.T) {
	tn := newTestNode(t, Limits{})
	sender := tn.connect("")
	rec := &targetRecorder{Dialect: PhoenixV2, targets: make(chan string, 8)}
	var ids []string
	for range 2 {
		s, err := tn.Connect(context.Background(), ConnectRequest{Token: "user:9", Dialect: rec, Transport: &fakeTransport{}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Terminate)
		if _, err := s.Join(context.Background(), JoinRequest{Topic: "dm:x"}, nil); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, s.ClientID())
	}
	sender.send(`["1","1","dm:x","phx_join",{}]`)
	sender.send(`["1","2","dm:x","psst",{"target_user_id":"9"}]`)
	got := map[string]bool{<-rec.targets: true, <-rec.targets: true}
	if !got[ids[0]] || !got[ids[1]] {
		t.Fatalf("encoded for %v, want each recipient %v", got, ids)
	}
}
