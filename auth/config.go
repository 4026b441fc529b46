package auth

import "time"

// Config mirrors the `auth.jwt` section of the config file (config.md).
type Config struct {
	// Algorithms is the allow-list of JWS algorithms, e.g. ["HS256"]. "none" is always refused.
	Algorithms []string
	// Secret is the shared key for HS256/384/512.
	Secret string
	// PublicKeyFile is a PEM file holding an RSA, ECDSA or Ed25519 public key or a certificate.
	PublicKeyFile string
	// JWKSURL is a JSON Web Key Set endpoint; it is fetched at start, refreshed periodically and
	// on an unknown kid (at a bounded rate).
	JWKSURL string
	// Issuer, when non-empty, must equal the token's iss claim.
	Issuer string
	// Audience, when non-empty, must be one of the token's aud values.
	Audience string
	// Leeway is the clock skew tolerated for exp, nbf and iat.
	Leeway time.Duration
	// RequireTokenType, when set, must equal the claim named by Claims.TokenType.
	RequireTokenType string
	// Claims names the claims the Identity is built from.
	Claims ClaimNames
}

// ClaimNames names the token claims that feed the channels.Identity.
type ClaimNames struct {
	// UserID names the user id claim (default "sub").
	UserID string
	// Role names the role claim (default "role").
	Role string
	// Channels names the authorized channel patterns claim (default "authorized_channels").
	Channels string
	// TokenType names the claim checked against Config.RequireTokenType (default "token_type").
	TokenType string
	// Presence lists the claims shared with other members (default ["name"]).
	Presence []string
	// XanoDboID names the claim for the Xano client.permissions.dbo_id (default "dbo_id").
	XanoDboID string
	// XanoRowID names the claim for the Xano client.permissions.row_id (default "sub").
	XanoRowID string
}

// ApplyDefaults fills every empty claim name with its default. A nil Presence list becomes
// ["name"]; an explicitly empty, non-nil list is kept (no claims shared).
func (c *ClaimNames) ApplyDefaults() {
	setDefault(&c.UserID, "sub")
	setDefault(&c.Role, "role")
	setDefault(&c.Channels, "authorized_channels")
	setDefault(&c.TokenType, "token_type")
	setDefault(&c.XanoDboID, "dbo_id")
	setDefault(&c.XanoRowID, "sub")
	if c.Presence == nil {
		c.Presence = []string{"name"}
	}
}

func setDefault(field *string, value string) {
	if *field == "" {
		*field = value
	}
}
