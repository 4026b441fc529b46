package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// jwksServer serves a mutable JWK Set and counts fetches.
type jwksServer struct {
	*httptest.Server
	mu      sync.Mutex
	keys    []map[string]any
	fetches atomic.Int64
}

func newJWKSServer(t *testing.T, keys ...map[string]any) *jwksServer {
	t.Helper()
	s := &jwksServer{keys: keys}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		s.fetches.Add(1)
		s.mu.Lock()
		body, err := json.Marshal(map[string]any{"keys": s.keys})
		s.mu.Unlock()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) setKeys(keys ...map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys = keys
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func rsaJWK(kid string, pub *rsa.PublicKey) map[string]any {
	return map[string]any{"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
		"n": b64(pub.N.Bytes()), "e": b64(big.NewInt(int64(pub.E)).Bytes())}
}

func ecJWK(kid string, pub *ecdsa.PublicKey) map[string]any {
	size := (pub.Curve.Params().BitSize + 7) / 8
	return map[string]any{"kty": "EC", "kid": kid, "crv": pub.Curve.Params().Name,
		"x": b64(pub.X.FillBytes(make([]byte, size))), "y": b64(pub.Y.FillBytes(make([]byte, size)))}
}

func edJWK(kid string, pub ed25519.PublicKey) map[string]any {
	return map[string]any{"kty": "OKP", "kid": kid, "crv": "Ed25519", "x": b64(pub)}
}

func octJWK(kid string, secret []byte) map[string]any {
	return map[string]any{"kty": "oct", "kid": kid, "k": b64(secret)}
}

func jwksConfig(url string, algs ...string) Config {
	return Config{Algorithms: algs, JWKSURL: url}
}

func TestJWKSVerifiesByKid(t *testing.T) {
	k := testKeys()
	server := newJWKSServer(t,
		rsaJWK("rsa-1", &k.rsa.PublicKey),
		ecJWK("ec-1", &k.p256.PublicKey),
		edJWK("ed-1", k.ed.Public().(ed25519.PublicKey)),
	)
	tests := []struct {
		name   string
		method jwt.SigningMethod
		key    any
		header map[string]any
	}{
		{"RS256 by kid", jwt.SigningMethodRS256, k.rsa, map[string]any{"kid": "rsa-1"}},
		{"ES256 by kid", jwt.SigningMethodES256, k.p256, map[string]any{"kid": "ec-1"}},
		{"EdDSA by kid", jwt.SigningMethodEdDSA, k.ed, map[string]any{"kid": "ed-1"}},
		{"EdDSA without kid tries the fitting keys", jwt.SigningMethodEdDSA, k.ed, nil},
	}
	v, logs := newTestVerifier(t, jwksConfig(server.URL, "RS256", "ES256", "EdDSA"))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token := sign(t, tt.method, tt.key, claimsFor(nil), tt.header)
			id, err := v.Authenticate(context.Background(), token)
			if err != nil {
				t.Fatalf("Authenticate: %v (log %s)", err, logs.String())
			}
			if id.UserID != "42" {
				t.Errorf("UserID = %q", id.UserID)
			}
		})
	}
}

func TestJWKSRefusals(t *testing.T) {
	k := testKeys()
	tests := []struct {
		name   string
		algs   []string
		secret string
		token  func(t *testing.T) string
		want   error
	}{
		{"unknown kid", []string{"RS256"}, "", func(t *testing.T) string {
			return sign(t, jwt.SigningMethodRS256, k.rsa, claimsFor(nil), map[string]any{"kid": "nope"})
		}, ErrUnknownKey},
		{"kid of another family", []string{"RS256", "EdDSA"}, "", func(t *testing.T) string {
			return sign(t, jwt.SigningMethodEdDSA, k.ed, claimsFor(nil), map[string]any{"kid": "rsa-1"})
		}, ErrUnknownKey},
		{"right kid, wrong signer", []string{"RS256"}, "", func(t *testing.T) string {
			return sign(t, jwt.SigningMethodRS256, k.rsa2, claimsFor(nil), map[string]any{"kid": "rsa-1"})
		}, ErrBadSignature},
		{"kid not a string", []string{"RS256"}, "", func(t *testing.T) string {
			return sign(t, jwt.SigningMethodRS256, k.rsa, claimsFor(nil), map[string]any{"kid": 5})
		}, ErrUnknownKey},
		{"HS256 signed with a JWKS oct key is not allowed", []string{"RS256"}, "", func(t *testing.T) string {
			return sign(t, jwt.SigningMethodHS256, []byte("jwks-published-symmetric-key-000"), claimsFor(nil), map[string]any{"kid": "oct-1"})
		}, ErrAlgorithmNotAllowed},
		{"HS256 never uses a JWKS oct key", []string{"RS256", "HS256"}, testSecret, func(t *testing.T) string {
			return sign(t, jwt.SigningMethodHS256, []byte("jwks-published-symmetric-key-000"), claimsFor(nil), map[string]any{"kid": "oct-1"})
		}, ErrBadSignature},
		{"HS256 signed with the JWKS RSA modulus", []string{"RS256", "HS256"}, testSecret, func(t *testing.T) string {
			return sign(t, jwt.SigningMethodHS256, k.rsa.PublicKey.N.Bytes(), claimsFor(nil), map[string]any{"kid": "rsa-1"})
		}, ErrBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			server := newJWKSServer(t, rsaJWK("rsa-1", &k.rsa.PublicKey), octJWK("oct-1", []byte("jwks-published-symmetric-key-000")))
			cfg := jwksConfig(server.URL, tt.algs...)
			cfg.Secret = tt.secret
			v, logs := newTestVerifier(t, cfg)
			_, err := v.Authenticate(context.Background(), tt.token(t))
			if err != tt.want {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
			if lines := logs.refusals(t); len(lines) != 1 || lines[0]["reason"] != tt.want.Error() {
				t.Errorf("refusal lines = %v, want one with reason %q", lines, tt.want)
			}
		})
	}
}

func TestJWKSKeyRotation(t *testing.T) {
	k := testKeys()
	server := newJWKSServer(t, rsaJWK("old", &k.rsa.PublicKey))
	v, logs := newTestVerifier(t, jwksConfig(server.URL, "RS256", "ES256"))

	old := sign(t, jwt.SigningMethodRS256, k.rsa, claimsFor(nil), map[string]any{"kid": "old"})
	if _, err := v.Authenticate(context.Background(), old); err != nil {
		t.Fatalf("old key: %v", err)
	}

	// The provider rotates: "new" appears and "old" is withdrawn.
	server.setKeys(ecJWK("new", &k.p256.PublicKey))
	rotated := sign(t, jwt.SigningMethodES256, k.p256, claimsFor(nil), map[string]any{"kid": "new"})
	if _, err := v.Authenticate(context.Background(), rotated); err != nil {
		t.Fatalf("rotated key: %v (log %s)", err, logs.String())
	}
	if got := server.fetches.Load(); got != 2 {
		t.Errorf("%d JWKS fetches, want 2 (start + one refresh on the unknown kid)", got)
	}
	// The refresh replaced the set, so the withdrawn key no longer verifies.
	if _, err := v.Authenticate(context.Background(), old); err != ErrUnknownKey {
		t.Errorf("withdrawn key: error = %v, want ErrUnknownKey", err)
	}
}

func TestJWKSUnknownKidRefreshIsRateLimited(t *testing.T) {
	k := testKeys()
	server := newJWKSServer(t, rsaJWK("rsa-1", &k.rsa.PublicKey))
	settings := testJWKSSettings()
	settings.unknownKIDEvery = time.Hour
	settings.httpTimeout = time.Second
	v, _ := newTestVerifierWith(t, jwksConfig(server.URL, "RS256"), settings)

	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			token := sign(t, jwt.SigningMethodRS256, k.rsa, claimsFor(nil), map[string]any{"kid": "forged-" + itoa(int64(i))})
			if _, err := v.Authenticate(context.Background(), token); err != ErrUnknownKey {
				t.Errorf("error = %v, want ErrUnknownKey", err)
			}
		})
	}
	wg.Wait()
	if got := server.fetches.Load(); got > 2 {
		t.Errorf("%d JWKS fetches for 50 forged kids, want at most 2", got)
	}
}

// An unreachable JWKS at start is not fatal: keys arrive on the first refresh.
func TestJWKSUnavailableAtStart(t *testing.T) {
	k := testKeys()
	server := newJWKSServer(t, rsaJWK("rsa-1", &k.rsa.PublicKey))
	var up atomic.Bool
	server.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !up.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		server.mu.Lock()
		body, _ := json.Marshal(map[string]any{"keys": server.keys})
		server.mu.Unlock()
		_, _ = w.Write(body)
	})
	v, logs := newTestVerifier(t, jwksConfig(server.URL, "RS256"))
	if !strings.Contains(logs.String(), "JWKS refresh failed") {
		t.Errorf("startup failure not logged: %s", logs.String())
	}
	up.Store(true)
	token := sign(t, jwt.SigningMethodRS256, k.rsa, claimsFor(nil), map[string]any{"kid": "rsa-1"})
	if _, err := v.Authenticate(context.Background(), token); err != nil {
		t.Fatalf("Authenticate after recovery: %v", err)
	}
}
