package longpoll

import (
	"errors"
	"net/http"

	"github.com/phxserver/phxserver/channels"
	"github.com/phxserver/phxserver/protocol"
)

// Query and header names of the LongPoll protocol.
const (
	tokenParam         = "token"
	sessionTokenHeader = "X-Phoenix-Longpoll-Token"
	authTokenHeader    = "X-Phoenix-AuthToken"
)

// sessionToken returns the session token of a request: header x-phoenix-longpoll-token
// (newer clients), else the last `token` query value when it claims to be a session token
// (phoenix 1.8.16 appends it after the user's own params, which may hold a `token` too).
func sessionToken(r *http.Request) (string, bool) {
	if v := r.Header.Get(sessionTokenHeader); v != "" {
		return v, true
	}
	vs := r.URL.Query()[tokenParam]
	if len(vs) > 0 && isSessionToken(vs[len(vs)-1]) {
		return vs[len(vs)-1], true
	}
	return "", false
}

// authToken returns the token to authenticate a new session with: the X-Phoenix-AuthToken
// header (the client's authToken), else the last `token` query value that is not a session
// token (the user's socket params).
func authToken(r *http.Request) string {
	if v := r.Header.Get(authTokenHeader); v != "" {
		return v
	}
	vs := r.URL.Query()[tokenParam]
	for i := len(vs) - 1; i >= 0; i-- {
		if !isSessionToken(vs[i]) {
			return vs[i]
		}
	}
	return ""
}

// servePoll answers a GET: a new session (410 with its token), or the session's queued
// frames (200), or nothing within the window (204), or {"status":410} for a token that
// names no live session.
func (h *Handler) servePoll(w http.ResponseWriter, r *http.Request) {
	token, ok := sessionToken(r)
	if !ok {
		writeBody(w, h.createSession(r))
		return
	}
	s := h.lookup(token)
	if s == nil {
		writeBody(w, h.gone())
		return
	}
	status, msgs := s.poll(r.Context(), h.cfg.Window)
	switch status {
	case statusAborted:
		return
	case statusGone:
		writeBody(w, h.gone())
	default:
		writeBody(w, body{Status: status, Token: s.token}.withMessages(msgs))
	}
}

// gone answers a poll whose session does not exist (any more): 410 with a token, since every
// GET response carries one (§7.14). The client holding a token closes with 3410 and
// reconnects, ignoring it; the token names no session, so using it again is another 410.
func (h *Handler) gone() body {
	return body{Status: statusGone, Token: h.signer.sign(newSessionID())}
}

// createSession authenticates a token-less poll and opens a session. A bad vsn or a
// refused token answers 403 (the client reports "forbidden"); a full or draining server
// answers 500 (the client retries).
func (h *Handler) createSession(r *http.Request) body {
	vsn := ""
	if vs := r.URL.Query()["vsn"]; len(vs) > 0 {
		vsn = vs[len(vs)-1]
	}
	ser, err := protocol.Negotiate(vsn)
	if err != nil {
		return body{Status: 403}
	}
	s := &session{h: h, id: newSessionID(), ser: ser}
	s.token = h.signer.sign(s.id)
	sock, err := h.node.Connect(r.Context(), channels.ConnectRequest{
		Token: authToken(r), InvalidTokenAnonymous: h.cfg.InvalidTokenAnonymous,
		Dialect: channels.PhoenixDialect(ser), Transport: s, TransportName: "longpoll", RemoteAddr: r.RemoteAddr,
	})
	if err != nil {
		if errors.Is(err, channels.ErrTooManyConnections) || errors.Is(err, channels.ErrDraining) {
			return body{Status: 500}
		}
		return body{Status: 403}
	}
	if !s.attach(sock) || !h.register(s) {
		s.terminate()
		return body{Status: 500}
	}
	return body{Status: statusGone, Token: s.token}.withMessages(nil)
}
