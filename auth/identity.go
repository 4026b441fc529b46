package auth

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"github.com/golang-jwt/jwt/v5"
	"github.com/phxserver/phxserver/channels"
)

// identityFromClaims builds the Identity of a verified token. Claims were decoded with
// json.Number, so numbers keep their exact text.
func (v *Verifier) identityFromClaims(claims jwt.MapClaims) (channels.Identity, error) {
	names := &v.cfg.Claims
	if v.cfg.RequireTokenType != "" {
		if typ, _ := claims[names.TokenType].(string); typ != v.cfg.RequireTokenType {
			return channels.Identity{}, ErrWrongTokenType
		}
	}
	userID, ok := claimText(claims[names.UserID])
	if !ok || userID == "" {
		return channels.Identity{}, ErrNoUserID
	}
	authorized, err := channelPatterns(claims, names.Channels)
	if err != nil {
		return channels.Identity{}, err
	}
	role, _ := claims[names.Role].(string)
	id := channels.Identity{
		Authenticated:      true,
		UserID:             userID,
		Role:               role,
		Claims:             claims,
		Shared:             sharedClaims(claims, names.Presence),
		AuthorizedChannels: authorized,
		XanoDboID:          xanoID(claims[names.XanoDboID]),
		XanoRowID:          xanoID(claims[names.XanoRowID]),
	}
	// exp was validated (type and value) by the parser; an error here is impossible.
	if exp, _ := claims.GetExpirationTime(); exp != nil {
		id.ExpiresAt = exp.Time
		id.Leeway = v.cfg.Leeway
	}
	return id, nil
}

// claimText renders a string claim as is and a number claim as its decimal text.
func claimText(value any) (string, bool) {
	switch v := value.(type) {
	case string:
		return v, true
	case json.Number:
		return numberText(v)
	}
	return "", false
}

// numberText keeps integers' exact digits (even beyond int64) and writes other numbers in
// plain decimal notation (1e3 → "1000").
func numberText(n json.Number) (string, bool) {
	s := n.String()
	if isDecimalInteger(s) {
		return s, true
	}
	f, err := n.Float64()
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return "", false
	}
	return strconv.FormatFloat(f, 'f', -1, 64), true
}

func isDecimalInteger(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// channelPatterns reads the authorized channels claim: absent or null → nil (no restriction);
// an array of strings → the patterns (an empty array allows no channel); anything else is
// refused rather than ignored, because ignoring it would widen access.
func channelPatterns(claims jwt.MapClaims, name string) ([]string, error) {
	raw, present := claims[name]
	if !present || raw == nil {
		return nil, nil
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, ErrBadChannelsClaim
	}
	patterns := make([]string, len(list))
	for i, item := range list {
		s, ok := item.(string)
		if !ok {
			return nil, ErrBadChannelsClaim
		}
		patterns[i] = s
	}
	return patterns, nil
}

// sharedClaims copies the presence claims that are present; never nil.
func sharedClaims(claims jwt.MapClaims, names []string) map[string]any {
	shared := make(map[string]any, len(names))
	for _, name := range names {
		if value, ok := claims[name]; ok {
			shared[name] = value
		}
	}
	return shared
}

// xanoID maps a Xano id claim: an integer-valued number within int64 → int64, a string → itself,
// any other number → its decimal text, anything else (absent, bool, object) → nil, which Xano
// reads as 0.
func xanoID(value any) any {
	switch v := value.(type) {
	case string:
		// A JWT `sub` is always a string; Xano's SDK types row_id as a number, so an integer
		// id travels as a number (xano-realtime.md §4.1) and a UUID stays a string.
		if i, err := strconv.ParseInt(v, 10, 64); err == nil && strconv.FormatInt(i, 10) == v {
			return i
		}
		return v
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return i
		}
		if f, err := v.Float64(); err == nil && f == math.Trunc(f) && f >= -(1<<63) && f < 1<<63 {
			return int64(f)
		}
		if text, ok := numberText(v); ok {
			return text
		}
	}
	return nil
}
