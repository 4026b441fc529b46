package auth

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/phxserver/phxserver/channels"
)

func TestAuthenticateAcceptsEachAlgorithm(t *testing.T) {
	k := testKeys()
	tests := []struct {
		name   string
		method jwt.SigningMethod
		sign   any // signing key
		public any // public key written to public_key_file; nil for HS*
	}{
		{"HS256", jwt.SigningMethodHS256, []byte(testSecret), nil},
		{"HS384", jwt.SigningMethodHS384, []byte(testSecret), nil},
		{"HS512", jwt.SigningMethodHS512, []byte(testSecret), nil},
		{"RS256", jwt.SigningMethodRS256, k.rsa, &k.rsa.PublicKey},
		{"RS512", jwt.SigningMethodRS512, k.rsa, &k.rsa.PublicKey},
		{"PS256", jwt.SigningMethodPS256, k.rsa, &k.rsa.PublicKey},
		{"ES256", jwt.SigningMethodES256, k.p256, &k.p256.PublicKey},
		{"ES384", jwt.SigningMethodES384, k.p384, &k.p384.PublicKey},
		{"ES512", jwt.SigningMethodES512, k.p521, &k.p521.PublicKey},
		{"EdDSA", jwt.SigningMethodEdDSA, k.ed, k.ed.Public()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Config{Algorithms: []string{tt.method.Alg()}}
			if tt.public == nil {
				cfg.Secret = testSecret
			} else {
				cfg.PublicKeyFile = writePublicKey(t, tt.public)
			}
			v, logs := newTestVerifier(t, cfg)
			token := sign(t, tt.method, tt.sign, claimsFor(nil), nil)

			id, err := v.Authenticate(context.Background(), token)
			if err != nil {
				t.Fatalf("Authenticate: %v", err)
			}
			if !id.Authenticated || id.UserID != "42" || id.ClientID != "" {
				t.Errorf("identity = %+v, want authenticated user 42 without client id", id)
			}
			if n := len(logs.refusals(t)); n != 0 {
				t.Errorf("%d refusal log lines for a valid token", n)
			}
		})
	}
}

func TestAuthenticateEmptyTokenIsAnonymous(t *testing.T) {
	v, logs := newTestVerifier(t, hsConfig())
	id, err := v.Authenticate(context.Background(), "")
	if err != nil {
		t.Fatalf("Authenticate(\"\") error = %v", err)
	}
	if id.Authenticated || id.UserID != "" || id.Claims != nil || id.Shared != nil {
		t.Errorf("identity = %+v, want zero", id)
	}
	if logs.String() != "" {
		t.Errorf("anonymous connect logged %q", logs.String())
	}
}

func TestAuthenticatePublicKeyFromCertificate(t *testing.T) {
	k := testKeys()
	template := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "issuer"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &k.p256.PublicKey, k.p256)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := newTestVerifier(t, Config{Algorithms: []string{"ES256"}, PublicKeyFile: writePEM(t, "CERTIFICATE", der)})
	token := sign(t, jwt.SigningMethodES256, k.p256, claimsFor(nil), nil)
	if _, err := v.Authenticate(context.Background(), token); err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
}

func TestLeeway(t *testing.T) {
	tests := []struct {
		name    string
		claims  jwt.MapClaims
		leeway  time.Duration
		wantErr error
	}{
		{"expired 10s ago, leeway 30s", jwt.MapClaims{"exp": time.Now().Add(-10 * time.Second).Unix()}, 30 * time.Second, nil},
		{"expired 10s ago, leeway 0", jwt.MapClaims{"exp": time.Now().Add(-10 * time.Second).Unix()}, 0, ErrTokenExpired},
		{"nbf 10s ahead, leeway 30s", jwt.MapClaims{"nbf": time.Now().Add(10 * time.Second).Unix()}, 30 * time.Second, nil},
		{"nbf 10s ahead, leeway 0", jwt.MapClaims{"nbf": time.Now().Add(10 * time.Second).Unix()}, 0, ErrTokenNotValidYet},
		{"iat 10s ahead, leeway 30s", jwt.MapClaims{"iat": time.Now().Add(10 * time.Second).Unix()}, 30 * time.Second, nil},
		{"iat 10s ahead, leeway 0", jwt.MapClaims{"iat": time.Now().Add(10 * time.Second).Unix()}, 0, ErrIssuedInFuture},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := hsConfig()
			cfg.Leeway = tt.leeway
			v, _ := newTestVerifier(t, cfg)
			token := sign(t, jwt.SigningMethodHS256, []byte(testSecret), claimsFor(tt.claims), nil)
			_, err := v.Authenticate(context.Background(), token)
			if tt.wantErr == nil && err != nil {
				t.Fatalf("Authenticate: %v, want success", err)
			}
			if tt.wantErr != nil && err != tt.wantErr {
				t.Fatalf("Authenticate error = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestExpIsOptional(t *testing.T) {
	v, _ := newTestVerifier(t, hsConfig())
	token := sign(t, jwt.SigningMethodHS256, []byte(testSecret), claimsFor(jwt.MapClaims{"exp": removed{}}), nil)
	id, err := v.Authenticate(context.Background(), token)
	if err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	if !id.ExpiresAt.IsZero() {
		t.Errorf("ExpiresAt = %v, want zero without exp", id.ExpiresAt)
	}
}

// The Verifier must satisfy the core's port.
func TestVerifierIsAnAuthenticator(t *testing.T) {
	var _ channels.Authenticator = &Verifier{}
}
