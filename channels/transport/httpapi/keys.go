package httpapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
)

// keyring holds the SHA-256 digests of the API keys. Comparing fixed-size digests keeps the
// comparison constant-time even when the keys differ in length (subtle.ConstantTimeCompare
// returns early on a length mismatch).
type keyring struct {
	digests [][sha256.Size]byte
}

// newKeyring keeps the non-empty keys; nil when there is none (API disabled).
func newKeyring(keys []string) *keyring {
	kr := &keyring{}
	for _, k := range keys {
		if k != "" {
			kr.digests = append(kr.digests, sha256.Sum256([]byte(k)))
		}
	}
	if len(kr.digests) == 0 {
		return nil
	}
	return kr
}

// accepts reports whether presented is one of the keys. It compares against every key
// without an early exit, so the time taken says nothing about which key (if any) matched.
func (kr *keyring) accepts(presented string) bool {
	d := sha256.Sum256([]byte(presented))
	match := 0
	for i := range kr.digests {
		match |= subtle.ConstantTimeCompare(d[:], kr.digests[i][:])
	}
	return match == 1
}

// bearerKey returns the credentials of an `Authorization: Bearer <key>` header.
func bearerKey(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, key, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	key = strings.TrimSpace(key)
	return key, key != ""
}
