package longpoll

import (
	"errors"
	"strings"
	"testing"
)

func TestTokenSigner(t *testing.T) {
	s := newTokenSigner("node-a")
	id := newSessionID()
	good := s.sign(id)
	if got, err := s.verify(good); err != nil || got != id {
		t.Fatalf("verify(sign(id)) = %q, %v", got, err)
	}
	otherNode := newTokenSigner("node-b").sign(id)
	sameNodeOtherKey := newTokenSigner("node-a").sign(id)
	parts := strings.Split(good, ".")
	swappedID := strings.Join([]string{parts[0], newSessionID(), parts[2], parts[3]}, ".")
	tests := []struct{ name, token string }{
		{"empty", ""},
		{"no prefix", strings.TrimPrefix(good, tokenPrefix)},
		{"prefix only", tokenPrefix},
		{"other node", otherNode},
		{"other process", sameNodeOtherKey},
		{"swapped session id", swappedID},
		{"truncated signature", good[:len(good)-1]},
		{"extra dot", good + "."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := s.verify(tt.token); !errors.Is(err, ErrBadToken) {
				t.Fatalf("verify(%q) err = %v, want ErrBadToken", tt.token, err)
			}
		})
	}
}

func FuzzVerify(f *testing.F) {
	s := newTokenSigner("n")
	f.Add(s.sign("abc"))
	f.Add(tokenPrefix + "..")
	f.Fuzz(func(t *testing.T, token string) {
		_, _ = s.verify(token) // must not panic
	})
}
