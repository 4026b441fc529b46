package channels

import (
	"context"
	"time"
)

// Identity is who a connection is. It is fixed at connect time and replaced only by an
// in-band token refresh (channels-and-permissions.md §1, §6).
type Identity struct {
	// ClientID is a server-generated UUID, one per connection. Assigned by the core, never
	// by an Authenticator.
	ClientID string
	// Authenticated is true when a token verified.
	Authenticated bool
	// UserID comes from the claim named by auth.jwt.claims.user_id (default "sub").
	UserID string
	// Role comes from auth.jwt.claims.role; empty when absent.
	Role string
	// Claims are all verified claims of the token.
	Claims map[string]any
	// Shared are the claims listed in auth.jwt.claims.presence: shown to other members in
	// presence metas and as Xano client.extras. Never nil for an authenticated identity.
	Shared map[string]any
	// AuthorizedChannels, when non-nil, restricts joins to channel names matching one of
	// these patterns (same grammar as permission set patterns).
	AuthorizedChannels []string
	// XanoDboID and XanoRowID feed the Xano client.permissions object: a JSON number when the
	// claim is an integer, otherwise a string; nil means 0.
	XanoDboID any
	XanoRowID any
	// ExpiresAt is the token's exp; zero means no expiry.
	ExpiresAt time.Time
	// Leeway is the clock tolerance the verifier applied to ExpiresAt: the connection is
	// closed at ExpiresAt+Leeway, when the token stops verifying.
	Leeway time.Duration
}

// Authenticator turns a bearer token into an Identity. An empty token yields an anonymous
// identity and no error. A token that fails verification yields an error whose text is safe to
// show to the client (e.g. "token expired"); the caller decides whether to reject the
// connection or continue anonymously (auth.invalid_token).
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (Identity, error)
}
