package triggers

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/phxserver/phxserver/channels"
	"github.com/phxserver/phxserver/channels/webhooks"
)

// receiver is a webhook trigger endpoint answering with answer (or sleeping, or a status).
type receiver struct {
	answer  string
	status  int
	sleep   time.Duration
	secret  []byte
	calls   atomic.Int64
	lastReq atomic.Pointer[WebhookRequest]
	badSig  atomic.Int64
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rc.calls.Add(1)
	body, _ := io.ReadAll(r.Body)
	if rc.secret != nil {
		if err := webhooks.Verify(rc.secret, r.Header.Get(webhooks.SignatureHeader), body, time.Now(), time.Minute); err != nil {
			rc.badSig.Add(1)
		}
	}
	var req WebhookRequest
	if json.Unmarshal(body, &req) == nil {
		rc.lastReq.Store(&req)
	}
	if rc.sleep > 0 {
		select {
		case <-time.After(rc.sleep):
		case <-r.Context().Done():
			return
		}
	}
	if rc.status != 0 {
		w.WriteHeader(rc.status)
	}
	_, _ = io.WriteString(w, rc.answer)
}

func startReceiver(t *testing.T, rc *receiver) string {
	t.Helper()
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestWebhookTrigger(t *testing.T) {
	tests := []struct {
		name        string
		rc          *receiver
		timeout     time.Duration
		onError     string
		wantAllow   bool
		wantReason  string
		wantPayload string
		wantErrors  int64
	}{
		{name: "allow", rc: &receiver{answer: `{"allow":true}`}, wantAllow: true},
		{name: "deny with reason", rc: &receiver{answer: `{"allow":false,"reason":"no shouting"}`}, wantReason: "no shouting"},
		{name: "rewrite", rc: &receiver{answer: `{"allow":true,"payload":{"body":"***"}}`}, wantAllow: true, wantPayload: `{"body":"***"}`},
		{name: "null payload keeps the message", rc: &receiver{answer: `{"allow":true,"payload":null}`}, wantAllow: true},
		{name: "control characters in reason", rc: &receiver{answer: `{"allow":false,"reason":"a\nb"}`}, wantReason: "a b"},
		{name: "timeout follows on_error deny", rc: &receiver{answer: `{"allow":true}`, sleep: 2 * time.Second}, timeout: 50 * time.Millisecond, onError: "deny", wantReason: errorReason, wantErrors: 1},
		{name: "timeout follows on_error allow", rc: &receiver{answer: `{"allow":false}`, sleep: 2 * time.Second}, timeout: 50 * time.Millisecond, onError: "allow", wantAllow: true, wantErrors: 1},
		{name: "5xx follows on_error", rc: &receiver{answer: `{"allow":true}`, status: 500}, wantReason: errorReason, wantErrors: 1},
		{name: "4xx follows on_error", rc: &receiver{answer: `{"allow":true}`, status: 403}, onError: "allow", wantAllow: true, wantErrors: 1},
		{name: "bad JSON follows on_error", rc: &receiver{answer: `allow`}, wantReason: errorReason, wantErrors: 1},
		{name: "missing allow follows on_error", rc: &receiver{answer: `{"reason":"x"}`}, wantReason: errorReason, wantErrors: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.rc.secret = []byte("s3cret")
			url := startReceiver(t, tc.rc)
			r := newRunner(t, map[string]FunctionSpec{"hook": {Type: TypeWebhook, URL: url, Timeout: tc.timeout, OnError: tc.onError, Secret: "s3cret"}})
			in := message(setWith("message", "hook"), `{"body":"HELLO"}`)
			in.Captures = map[string]string{"id": "1"}
			in.Client.Claims = map[string]any{"team_ids": []any{json.Number("7")}}
			v := r.Run(context.Background(), in)
			if v.Allow != tc.wantAllow || v.Reason != tc.wantReason || string(v.Payload) != tc.wantPayload {
				t.Fatalf("verdict = %+v (payload %s), want allow=%v reason=%q payload=%s", v, v.Payload, tc.wantAllow, tc.wantReason, tc.wantPayload)
			}
			if got := r.Stats().WebhookErrors.Load(); got != tc.wantErrors {
				t.Fatalf("webhook errors = %d, want %d", got, tc.wantErrors)
			}
			if tc.rc.badSig.Load() != 0 {
				t.Fatal("receiver could not verify the signature")
			}
			req := tc.rc.lastReq.Load()
			if req == nil {
				t.Fatal("receiver got no parsable request")
			}
			if req.Event != "message" || req.Channel != "room/1" || req.Captures["id"] != "1" || string(req.Payload) != `{"body":"HELLO"}` ||
				req.Client.ClientID != "c1" || !req.Client.Authenticated || req.Client.UserID != "u1" || req.MessageEvent != "shout" {
				t.Fatalf("request = %+v", req)
			}
			if ids, _ := req.Client.Claims["team_ids"].([]any); len(ids) != 1 {
				t.Fatalf("claims = %v", req.Client.Claims)
			}
		})
	}
}

func TestWebhookConnectionRefused(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there any more
	r := newRunner(t, map[string]FunctionSpec{"hook": {Type: TypeWebhook, URL: url, OnError: "deny"}})
	if v := r.Run(context.Background(), message(setWith("message", "hook"), `{}`)); v.Allow || v.Reason != errorReason {
		t.Fatalf("verdict = %+v", v)
	}
}

func TestWebhookBoundedConcurrency(t *testing.T) {
	rc := &receiver{answer: `{"allow":true}`}
	url := startReceiver(t, rc)
	r := newRunner(t, map[string]FunctionSpec{"hook": {Type: TypeWebhook, URL: url, Timeout: 50 * time.Millisecond, OnError: "deny"}})
	wh := r.fns["hook"].fn.(*webhook)
	for range cap(wh.sem) { // saturate every slot
		wh.sem <- struct{}{}
	}
	v := r.Run(context.Background(), message(setWith("message", "hook"), `{}`))
	if v.Allow || v.Reason != errorReason {
		t.Fatalf("verdict while saturated = %+v", v)
	}
	if rc.calls.Load() != 0 {
		t.Fatal("a saturated webhook made a call")
	}
	<-wh.sem // one slot frees up
	if v := r.Run(context.Background(), message(setWith("message", "hook"), `{}`)); !v.Allow {
		t.Fatalf("verdict with a free slot = %+v", v)
	}
}

func TestWebhookPipelineRewriteThenCheck(t *testing.T) {
	rewrite := &receiver{answer: `{"allow":true,"payload":{"body":"clean"}}`}
	check := &receiver{answer: `{"allow":true}`}
	r := newRunner(t, map[string]FunctionSpec{
		"rewrite": {Type: TypeWebhook, URL: startReceiver(t, rewrite)},
		"check":   {Type: TypeWebhook, URL: startReceiver(t, check)},
	})
	v := r.Run(context.Background(), message(setWith("message", "rewrite", "*", "check"), `{"body":"dirty"}`))
	if !v.Allow || string(v.Payload) != `{"body":"clean"}` {
		t.Fatalf("verdict = %+v", v)
	}
	if got := check.lastReq.Load(); got == nil || string(got.Payload) != `{"body":"clean"}` {
		t.Fatalf("second webhook saw %+v", got)
	}
}

func TestWebhookJoinCarriesNoMessageEvent(t *testing.T) {
	rc := &receiver{answer: `{"allow":false,"reason":"closed"}`}
	r := newRunner(t, map[string]FunctionSpec{"hook": {Type: TypeWebhook, URL: startReceiver(t, rc)}})
	in := message(setWith("join", "hook"), `{}`)
	in.Event, in.MessageEvent, in.Captures = channels.TriggerJoin, "", nil
	if v := r.Run(context.Background(), in); v.Allow || v.Reason != "closed" {
		t.Fatalf("verdict = %+v", v)
	}
	if req := rc.lastReq.Load(); req.Event != "join" || req.Captures == nil {
		t.Fatalf("request = %+v", req)
	}
}
