package auth

import "errors"

// Refusal reasons returned by Authenticate. Their text is shown to clients, so it never carries
// internal detail; compare with errors.Is.
var (
	// ErrMalformed: the token is not a well-formed JWS compact token or a registered claim has
	// the wrong type.
	ErrMalformed = errors.New("malformed token")
	// ErrAlgorithmNotAllowed: the token's alg is not in the allow-list (includes "none").
	ErrAlgorithmNotAllowed = errors.New("token algorithm not allowed")
	// ErrUnknownKey: no configured key fits the token (unknown kid, wrong key family).
	ErrUnknownKey = errors.New("unknown signing key")
	// ErrBadSignature: the signature does not verify.
	ErrBadSignature = errors.New("invalid token signature")
	// ErrTokenExpired: exp is in the past beyond the leeway.
	ErrTokenExpired = errors.New("token expired")
	// ErrTokenNotValidYet: nbf is in the future beyond the leeway.
	ErrTokenNotValidYet = errors.New("token not valid yet")
	// ErrIssuedInFuture: iat is in the future beyond the leeway.
	ErrIssuedInFuture = errors.New("token issued in the future")
	// ErrWrongIssuer: iss is missing or differs from the configured issuer.
	ErrWrongIssuer = errors.New("wrong token issuer")
	// ErrWrongAudience: aud is missing or does not contain the configured audience.
	ErrWrongAudience = errors.New("wrong token audience")
	// ErrWrongTokenType: the token type claim differs from Config.RequireTokenType.
	ErrWrongTokenType = errors.New("wrong token type")
	// ErrNoUserID: the user id claim is missing, empty or not a string or number.
	ErrNoUserID = errors.New("token has no user id")
	// ErrBadChannelsClaim: the authorized channels claim is present but not an array of strings.
	ErrBadChannelsClaim = errors.New("invalid authorized channels claim")
)

// ErrConfig prefixes every error New returns for an unusable configuration.
var ErrConfig = errors.New("auth: invalid jwt config")

// refusalReasons lists every sentinel Authenticate can return; the refusal log keeps one rate
// budget per entry.
var refusalReasons = []error{
	ErrMalformed, ErrAlgorithmNotAllowed, ErrUnknownKey, ErrBadSignature, ErrTokenExpired,
	ErrTokenNotValidYet, ErrIssuedInFuture, ErrWrongIssuer, ErrWrongAudience, ErrWrongTokenType,
	ErrNoUserID, ErrBadChannelsClaim,
}
