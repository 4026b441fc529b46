package longpoll

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"net/http"
)

// ndjsonType is the content type of the phoenix 1.8 batch format.
const ndjsonType = "application/x-ndjson"

// Inbound frame errors (reported in error replies, so they never echo client bytes).
var (
	ErrFrameTooLarge = errors.New("longpoll: frame too large")
	ErrBadBase64     = errors.New("longpoll: binary line is not valid base64")
)

// inFrame is one posted frame before decoding.
type inFrame struct {
	data   []byte
	binary bool
	err    error // set when the line itself is unusable
}

// servePublish answers a POST: every frame is dispatched in order, then {"status":200}.
// Replies travel through the next poll.
func (h *Handler) servePublish(w http.ResponseWriter, r *http.Request) {
	token, ok := sessionToken(r)
	var s *session
	if ok {
		s = h.lookup(token)
	}
	if s == nil {
		writeBody(w, body{Status: statusGone})
		return
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeBody(w, body{Status: http.StatusRequestEntityTooLarge})
		}
		return // otherwise the client is gone
	}
	var frames []inFrame
	if isNDJSON(r.Header.Get("Content-Type")) {
		frames = h.batchFrames(raw)
	} else {
		frames = []inFrame{h.textFrame(raw)} // legacy: the whole body is one frame
	}
	if !s.dispatch(context.WithoutCancel(r.Context()), frames) {
		writeBody(w, body{Status: statusGone})
		return
	}
	writeBody(w, body{Status: 200})
}

func isNDJSON(contentType string) bool {
	media, _, err := mime.ParseMediaType(contentType)
	return err == nil && media == ndjsonType
}

// batchFrames splits an ndjson body on \n or \r\n and keeps the first MaxBatchLines lines;
// blank lines are skipped. A line starting with "[" (V2) or "{" (V1) is a text frame, any
// other line the standard base64 of a binary frame.
func (h *Handler) batchFrames(raw []byte) []inFrame {
	frames := make([]inFrame, 0, min(bytes.Count(raw, []byte{'\n'})+1, MaxBatchLines))
	for n := 0; len(raw) > 0 && n < MaxBatchLines; n++ {
		var line []byte
		line, raw, _ = bytes.Cut(raw, []byte{'\n'})
		line = bytes.TrimSuffix(line, []byte{'\r'})
		switch {
		case len(line) == 0:
		case line[0] == '[' || line[0] == '{':
			frames = append(frames, h.textFrame(line))
		default:
			frames = append(frames, h.binaryFrame(line))
		}
	}
	return frames
}

func (h *Handler) textFrame(data []byte) inFrame {
	if len(data) > h.cfg.MaxFrameBytes {
		return inFrame{data: data, err: ErrFrameTooLarge}
	}
	return inFrame{data: data}
}

// binaryFrame decodes a base64 line. The client sends btoa output (padded); unpadded input
// is accepted too.
func (h *Handler) binaryFrame(line []byte) inFrame {
	line = bytes.TrimRight(line, "=")
	if base64.RawStdEncoding.DecodedLen(len(line)) > h.cfg.MaxFrameBytes {
		return inFrame{binary: true, err: ErrFrameTooLarge}
	}
	data := make([]byte, base64.RawStdEncoding.DecodedLen(len(line)))
	n, err := base64.RawStdEncoding.Decode(data, line)
	if err != nil {
		return inFrame{binary: true, err: ErrBadBase64}
	}
	return inFrame{data: data[:n], binary: true}
}

// dispatch hands the frames to the core in order, one POST at a time per session. It
// reports false when the session is closed.
func (s *session) dispatch(ctx context.Context, frames []inFrame) bool {
	s.inbound.Lock()
	defer s.inbound.Unlock()
	if s.isClosed() {
		return false
	}
	sock := s.socket()
	for _, f := range frames {
		if s.isClosed() { // e.g. the core disconnected it mid-batch (rate limit, token expiry)
			return false
		}
		if f.err != nil {
			s.rejectFrame(f, f.err)
			continue
		}
		m, err := s.ser.Decode(f.data, f.binary)
		if err != nil {
			s.rejectFrame(f, err)
			continue
		}
		sock.HandlePhoenix(ctx, m)
	}
	return true
}
