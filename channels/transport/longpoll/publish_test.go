package longpoll

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/phxserver/phxserver/protocol"
)

// binaryPush encodes a V2 client binary push.
func binaryPush(joinRef, ref, topic, event string, payload []byte) []byte {
	b := []byte{0, byte(len(joinRef)), byte(len(ref)), byte(len(topic)), byte(len(event))}
	b = append(b, joinRef+ref+topic+event...)
	return append(b, payload...)
}

func TestPublishBatches(t *testing.T) {
	push := func(ref string) string { return `["1","` + ref + `","room:p","e",{"ref":"` + ref + `"}]` }
	tests := []struct {
		name        string
		contentType string
		body        string
		want        []string // refs of the replies, in order
	}{
		{name: "ndjson of three lines", contentType: ndjsonType, body: push("2") + "\n" + push("3") + "\n" + push("4"), want: []string{"2", "3", "4"}},
		{name: "crlf and blank lines", contentType: ndjsonType + "; charset=utf-8", body: push("2") + "\r\n\r\n" + push("3") + "\r\n", want: []string{"2", "3"}},
		{name: "legacy single frame", contentType: "application/json", body: push("7"), want: []string{"7"}},
		{name: "legacy without content type", contentType: "", body: push("8"), want: []string{"8"}},
		{name: "malformed line with readable ref", contentType: ndjsonType, body: `["1","5","room:p","e"]` + "\n" + push("6"), want: []string{"5", "6"}},
		{name: "unreadable lines are dropped", contentType: ndjsonType, body: `[1,2` + "\n" + `!!notbase64` + "\n" + base64.StdEncoding.EncodeToString([]byte{9, 9}) + "\n" + push("6"), want: []string{"6"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hd := newHarness(t, Config{Window: 200 * time.Millisecond})
			c := hd.open(v2, nil)
			c.join("room:p")
			if r := hd.postRaw(c.url(), tt.contentType, tt.body); r.Status != 200 {
				t.Fatalf("POST = %s", r.raw)
			}
			var got []string
			for len(got) < len(tt.want) {
				for _, f := range c.collect(1) {
					if str(f[3]) == "phx_reply" {
						got = append(got, str(f[1]))
					}
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Fatalf("reply refs = %v, want %v", got, tt.want)
			}
			if r := c.poll(); r.Status != 204 {
				t.Fatalf("unexpected extra frames: %s", r.raw)
			}
		})
	}
}

func TestPublishLimits(t *testing.T) {
	t.Run("only the first 100 lines are processed", func(t *testing.T) {
		hd := newHarness(t, Config{Window: 200 * time.Millisecond})
		c := hd.open(v2, nil)
		lines := make([]string, 150)
		for i := range lines {
			lines[i] = `[null,"` + itoa(i+1) + `","phoenix","heartbeat",{}]`
		}
		c.post(lines...)
		var got []string
		for {
			r := c.poll()
			if r.Status == 204 {
				break
			}
			for _, text := range r.texts(t) {
				got = append(got, str(decodeFrame(t, text)[1]))
			}
		}
		if len(got) != MaxBatchLines || got[0] != "1" || got[99] != "100" {
			t.Fatalf("got %d replies (%v...)", len(got), got[:min(3, len(got))])
		}
	})
	t.Run("an oversized body is refused", func(t *testing.T) {
		hd := newHarness(t, Config{Window: 50 * time.Millisecond, MaxBodyBytes: 64})
		c := hd.open(v2, nil)
		if r := hd.postRaw(c.url(), ndjsonType, strings.Repeat("x", 65)); r.Status != http.StatusRequestEntityTooLarge {
			t.Fatalf("POST = %s", r.raw)
		}
	})
	t.Run("an oversized line gets an error reply", func(t *testing.T) {
		hd := newHarness(t, Config{Window: 50 * time.Millisecond, MaxFrameBytes: 64})
		c := hd.open(v2, nil)
		big := `[null,"9","phoenix","heartbeat",{"pad":"` + strings.Repeat("x", 64) + `"}]`
		c.post(big, `[null,"10","phoenix","heartbeat",{}]`)
		frames := c.collect(2)
		if str(frames[0][1]) != "9" || !bytes.Contains(frames[0][4], []byte("frame too large")) || str(frames[1][1]) != "10" {
			t.Fatalf("frames = %s", frames)
		}
	})
}

func TestBinaryLine(t *testing.T) {
	hd := newHarness(t, Config{Window: 200 * time.Millisecond})
	ws := hd.member("room:bin")
	c := hd.open(v2, nil)
	c.join("room:bin")
	payload := []byte{0, 1, 250, 255} // 23 bytes in all: the base64 line is padded
	line := base64.StdEncoding.EncodeToString(binaryPush("1", "2", "room:bin", "blob", payload))
	if !strings.HasSuffix(line, "=") {
		t.Fatalf("test line %q should be padded", line)
	}
	c.post(line)
	// The ack of a binary push is an empty binary reply: re-encoded as JSON for LongPoll.
	p := c.collectReply("2")
	if p["status"] != "ok" {
		t.Fatalf("reply payload = %v", p)
	}
	var got []byte
	waitUntil(t, "the binary broadcast at the other member", func() bool {
		for _, f := range ws.Drain(nil) {
			if f.Binary && f.Data[0] == 2 {
				got = f.Data
			}
		}
		return got != nil
	})
	if !bytes.HasSuffix(got, append([]byte("room:binblob"), payload...)) {
		t.Fatalf("broadcast = %v", got)
	}
	// The LongPoll sender does not get its own broadcast (it cannot carry binary), nor junk.
	if r := c.poll(); r.Status != 204 {
		t.Fatalf("poll = %s", r.raw)
	}
}

func TestEmptyBinaryReplyAsText(t *testing.T) {
	tests := []struct {
		name   string
		reply  protocol.Reply
		suffix []byte
		want   string
	}{
		{name: "empty ok", reply: protocol.Reply{JoinRef: "1", Ref: "2", Topic: "room:a", Status: "ok", Binary: []byte{}},
			want: `["1","2","room:a","phx_reply",{"status":"ok","response":{}}]`},
		{name: "with payload", reply: protocol.Reply{JoinRef: "1", Ref: "2", Topic: "room:a", Status: "ok", Binary: []byte{1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := protocol.V2JSON.EncodeReply(tt.reply)
			if err != nil || !f.Binary {
				t.Fatalf("encode: %v", err)
			}
			got, ok := emptyBinaryReplyAsText(protocol.V2JSON, f.Data)
			if got != tt.want || ok != (tt.want != "") {
				t.Fatalf("got %q, %v; want %q", got, ok, tt.want)
			}
		})
	}
	for _, junk := range [][]byte{nil, {1}, {1, 9, 0, 0, 0}, {2, 0, 0}, {1, 1, 0, 0, 0, 0xff}} {
		if _, ok := emptyBinaryReplyAsText(protocol.V2JSON, junk); ok {
			t.Fatalf("junk %v accepted", junk)
		}
	}
}
