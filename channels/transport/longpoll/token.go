package longpoll

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
)

// tokenPrefix marks a session token. A `token` query value without it is the user's own
// auth param (socket params share the key), never a session reference.
const tokenPrefix = "phxlp1."

// ErrBadToken is returned for a session token that is malformed, forged or signed by another
// process or node.
var ErrBadToken = errors.New("longpoll: invalid session token")

// tokenSigner issues and verifies session tokens:
// "phxlp1." + session id + "." + base64url(node id) + "." + base64url(HMAC-SHA256).
// The key is random per process: tokens of a previous run or another node never verify.
type tokenSigner struct {
	key    [32]byte
	nodeID string
}

func newTokenSigner(nodeID string) *tokenSigner {
	s := &tokenSigner{nodeID: nodeID}
	_, _ = rand.Read(s.key[:]) // crypto/rand.Read never fails (Go 1.24+)
	return s
}

// newSessionID returns 128 random bits, hex encoded.
func newSessionID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	const hexdigits = "0123456789abcdef"
	out := make([]byte, 32)
	for i, v := range b {
		out[2*i], out[2*i+1] = hexdigits[v>>4], hexdigits[v&15]
	}
	return string(out)
}

func (s *tokenSigner) mac(body string) string {
	m := hmac.New(sha256.New, s.key[:])
	m.Write([]byte(body))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// sign returns the token of a session id.
func (s *tokenSigner) sign(sessionID string) string {
	body := tokenPrefix + sessionID + "." + base64.RawURLEncoding.EncodeToString([]byte(s.nodeID))
	return body + "." + s.mac(body)
}

// verify returns the session id of a token this signer issued.
func (s *tokenSigner) verify(token string) (string, error) {
	if !isSessionToken(token) {
		return "", ErrBadToken
	}
	cut := strings.LastIndexByte(token, '.')
	if cut < len(tokenPrefix) {
		return "", ErrBadToken
	}
	body, sig := token[:cut], token[cut+1:]
	if !hmac.Equal([]byte(sig), []byte(s.mac(body))) {
		return "", ErrBadToken
	}
	id, node, ok := strings.Cut(body[len(tokenPrefix):], ".")
	if !ok || id == "" {
		return "", ErrBadToken
	}
	if n, err := base64.RawURLEncoding.DecodeString(node); err != nil || string(n) != s.nodeID {
		return "", ErrBadToken
	}
	return id, nil
}

// isSessionToken reports whether v claims to be a session token (verified or not): such a
// value is never used as an auth token, and a bad one answers {"status":410}.
func isSessionToken(v string) bool { return strings.HasPrefix(v, tokenPrefix) }
