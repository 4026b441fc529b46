package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// hs256WithKey signs header.payload with HMAC-SHA256 under key, by hand, so any header
// (including a forged alg) can be used.
func hs256WithKey(header, payload string, key []byte) string {
	enc := base64.RawURLEncoding
	signingInput := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(payload))
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(signingInput))
	return signingInput + "." + enc.EncodeToString(mac.Sum(nil))
}

func randomBase64(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func TestAuthenticateRefusesAttacks(t *testing.T) {
	k := testKeys()
	hs := func(claims jwt.MapClaims) func(t *testing.T) string {
		return func(t *testing.T) string {
			return sign(t, jwt.SigningMethodHS256, []byte(testSecret), claimsFor(claims), nil)
		}
	}
	rsaCfg := func(t *testing.T) Config {
		return Config{Algorithms: []string{"RS256"}, PublicKeyFile: writePublicKey(t, &k.rsa.PublicKey)}
	}
	hsCfg := func(t *testing.T) Config { return hsConfig() }
	validPayload := func() string {
		return `{"sub":"admin","exp":` + strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10) + `}`
	}

	tests := []struct {
		name   string
		config func(t *testing.T) Config
		token  func(t *testing.T) string
		want   error
	}{
		{"alg none", hsCfg, func(t *testing.T) string {
			return handBuilt(`{"alg":"none","typ":"JWT"}`, validPayload(), nil)
		}, ErrAlgorithmNotAllowed},
		{"alg NONE upper case", hsCfg, func(t *testing.T) string {
			return handBuilt(`{"alg":"NONE","typ":"JWT"}`, validPayload(), nil)
		}, ErrAlgorithmNotAllowed},
		{"alg none with signature", hsCfg, func(t *testing.T) string {
			return handBuilt(`{"alg":"none"}`, validPayload(), []byte("sig"))
		}, ErrAlgorithmNotAllowed},
		{"HS256 signed with RSA public key PEM, RS256 configured", rsaCfg, func(t *testing.T) string {
			return hs256WithKey(`{"alg":"HS256","typ":"JWT"}`, validPayload(), publicKeyPEM(t, &k.rsa.PublicKey))
		}, ErrAlgorithmNotAllowed},
		{"HS256 signed with RSA public key PEM, RS256 and HS256 configured", func(t *testing.T) Config {
			cfg := rsaCfg(t)
			cfg.Algorithms = []string{"RS256", "HS256"}
			cfg.Secret = testSecret
			return cfg
		}, func(t *testing.T) string {
			return hs256WithKey(`{"alg":"HS256","typ":"JWT"}`, validPayload(), publicKeyPEM(t, &k.rsa.PublicKey))
		}, ErrBadSignature},
		{"RS256 token with RS256 and EdDSA allowed but only an Ed25519 key", func(t *testing.T) Config {
			return Config{Algorithms: []string{"RS256", "EdDSA"}, PublicKeyFile: writePublicKey(t, k.ed.Public())}
		}, func(t *testing.T) string {
			return sign(t, jwt.SigningMethodRS256, k.rsa, claimsFor(nil), nil)
		}, ErrUnknownKey},
		{"ES384 token against a P-256 key", func(t *testing.T) Config {
			return Config{Algorithms: []string{"ES256", "ES384"}, PublicKeyFile: writePublicKey(t, &k.p256.PublicKey)}
		}, func(t *testing.T) string {
			return sign(t, jwt.SigningMethodES384, k.p384, claimsFor(nil), nil)
		}, ErrUnknownKey},
		{"RS256 signed by another key", rsaCfg, func(t *testing.T) string {
			return sign(t, jwt.SigningMethodRS256, k.rsa2, claimsFor(nil), nil)
		}, ErrBadSignature},
		{"unregistered alg", hsCfg, func(t *testing.T) string {
			return hs256WithKey(`{"alg":"HS999"}`, validPayload(), []byte(testSecret))
		}, ErrAlgorithmNotAllowed},
		{"allowed family, alg not in list", hsCfg, func(t *testing.T) string {
			return sign(t, jwt.SigningMethodHS512, []byte(testSecret), claimsFor(nil), nil)
		}, ErrAlgorithmNotAllowed},
		{"expired", hsCfg, hs(jwt.MapClaims{"exp": time.Now().Add(-time.Minute).Unix()}), ErrTokenExpired},
		{"not yet valid", hsCfg, hs(jwt.MapClaims{"nbf": time.Now().Add(time.Minute).Unix()}), ErrTokenNotValidYet},
		{"issued in the future", hsCfg, hs(jwt.MapClaims{"iat": time.Now().Add(time.Minute).Unix()}), ErrIssuedInFuture},
		{"wrong issuer", func(t *testing.T) Config {
			cfg := hsConfig()
			cfg.Issuer = "https://issuer.example"
			return cfg
		}, hs(jwt.MapClaims{"iss": "https://evil.example"}), ErrWrongIssuer},
		{"missing issuer", func(t *testing.T) Config {
			cfg := hsConfig()
			cfg.Issuer = "https://issuer.example"
			return cfg
		}, hs(nil), ErrWrongIssuer},
		{"wrong audience", func(t *testing.T) Config {
			cfg := hsConfig()
			cfg.Audience = "realtime"
			return cfg
		}, hs(jwt.MapClaims{"aud": []string{"billing", "api"}}), ErrWrongAudience},
		{"missing audience", func(t *testing.T) Config {
			cfg := hsConfig()
			cfg.Audience = "realtime"
			return cfg
		}, hs(nil), ErrWrongAudience},
		{"bad signature (wrong secret)", hsCfg, func(t *testing.T) string {
			return sign(t, jwt.SigningMethodHS256, []byte("another-secret-another-secret-xx"), claimsFor(nil), nil)
		}, ErrBadSignature},
		{"bad signature (payload swapped)", hsCfg, func(t *testing.T) string {
			parts := strings.Split(sign(t, jwt.SigningMethodHS256, []byte(testSecret), claimsFor(nil), nil), ".")
			parts[1] = base64.RawURLEncoding.EncodeToString([]byte(validPayload()))
			return strings.Join(parts, ".")
		}, ErrBadSignature},
		{"garbage a.b", hsCfg, func(t *testing.T) string { return "a.b" }, ErrMalformed},
		{"garbage not-a-jwt", hsCfg, func(t *testing.T) string { return "not-a-jwt" }, ErrMalformed},
		{"garbage dots", hsCfg, func(t *testing.T) string { return ".." }, ErrMalformed},
		{"garbage random base64", hsCfg, func(t *testing.T) string { return randomBase64(t, 200) }, ErrMalformed},
		{"garbage three random segments", hsCfg, func(t *testing.T) string {
			return randomBase64(t, 20) + "." + randomBase64(t, 40) + "." + randomBase64(t, 32)
		}, ErrMalformed},
		{"header not an object", hsCfg, func(t *testing.T) string {
			return handBuilt(`["HS256"]`, validPayload(), []byte("x"))
		}, ErrMalformed},
		{"header without alg", hsCfg, func(t *testing.T) string {
			return hs256WithKey(`{"typ":"JWT"}`, validPayload(), []byte(testSecret))
		}, ErrMalformed},
		{"crit header", hsCfg, func(t *testing.T) string {
			return hs256WithKey(`{"alg":"HS256","crit":["exp"]}`, validPayload(), []byte(testSecret))
		}, ErrMalformed},
		{"exp of the wrong type", hsCfg, hs(jwt.MapClaims{"exp": "tomorrow"}), ErrMalformed},
		{"oversized token", hsCfg, func(t *testing.T) string { return strings.Repeat("a", maxTokenBytes+1) }, ErrMalformed},
		{"wrong token type", func(t *testing.T) Config {
			cfg := hsConfig()
			cfg.RequireTokenType = "realtime"
			return cfg
		}, hs(jwt.MapClaims{"token_type": "refresh"}), ErrWrongTokenType},
		{"missing token type", func(t *testing.T) Config {
			cfg := hsConfig()
			cfg.RequireTokenType = "realtime"
			return cfg
		}, hs(nil), ErrWrongTokenType},
		{"channels claim is a string", hsCfg, hs(jwt.MapClaims{"authorized_channels": "room/*"}), ErrBadChannelsClaim},
		{"channels claim holds a number", hsCfg, hs(jwt.MapClaims{"authorized_channels": []any{"room/1", 7}}), ErrBadChannelsClaim},
		{"no user id", hsCfg, hs(jwt.MapClaims{"sub": removed{}}), ErrNoUserID},
		{"empty user id", hsCfg, hs(jwt.MapClaims{"sub": ""}), ErrNoUserID},
		{"user id is an object", hsCfg, hs(jwt.MapClaims{"sub": map[string]any{"id": 1}}), ErrNoUserID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, logs := newTestVerifier(t, tt.config(t))
			token := tt.token(t)

			id, err := v.Authenticate(context.Background(), token)
			if err != tt.want {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
			if id.Authenticated || id.UserID != "" || id.Claims != nil {
				t.Errorf("refused token produced identity %+v", id)
			}
			lines := logs.refusals(t)
			if len(lines) != 1 {
				t.Fatalf("%d refusal log lines, want 1: %s", len(lines), logs.String())
			}
			if lines[0]["level"] != "warn" || lines[0]["reason"] != tt.want.Error() {
				t.Errorf("log line = %v, want warn with reason %q", lines[0], tt.want)
			}
			if sig := token[strings.LastIndex(token, ".")+1:]; len(sig) > 8 && strings.Contains(logs.String(), sig) {
				t.Errorf("log contains the token: %s", logs.String())
			}
		})
	}
}
