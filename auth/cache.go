package auth

import (
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/phxserver/phxserver/channels"
)

// Recently verified tokens are cached so a reconnect storm (every client of a deployment
// reconnecting with the token it already used) costs a map lookup instead of a base64 + JSON +
// signature pass.
const (
	cacheMaxEntries = 4096
	// cacheMaxTokenBytes keeps the cache's memory bounded (about 8 MiB of token text).
	cacheMaxTokenBytes = 2 << 10
	// cacheTTL bounds how long a cached token outlives a JWKS key withdrawal.
	cacheTTL = time.Minute
)

// verifiedCache maps a token string to the Identity it verified to. Only successes are stored.
// An entry is used only before min(exp + leeway, stored + cacheTTL), so a cached answer is
// never more permissive than verifying again (nbf and iat only become easier to satisfy as time
// passes, and the rest of the verification depends on the token bytes and the keys). For keys
// that can change — a JWKS — the entry remembers the kid, and the Verifier checks the kid is
// still published before using the entry.
type verifiedCache struct {
	mu      sync.RWMutex
	entries map[string]cacheEntry
	now     func() time.Time
}

type cacheEntry struct {
	id         channels.Identity
	jwksKID    string // non-empty when a JWKS key verified the token
	validUntil time.Time
}

func newVerifiedCache() *verifiedCache {
	return &verifiedCache{entries: make(map[string]cacheEntry), now: time.Now}
}

// get returns a copy of the cached identity; the top-level maps and slice are cloned so no two
// connections share mutable state.
// It also returns the JWKS kid that verified the token, if any.
func (c *verifiedCache) get(token string) (channels.Identity, string, bool) {
	c.mu.RLock()
	entry, ok := c.entries[token]
	c.mu.RUnlock()
	if !ok || !c.now().Before(entry.validUntil) {
		return channels.Identity{}, "", false
	}
	id := entry.id
	id.Claims = maps.Clone(id.Claims)
	id.Shared = maps.Clone(id.Shared)
	id.AuthorizedChannels = slices.Clone(id.AuthorizedChannels)
	return id, entry.jwksKID, true
}

// put stores a copy of a verified identity (the caller keeps the original).
func (c *verifiedCache) put(token string, id channels.Identity, jwksKID string, leeway time.Duration) {
	if len(token) > cacheMaxTokenBytes {
		return
	}
	now := c.now()
	validUntil := now.Add(cacheTTL)
	if !id.ExpiresAt.IsZero() {
		if limit := id.ExpiresAt.Add(leeway); limit.Before(validUntil) {
			validUntil = limit
		}
	}
	id.Claims = maps.Clone(id.Claims)
	id.Shared = maps.Clone(id.Shared)
	id.AuthorizedChannels = slices.Clone(id.AuthorizedChannels)
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= cacheMaxEntries {
		c.evictLocked(now)
	}
	c.entries[token] = cacheEntry{id: id, jwksKID: jwksKID, validUntil: validUntil}
}

// evictLocked drops expired entries, then arbitrary ones (map iteration order is randomised)
// down to three quarters of the capacity, so the O(n) scan is paid once per n/4 insertions.
func (c *verifiedCache) evictLocked(now time.Time) {
	for token, entry := range c.entries {
		if !now.Before(entry.validUntil) {
			delete(c.entries, token)
		}
	}
	for token := range c.entries {
		if len(c.entries) <= cacheMaxEntries*3/4 {
			return
		}
		delete(c.entries, token)
	}
}
