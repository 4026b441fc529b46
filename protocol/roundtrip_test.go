package protocol

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const roundTrips = 2000

// pieces are joined to build hostile strings: escapes, controls, multibyte, separators.
var pieces = []string{"a", "room:", "1", `"`, `\`, "/", "\n", "\t", "\x00", "\x1f", "\x7f",
	"é", "日本", "😀", "\u2028", "\u2029", "<>&", " ", "{", "]", "null", "\ufffd"}

func randomString(r *rand.Rand, maxPieces int) string {
	var b strings.Builder
	for n := r.IntN(maxPieces + 1); n > 0; n-- {
		b.WriteString(pieces[r.IntN(len(pieces))])
	}
	return b.String()
}

// randomRef returns "" (null) a quarter of the time.
func randomRef(r *rand.Rand) string {
	if r.IntN(4) == 0 {
		return ""
	}
	return randomString(r, 4)
}

// randomJSON builds a valid JSON value from hostile strings, via encoding/json.
func randomJSON(r *rand.Rand, depth int) any {
	switch k := r.IntN(7); {
	case k == 0 || depth > 3:
		return randomString(r, 6)
	case k == 1:
		return r.Float64()*2000 - 1000
	case k == 2:
		return nil
	case k == 3:
		return r.IntN(2) == 0
	case k == 4:
		a := make([]any, r.IntN(4))
		for i := range a {
			a[i] = randomJSON(r, depth+1)
		}
		return a
	default:
		o := map[string]any{}
		for n := r.IntN(4); n > 0; n-- {
			o[randomString(r, 3)] = randomJSON(r, depth+1)
		}
		return o
	}
}

func randomPayload(t *testing.T, r *rand.Rand) json.RawMessage {
	b, err := json.Marshal(randomJSON(r, 0))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func randomBinary(r *rand.Rand) []byte {
	b := make([]byte, r.IntN(64))
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	return b
}

func TestRoundTripV2JSONMessage(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range roundTrips {
		m := Message{JoinRef: randomRef(r), Ref: randomRef(r), Topic: randomString(r, 8),
			Event: randomString(r, 4), Payload: randomPayload(t, r)}
		frame, err := V2JSON.EncodeMessage(m)
		if err != nil {
			t.Fatalf("EncodeMessage(%+v): %v", m, err)
		}
		assertJSONArrayFrame(t, frame, m.JoinRef, m.Ref, m.Topic, m.Event)
		got, err := V2JSON.Decode(frame.Data, false)
		if err != nil {
			t.Fatalf("Decode(%s): %v", frame.Data, err)
		}
		if diff := cmp.Diff(m, got); diff != "" {
			t.Fatalf("round trip of %s (-want +got):\n%s", frame.Data, diff)
		}
	}
}

func TestRoundTripV2JSONReply(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range roundTrips {
		resp := randomPayload(t, r)
		rep := Reply{JoinRef: randomRef(r), Ref: randomRef(r), Topic: randomString(r, 8), Status: randomString(r, 2), Response: resp}
		frame, err := V2JSON.EncodeReply(rep)
		if err != nil {
			t.Fatalf("EncodeReply(%+v): %v", rep, err)
		}
		assertJSONArrayFrame(t, frame, rep.JoinRef, rep.Ref, rep.Topic, "phx_reply")
		got, err := V2JSON.Decode(frame.Data, false)
		if err != nil {
			t.Fatalf("Decode(%s): %v", frame.Data, err)
		}
		var payload struct {
			Status   *string
			Response json.RawMessage
		}
		if err := json.Unmarshal(got.Payload, &payload); err != nil || payload.Status == nil {
			t.Fatalf("reply payload %s: %v", got.Payload, err)
		}
		if *payload.Status != rep.Status || !bytes.Equal(payload.Response, resp) {
			t.Fatalf("reply payload %s, want status %q response %s", got.Payload, rep.Status, resp)
		}
	}
}

func TestRoundTripV1JSON(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for range roundTrips {
		m := Message{JoinRef: randomRef(r), Ref: randomRef(r), Topic: randomString(r, 8),
			Event: randomString(r, 4), Payload: randomPayload(t, r)}
		frame, err := V1JSON.EncodeMessage(m)
		if err != nil {
			t.Fatalf("EncodeMessage(%+v): %v", m, err)
		}
		if !json.Valid(frame.Data) || bytes.Contains(frame.Data, []byte(`"join_ref"`)) {
			t.Fatalf("bad V1 frame %s", frame.Data)
		}
		got, err := V1JSON.Decode(frame.Data, false)
		if err != nil {
			t.Fatalf("Decode(%s): %v", frame.Data, err)
		}
		m.JoinRef = "" // V1 never sends join_ref
		if diff := cmp.Diff(m, got); diff != "" {
			t.Fatalf("round trip of %s (-want +got):\n%s", frame.Data, diff)
		}
	}
}

// TestRoundTripBinary sends random frames both ways through the JS client mirrors.
func TestRoundTripBinary(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for range roundTrips {
		m := Message{JoinRef: randomRef(r), Ref: randomRef(r), Topic: randomString(r, 8),
			Event: randomString(r, 4), Binary: randomBinary(r)}

		// client -> server
		got, err := V2JSON.Decode(clientBinaryEncode(m), true)
		if err != nil {
			t.Fatalf("Decode(client push %+v): %v", m, err)
		}
		if diff := cmp.Diff(m, got); diff != "" {
			t.Fatalf("client push round trip (-want +got):\n%s", diff)
		}

		// server -> client: push (kind 0, the ref is never sent) or broadcast (kind 2)
		frame, err := V2JSON.EncodeMessage(m)
		if err != nil || !frame.Binary {
			t.Fatalf("EncodeMessage(%+v) = binary %v, %v", m, frame.Binary, err)
		}
		view, err := clientBinaryDecode(frame.Data)
		if err != nil {
			t.Fatalf("client decode of %q: %v", frame.Data, err)
		}
		want := clientView{JoinRef: m.JoinRef, Topic: m.Topic, Event: m.Event, Payload: m.Binary}
		if diff := cmp.Diff(want, view); diff != "" {
			t.Fatalf("server push as the client sees it (-want +got):\n%s", diff)
		}

		// server -> client reply (kind 1)
		rep := Reply{JoinRef: m.JoinRef, Ref: m.Ref, Topic: m.Topic, Status: randomString(r, 2), Binary: m.Binary}
		frame, err = V2JSON.EncodeReply(rep)
		if err != nil || !frame.Binary {
			t.Fatalf("EncodeReply(%+v) = binary %v, %v", rep, frame.Binary, err)
		}
		view, err = clientBinaryDecode(frame.Data)
		if err != nil {
			t.Fatalf("client decode of %q: %v", frame.Data, err)
		}
		want = clientView{JoinRef: rep.JoinRef, Ref: rep.Ref, Topic: rep.Topic, Event: "phx_reply", Status: rep.Status, Payload: rep.Binary}
		if diff := cmp.Diff(want, view); diff != "" {
			t.Fatalf("server reply as the client sees it (-want +got):\n%s", diff)
		}
	}
}

// assertJSONArrayFrame reads a V2 text frame with encoding/json, as JSON.parse would, and checks
// the header fields; "" refs must be null.
func assertJSONArrayFrame(t *testing.T, frame Frame, joinRef, ref, topic, event string) {
	t.Helper()
	if frame.Binary {
		t.Fatalf("JSON message encoded as a binary frame")
	}
	var arr []any
	if err := json.Unmarshal(frame.Data, &arr); err != nil || len(arr) != 5 {
		t.Fatalf("frame %s is not a 5-element JSON array: %v", frame.Data, err)
	}
	wantRef := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	want := []any{wantRef(joinRef), wantRef(ref), topic, event}
	if diff := cmp.Diff(want, arr[:4]); diff != "" {
		t.Fatalf("frame %s header as JSON.parse sees it (-want +got):\n%s", frame.Data, diff)
	}
}
