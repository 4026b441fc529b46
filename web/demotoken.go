package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// DemoUser is a user the demo page can sign in as.
type DemoUser struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Role    string `json:"role"`
	TeamIDs []int  `json:"team_ids"`
}

// DemoUsers are the demo identities; sam is the support agent of support/session/*.
var DemoUsers = []DemoUser{
	{ID: "alice", Name: "Alice", Role: "member", TeamIDs: []int{7}},
	{ID: "bob", Name: "Bob", Role: "member", TeamIDs: []int{7}},
	{ID: "carol", Name: "Carol", Role: "member", TeamIDs: []int{7}},
	{ID: "sam", Name: "Sam (support agent)", Role: "agent", TeamIDs: []int{7}},
}

// DemoTokenTTL is the lifetime of a demo token.
const DemoTokenTTL = time.Hour

// TokenConfig mirrors the parts of auth.jwt a demo token must satisfy.
type TokenConfig struct {
	// Secret signs HS256 tokens; empty (or HS256 not accepted) disables demo tokens.
	Secret []byte
	// HS256Accepted says whether auth.jwt.algorithms lists HS256.
	HS256Accepted bool
	// Issuer and Audience are set as iss and aud when the verifier checks them.
	Issuer, Audience string
	// UserIDClaim and RoleClaim name the claims (defaults "sub" and "role").
	UserIDClaim, RoleClaim string
	// TokenTypeClaim/TokenType add the token type when the verifier requires one.
	TokenTypeClaim, TokenType string
}

// Demo token errors.
var (
	ErrDemoTokensDisabled = errors.New("web: demo tokens need auth.jwt.secret and HS256 in auth.jwt.algorithms")
)

// FindDemoUser returns the demo user with that id.
func FindDemoUser(id string) (DemoUser, bool) {
	i := slices.IndexFunc(DemoUsers, func(u DemoUser) bool { return u.ID == id })
	if i < 0 {
		return DemoUser{}, false
	}
	return DemoUsers[i], true
}

// MintDemoToken signs an HS256 token for u valid for DemoTokenTTL from now.
func MintDemoToken(tc TokenConfig, u DemoUser, now time.Time) (string, error) {
	if len(tc.Secret) == 0 || !tc.HS256Accepted {
		return "", ErrDemoTokensDisabled
	}
	claims := jwt.MapClaims{
		"name":     u.Name,
		"team_ids": u.TeamIDs,
		"iat":      now.Unix(),
		"exp":      now.Add(DemoTokenTTL).Unix(),
	}
	claims[orDefault(tc.UserIDClaim, "sub")] = u.ID
	claims[orDefault(tc.RoleClaim, "role")] = u.Role
	if tc.Issuer != "" {
		claims["iss"] = tc.Issuer
	}
	if tc.Audience != "" {
		claims["aud"] = tc.Audience
	}
	if tc.TokenType != "" {
		claims[orDefault(tc.TokenTypeClaim, "token_type")] = tc.TokenType
	}
	signed, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(tc.Secret)
	if err != nil {
		return "", fmt.Errorf("web: sign demo token: %w", err)
	}
	return signed, nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

type demoTokenRequest struct {
	User string `json:"user"`
}

type demoTokenResponse struct {
	Token     string   `json:"token"`
	User      DemoUser `json:"user"`
	ExpiresAt string   `json:"expires_at"`
}

// serveDemoToken: POST /demo/token {"user":"alice"} → {"token":...}. 404 outside demo mode.
func (s *Site) serveDemoToken(w http.ResponseWriter, r *http.Request) {
	cfg := s.config()
	if !cfg.Demo {
		http.NotFound(w, r)
		return
	}
	var req demoTokenRequest
	dec := json.NewDecoder(io.LimitReader(r.Body, 1024))
	if err := dec.Decode(&req); err != nil {
		writeJSONError(w, http.StatusBadRequest, "body must be {\"user\": \"<demo user>\"}")
		return
	}
	u, ok := FindDemoUser(req.User)
	if !ok {
		writeJSONError(w, http.StatusBadRequest, "unknown demo user: use "+demoUserIDs())
		return
	}
	now := cfg.Now()
	token, err := MintDemoToken(cfg.Token, u, now)
	if errors.Is(err, ErrDemoTokensDisabled) {
		writeJSONError(w, http.StatusServiceUnavailable, "demo tokens need auth.jwt.secret and HS256 in auth.jwt.algorithms")
		return
	}
	if err != nil {
		writeJSONError(w, http.StatusInternalServerError, "could not sign the token")
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, demoTokenResponse{
		Token: token, User: u, ExpiresAt: now.Add(DemoTokenTTL).UTC().Format(time.RFC3339),
	})
}

func demoUserIDs() string {
	ids := ""
	for i, u := range DemoUsers {
		if i > 0 {
			ids += ", "
		}
		ids += u.ID
	}
	return "one of " + ids
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeJSONError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
