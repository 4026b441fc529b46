package auth

import (
	"errors"

	"github.com/golang-jwt/jwt/v5"
)

// classify maps an error from jwt/v5 (possibly wrapping one of keyFor's sentinels) onto the
// package sentinel the client sees. Signature-level problems win over claim problems, and among
// claim problems the order below decides which one is reported.
func (v *Verifier) classify(err error, token *jwt.Token) error {
	switch {
	case errors.Is(err, ErrAlgorithmNotAllowed):
		return ErrAlgorithmNotAllowed
	case errors.Is(err, ErrUnknownKey):
		return ErrUnknownKey
	case errors.Is(err, ErrMalformed):
		return ErrMalformed
	case errors.Is(err, jwt.ErrTokenMalformed):
		return ErrMalformed
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		// jwt/v5 reports an alg outside WithValidMethods as a signature error.
		if token != nil && token.Method != nil && !v.allows(token.Method.Alg()) {
			return ErrAlgorithmNotAllowed
		}
		return ErrBadSignature
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		// Raised while parsing the header: alg absent (malformed) or not registered.
		if token != nil {
			if _, ok := token.Header["alg"].(string); ok {
				return ErrAlgorithmNotAllowed
			}
		}
		return ErrMalformed
	case errors.Is(err, jwt.ErrTokenExpired):
		return ErrTokenExpired
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return ErrTokenNotValidYet
	case errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return ErrIssuedInFuture
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return ErrWrongIssuer
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return ErrWrongAudience
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		// Only iss and aud are ever required (exp stays optional), and jwt/v5 does not say which.
		if v.cfg.Issuer != "" && !hasStringClaim(token, "iss") {
			return ErrWrongIssuer
		}
		return ErrWrongAudience
	}
	// ErrInvalidType (a registered claim of the wrong JSON type) and anything unforeseen.
	return ErrMalformed
}

func hasStringClaim(token *jwt.Token, name string) bool {
	if token == nil {
		return false
	}
	claims, ok := token.Claims.(jwt.MapClaims)
	if !ok {
		return false
	}
	s, ok := claims[name].(string)
	return ok && s != ""
}

// headerString returns a string header of a (possibly unverified) token, for logging.
func headerString(token *jwt.Token, name string) string {
	if token == nil {
		return ""
	}
	s, _ := token.Header[name].(string)
	return s
}
