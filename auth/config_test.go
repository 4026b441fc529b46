package auth

import (
	"context"
	"crypto/x509"
	"errors"
	"github.com/golang-jwt/jwt/v5"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

func TestNewRefusesInconsistentConfigs(t *testing.T) {
	k := testKeys()
	tests := []struct {
		name    string
		config  func(t *testing.T) Config
		wantMsg string
	}{
		{"no algorithms", func(t *testing.T) Config { return Config{Secret: testSecret} }, "algorithms is empty"},
		{"none", func(t *testing.T) Config { return Config{Algorithms: []string{"HS256", "none"}, Secret: testSecret} }, `"none"`},
		{"None in other case", func(t *testing.T) Config { return Config{Algorithms: []string{"None"}} }, `"none"`},
		{"unknown algorithm", func(t *testing.T) Config { return Config{Algorithms: []string{"HS1"}, Secret: testSecret} }, "unknown algorithm"},
		{"lower-case name", func(t *testing.T) Config { return Config{Algorithms: []string{"hs256"}, Secret: testSecret} }, "unknown algorithm"},
		{"RS256 without key source", func(t *testing.T) Config { return Config{Algorithms: []string{"RS256"}} }, "neither public_key_file nor jwks_url"},
		{"EC key but only RS256 allowed", func(t *testing.T) Config {
			return Config{Algorithms: []string{"RS256"}, PublicKeyFile: writePublicKey(t, &k.p256.PublicKey)}
		}, "fits none of the allowed algorithms"},
		{"P-256 key but only ES384 allowed", func(t *testing.T) Config {
			return Config{Algorithms: []string{"ES384"}, PublicKeyFile: writePublicKey(t, &k.p256.PublicKey)}
		}, "fits none of the allowed algorithms"},
		{"RSA key with only HS256 allowed", func(t *testing.T) Config {
			return Config{Algorithms: []string{"HS256"}, Secret: testSecret, PublicKeyFile: writePublicKey(t, &k.rsa.PublicKey)}
		}, "fits none of the allowed algorithms"},
		{"private key file", func(t *testing.T) Config {
			der, err := x509.MarshalPKCS8PrivateKey(k.ed)
			if err != nil {
				t.Fatal(err)
			}
			return Config{Algorithms: []string{"EdDSA"}, PublicKeyFile: writePEM(t, "PRIVATE KEY", der)}
		}, "private key"},
		{"missing key file", func(t *testing.T) Config {
			return Config{Algorithms: []string{"EdDSA"}, PublicKeyFile: filepath.Join(t.TempDir(), "absent.pem")}
		}, "public_key_file"},
		{"key file without PEM", func(t *testing.T) Config {
			path := filepath.Join(t.TempDir(), "junk.pem")
			if err := os.WriteFile(path, []byte("not pem"), 0o600); err != nil {
				t.Fatal(err)
			}
			return Config{Algorithms: []string{"EdDSA"}, PublicKeyFile: path}
		}, "no PEM public key"},
		{"corrupt PEM body", func(t *testing.T) Config {
			return Config{Algorithms: []string{"EdDSA"}, PublicKeyFile: writePEM(t, "PUBLIC KEY", []byte{1, 2, 3})}
		}, "public_key_file"},
		{"jwks_url not http", func(t *testing.T) Config {
			return Config{Algorithms: []string{"RS256"}, JWKSURL: "ftp://keys.example/jwks.json"}
		}, "not an http(s) URL"},
		{"jwks_url with only HS256", func(t *testing.T) Config {
			return Config{Algorithms: []string{"HS256"}, Secret: testSecret, JWKSURL: "https://keys.example/jwks.json"}
		}, "jwks_url is set but no"},
		{"negative leeway", func(t *testing.T) Config {
			cfg := hsConfig()
			cfg.Leeway = -time.Second
			return cfg
		}, "leeway"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := New(context.Background(), tt.config(t), zerolog.Nop())
			if err == nil {
				t.Fatalf("New succeeded (%v), want an error containing %q", v != nil, tt.wantMsg)
			}
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error = %q, want ErrConfig containing %q", err, tt.wantMsg)
			}
		})
	}
}

// An empty secret (an unset ${PHX_JWT_SECRET}) starts the server, warns, and verifies no HS*
// token — least of all one signed with the empty key.
func TestEmptySecretVerifiesNoHMACToken(t *testing.T) {
	var buf strings.Builder
	v, err := New(context.Background(), Config{Algorithms: []string{"HS256"}}, zerolog.New(&buf))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if !strings.Contains(buf.String(), "secret is empty") {
		t.Errorf("log %q lacks the warning", buf.String())
	}
	for _, key := range [][]byte{{}, []byte(testSecret)} {
		token := sign(t, jwt.SigningMethodHS256, key, jwt.MapClaims{"sub": "1"}, nil)
		if _, err := v.Authenticate(context.Background(), token); !errors.Is(err, ErrUnknownKey) {
			t.Errorf("token signed with %q: err = %v, want ErrUnknownKey", key, err)
		}
	}
	if id, err := v.Authenticate(context.Background(), ""); err != nil || id.Authenticated {
		t.Errorf("anonymous: %+v %v", id, err)
	}
}

func TestNewWarnsAboutWeakOrUnusedSecrets(t *testing.T) {
	k := testKeys()
	tests := []struct {
		name     string
		config   func(t *testing.T) Config
		wantWarn string
	}{
		{"short secret", func(t *testing.T) Config { return Config{Algorithms: []string{"HS256"}, Secret: "short"} }, "shorter than 32 bytes"},
		{"unused secret", func(t *testing.T) Config {
			return Config{Algorithms: []string{"EdDSA"}, Secret: testSecret, PublicKeyFile: writePublicKey(t, k.ed.Public())}
		}, "ignored"},
		{"strong secret, no warning", func(t *testing.T) Config { return hsConfig() }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log, buf := newTestLogger()
			if _, err := New(context.Background(), tt.config(t), log); err != nil {
				t.Fatalf("New: %v", err)
			}
			got := buf.String()
			if tt.wantWarn == "" && got != "" || !strings.Contains(got, tt.wantWarn) {
				t.Errorf("log = %q, want warning containing %q", got, tt.wantWarn)
			}
		})
	}
}

// The Verifier keeps its own copy of the config: later edits by the caller change nothing.
func TestNewCopiesConfig(t *testing.T) {
	cfg := hsConfig()
	cfg.Claims.Presence = []string{"name"}
	v, _ := newTestVerifier(t, cfg)
	cfg.Claims.Presence[0] = "email"
	cfg.Algorithms[0] = "HS512"
	token := hs256WithKey(`{"alg":"HS256"}`, `{"sub":"1","name":"Ada","email":"a@b"}`, []byte(testSecret))
	id, err := v.Authenticate(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := id.Shared["name"]; !ok || len(id.Shared) != 1 {
		t.Errorf("Shared = %v, want only name", id.Shared)
	}
}
