package auth

import (
	"context"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

func benchmarkAuthenticate(b *testing.B, cfg Config, token string, cached bool) {
	b.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log, _ := newTestLogger()
	v, err := newVerifier(ctx, cfg, log, defaultJWKSSettings)
	if err != nil {
		b.Fatal(err)
	}
	if !cached {
		v.cache = nil
	}
	if _, err := v.Authenticate(ctx, token); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := v.Authenticate(ctx, token); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// A realistic realtime token: sub, role, name, channels, exp, iat.
func benchClaims() jwt.MapClaims {
	return claimsFor(jwt.MapClaims{
		"role": "member", "name": "Ada Lovelace", "dbo_id": 12,
		"authorized_channels": []string{"team/1/*", "chatroom/*"},
	})
}

// BenchmarkAuthenticateHS256 measures a full verification (cache disabled).
func BenchmarkAuthenticateHS256(b *testing.B) {
	token := sign(b, jwt.SigningMethodHS256, []byte(testSecret), benchClaims(), nil)
	benchmarkAuthenticate(b, hsConfig(), token, false)
}

// BenchmarkAuthenticateHS256Cached measures a reconnect with a recently verified token.
func BenchmarkAuthenticateHS256Cached(b *testing.B) {
	token := sign(b, jwt.SigningMethodHS256, []byte(testSecret), benchClaims(), nil)
	benchmarkAuthenticate(b, hsConfig(), token, true)
}

func BenchmarkAuthenticateES256(b *testing.B) {
	k := testKeys()
	cfg := Config{Algorithms: []string{"ES256"}, PublicKeyFile: writeBenchKey(b, &k.p256.PublicKey)}
	benchmarkAuthenticate(b, cfg, sign(b, jwt.SigningMethodES256, k.p256, benchClaims(), nil), false)
}

func BenchmarkAuthenticateRefusedGarbage(b *testing.B) {
	ctx := context.Background()
	log, _ := newTestLogger()
	v, err := newVerifier(ctx, hsConfig(), log, defaultJWKSSettings)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		_, _ = v.Authenticate(ctx, "not-a-jwt")
	}
}
