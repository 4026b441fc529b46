package auth

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/phxserver/phxserver/channels"
)

func TestVerifiedCacheExpiry(t *testing.T) {
	base := time.Unix(1_700_000_000, 0)
	tests := []struct {
		name      string
		expiresAt time.Time
		leeway    time.Duration
		after     time.Duration
		wantHit   bool
	}{
		{"fresh, no exp", time.Time{}, 0, time.Second, true},
		{"no exp, past the TTL", time.Time{}, 0, cacheTTL, false},
		{"before exp", base.Add(10 * time.Second), 0, 9 * time.Second, true},
		{"at exp", base.Add(10 * time.Second), 0, 10 * time.Second, false},
		{"after exp within leeway", base.Add(10 * time.Second), 5 * time.Second, 14 * time.Second, true},
		{"after exp beyond leeway", base.Add(10 * time.Second), 5 * time.Second, 15 * time.Second, false},
		{"exp far ahead, TTL still applies", base.Add(time.Hour), 0, cacheTTL + time.Second, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newVerifiedCache()
			clock := &fakeClock{now: base}
			c.now = clock.Now
			c.put("tok", channels.Identity{Authenticated: true, UserID: "1", ExpiresAt: tt.expiresAt}, "", tt.leeway)
			clock.Advance(tt.after)
			_, _, hit := c.get("tok")
			if hit != tt.wantHit {
				t.Errorf("hit = %v, want %v", hit, tt.wantHit)
			}
		})
	}
}

func TestVerifiedCacheIsBounded(t *testing.T) {
	c := newVerifiedCache()
	for i := range cacheMaxEntries * 3 {
		c.put("token-"+strconv.Itoa(i), channels.Identity{UserID: "u"}, "", 0)
		if n := len(c.entries); n > cacheMaxEntries {
			t.Fatalf("%d entries after %d puts, cap %d", n, i+1, cacheMaxEntries)
		}
	}
	c.put(string(make([]byte, cacheMaxTokenBytes+1)), channels.Identity{}, "", 0)
	if _, _, hit := c.get(string(make([]byte, cacheMaxTokenBytes+1))); hit {
		t.Error("an oversized token was cached")
	}
}

// A cache hit must give each caller its own maps: one connection editing its identity must not
// change another's.
func TestAuthenticateCacheHitsAreIsolated(t *testing.T) {
	v, _ := newTestVerifier(t, hsConfig())
	token := sign(t, jwt.SigningMethodHS256, []byte(testSecret), claimsFor(jwt.MapClaims{
		"name": "Ada", "authorized_channels": []string{"room/1"},
	}), nil)
	first, err := v.Authenticate(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, hit := v.cache.get(token); !hit {
		t.Fatal("verified token was not cached")
	}
	first.Claims["sub"] = "attacker"
	first.Shared["name"] = "Mallory"
	first.AuthorizedChannels[0] = "*"

	second, err := v.Authenticate(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	if second.Claims["sub"] != "42" || second.Shared["name"] != "Ada" || second.AuthorizedChannels[0] != "room/1" {
		t.Errorf("cache hit returned mutated identity: %+v", second)
	}
}

// Refused tokens are never cached, so every retry is verified (and counted in the log).
func TestAuthenticateDoesNotCacheRefusals(t *testing.T) {
	v, logs := newTestVerifier(t, hsConfig())
	token := sign(t, jwt.SigningMethodHS256, []byte(testSecret), claimsFor(jwt.MapClaims{"exp": time.Now().Add(-time.Hour).Unix()}), nil)
	for range 3 {
		if _, err := v.Authenticate(context.Background(), token); err != ErrTokenExpired {
			t.Fatalf("error = %v, want ErrTokenExpired", err)
		}
	}
	if len(v.cache.entries) != 0 {
		t.Errorf("%d cache entries after refusals", len(v.cache.entries))
	}
	if n := len(logs.refusals(t)); n != 3 {
		t.Errorf("%d refusal lines, want 3", n)
	}
}
