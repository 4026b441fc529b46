package web

import (
	"errors"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestMintDemoToken(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	secret := []byte("a-demo-secret-of-at-least-32-bytes!!")
	sam, _ := FindDemoUser("sam")
	tests := []struct {
		name    string
		tc      TokenConfig
		user    DemoUser
		wantErr error
		want    map[string]any
	}{
		{"default claim names", TokenConfig{Secret: secret, HS256Accepted: true}, DemoUsers[0], nil,
			map[string]any{"sub": "alice", "name": "Alice", "role": "member", "team_ids": []any{float64(7)},
				"exp": float64(now.Add(time.Hour).Unix()), "iat": float64(now.Unix())}},
		{"agent role", TokenConfig{Secret: secret, HS256Accepted: true}, sam, nil,
			map[string]any{"sub": "sam", "role": "agent"}},
		{"configured claims, issuer, audience and token type", TokenConfig{Secret: secret, HS256Accepted: true,
			Issuer: "https://issuer", Audience: "phx", UserIDClaim: "uid", RoleClaim: "r",
			TokenTypeClaim: "typ", TokenType: "realtime"}, DemoUsers[1], nil,
			map[string]any{"uid": "bob", "r": "member", "iss": "https://issuer", "aud": "phx", "typ": "realtime"}},
		{"no secret", TokenConfig{HS256Accepted: true}, DemoUsers[0], ErrDemoTokensDisabled, nil},
		{"HS256 not accepted", TokenConfig{Secret: secret}, DemoUsers[0], ErrDemoTokensDisabled, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			signed, err := MintDemoToken(tc.tc, tc.user, now)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("error = %v, want %v", err, tc.wantErr)
			}
			if tc.wantErr != nil {
				return
			}
			claims := jwt.MapClaims{}
			_, err = jwt.ParseWithClaims(signed, claims, func(tok *jwt.Token) (any, error) { return secret, nil },
				jwt.WithValidMethods([]string{"HS256"}), jwt.WithTimeFunc(func() time.Time { return now }))
			if err != nil {
				t.Fatalf("token does not verify: %v", err)
			}
			for k, want := range tc.want {
				got := claims[k]
				if gs, ok := got.([]any); ok {
					ws := want.([]any)
					if len(gs) != len(ws) || gs[0] != ws[0] {
						t.Errorf("claim %s = %v, want %v", k, got, want)
					}
					continue
				}
				if got != want {
					t.Errorf("claim %s = %v (%T), want %v (%T)", k, got, got, want, want)
				}
			}
		})
	}
}

func TestFindDemoUser(t *testing.T) {
	tests := []struct {
		id     string
		wantOK bool
	}{{"alice", true}, {"sam", true}, {"", false}, {"Alice", false}, {"mallory", false}}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			u, ok := FindDemoUser(tc.id)
			if ok != tc.wantOK || (ok && u.ID != tc.id) {
				t.Fatalf("FindDemoUser(%q) = %+v, %v", tc.id, u, ok)
			}
		})
	}
}
