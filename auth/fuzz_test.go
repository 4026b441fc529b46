package auth

import (
	"context"
	"errors"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/rs/zerolog"
)

// FuzzAuthenticate feeds hostile strings to a verifier: it must never panic, and it must
// either authenticate or answer with one of the package sentinels.
func FuzzAuthenticate(f *testing.F) {
	f.Add("")
	f.Add("a.b.c")
	f.Add(handBuilt(`{"alg":"none"}`, `{"sub":"1"}`, nil))
	f.Add(hs256WithKey(`{"alg":"HS256"}`, `{"sub":1e999,"dbo_id":-1e400,"authorized_channels":[1]}`, []byte(testSecret)))
	f.Add(hs256WithKey(`{"alg":"HS256","kid":{}}`, `{"sub":"1","exp":null,"aud":[1]}`, []byte(testSecret)))
	f.Add(sign(f, jwt.SigningMethodHS256, []byte(testSecret), claimsFor(nil), nil))

	v, err := New(context.Background(), Config{Algorithms: []string{"HS256"}, Secret: testSecret, Audience: "phx", RequireTokenType: "realtime"}, zerolog.Nop())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, token string) {
		id, err := v.Authenticate(context.Background(), token)
		if err == nil {
			if token != "" && (!id.Authenticated || id.UserID == "" || id.Shared == nil) {
				t.Fatalf("accepted token with incomplete identity %+v", id)
			}
			return
		}
		for _, reason := range refusalReasons {
			if errors.Is(err, reason) {
				return
			}
		}
		t.Fatalf("error %q is not a package sentinel", err)
	})
}

// Hostile payloads behind a valid signature (a fuzzer cannot forge one) are handled without
// panicking.
func TestHostileSignedPayloads(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    error
	}{
		{"overflowing numeric sub", `{"sub":1e999}`, ErrNoUserID},
		{"overflowing exp is refused, not wrapped round", `{"sub":"1","exp":1e999}`, ErrTokenExpired},
		{"overflowing dbo_id", `{"sub":"1","dbo_id":-1e400}`, nil},
		{"null exp", `{"sub":"1","exp":null}`, ErrMalformed},
		{"aud of numbers is ignored when no audience is configured", `{"sub":"1","aud":[1,2]}`, nil},
		{"deeply nested claim", `{"sub":"1","x":` + nested(500) + `}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, _ := newTestVerifier(t, hsConfig())
			_, err := v.Authenticate(context.Background(), hs256WithKey(`{"alg":"HS256"}`, tt.payload, []byte(testSecret)))
			if err != tt.want {
				t.Errorf("error = %v, want %v", err, tt.want)
			}
		})
	}
}

func nested(depth int) string {
	s := "1"
	for range depth {
		s = "[" + s + "]"
	}
	return s
}

// FuzzSignedPayload signs arbitrary header and payload JSON with the configured secret, so the
// claim validation and Identity mapping see hostile input behind a valid signature.
func FuzzSignedPayload(f *testing.F) {
	f.Add(`{"alg":"HS256"}`, `{"sub":"1","token_type":"realtime","aud":"phx","dbo_id":1.5}`)
	f.Add(`{"alg":"HS256","kid":"k"}`, `{"sub":12,"authorized_channels":["a",null],"name":{"x":1}}`)
	f.Add(`{"alg":"HS256"}`, `{"sub":"1","exp":"soon","nbf":[],"iat":{}}`)

	v, err := New(context.Background(), Config{Algorithms: []string{"HS256"}, Secret: testSecret, Audience: "phx", RequireTokenType: "realtime"}, zerolog.Nop())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, header, payload string) {
		id, err := v.Authenticate(context.Background(), hs256WithKey(header, payload, []byte(testSecret)))
		if err == nil {
			if !id.Authenticated || id.UserID == "" || id.Shared == nil || id.Claims["token_type"] != "realtime" {
				t.Fatalf("accepted token with inconsistent identity %+v", id)
			}
			return
		}
		for _, reason := range refusalReasons {
			if errors.Is(err, reason) {
				return
			}
		}
		t.Fatalf("error %q is not a package sentinel", err)
	})
}
