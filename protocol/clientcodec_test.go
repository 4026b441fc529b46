package protocol

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

// This file holds test-only mirrors of the phoenix JS client's binary codec
// (assets/js/phoenix/serializer.js), so tests prove the server's frames are what the client
// understands, and that what the client sends is what the server decodes.

// clientView is what the JS client's binaryDecode returns; "" stands for null.
type clientView struct {
	JoinRef, Ref, Topic, Event string
	Status                     string // reply only: payload.status
	Payload                    []byte // push/broadcast payload, or reply payload.response
}

var errClientDecode = errors.New("client decode: frame too short")

// clientBinaryDecode mirrors binaryDecode: kind 0 push (4-byte header, ref null), kind 1 reply
// (status in the header, event "phx_reply"), kind 2 broadcast. Unlike JS it bounds-checks.
func clientBinaryDecode(b []byte) (clientView, error) {
	field := func(off, n int) (string, int, error) {
		if off+n > len(b) {
			return "", 0, errClientDecode
		}
		return string(b[off : off+n]), off + n, nil
	}
	header := func(n int) ([]int, error) {
		if len(b) < 1+n {
			return nil, errClientDecode
		}
		sizes := make([]int, n)
		for i := range sizes {
			sizes[i] = int(b[1+i])
		}
		return sizes, nil
	}
	if len(b) == 0 {
		return clientView{}, errClientDecode
	}
	var v clientView
	var err error
	switch b[0] {
	case 0:
		sizes, err := header(3)
		if err != nil {
			return v, err
		}
		off := 4
		if v.JoinRef, off, err = field(off, sizes[0]); err != nil {
			return v, err
		}
		if v.Topic, off, err = field(off, sizes[1]); err != nil {
			return v, err
		}
		if v.Event, off, err = field(off, sizes[2]); err != nil {
			return v, err
		}
		v.Payload = b[off:]
	case 1:
		sizes, err := header(4)
		if err != nil {
			return v, err
		}
		off := 5
		if v.JoinRef, off, err = field(off, sizes[0]); err != nil {
			return v, err
		}
		if v.Ref, off, err = field(off, sizes[1]); err != nil {
			return v, err
		}
		if v.Topic, off, err = field(off, sizes[2]); err != nil {
			return v, err
		}
		if v.Status, off, err = field(off, sizes[3]); err != nil {
			return v, err
		}
		v.Event = "phx_reply"
		v.Payload = b[off:]
	case 2:
		sizes, err := header(2)
		if err != nil {
			return v, err
		}
		off := 3
		if v.Topic, off, err = field(off, sizes[0]); err != nil {
			return v, err
		}
		if v.Event, off, err = field(off, sizes[1]); err != nil {
			return v, err
		}
		v.Payload = b[off:]
	default:
		err = errors.New("client decode: unknown kind")
	}
	return v, err
}

// clientBinaryEncode mirrors binaryEncode: a kind 0 push with a 5-byte header.
func clientBinaryEncode(m Message) []byte {
	b := []byte{0, byte(len(m.JoinRef)), byte(len(m.Ref)), byte(len(m.Topic)), byte(len(m.Event))}
	b = append(b, m.JoinRef...)
	b = append(b, m.Ref...)
	b = append(b, m.Topic...)
	b = append(b, m.Event...)
	return append(b, m.Binary...)
}

// mustHex decodes hex that may contain spaces (the reference's layout); for fixed vectors.
func mustHex(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic("bad hex " + s + ": " + err.Error())
	}
	return b
}

func TestClientBinaryDecodeRejectsShortFrames(t *testing.T) {
	for _, frame := range []string{"", "00", "0001", "00 05 00 00 41", "01 01 01 01", "02 05 00 41", "07"} {
		if _, err := clientBinaryDecode(mustHex(frame)); err == nil {
			t.Errorf("clientBinaryDecode(%s) succeeded, want error", frame)
		}
	}
}
