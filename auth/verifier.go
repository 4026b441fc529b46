package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
	"github.com/phxserver/phxserver/channels"
	"github.com/rs/zerolog"
)

// maxTokenBytes refuses absurdly large tokens before any decoding work.
const maxTokenBytes = 16 << 10

// minHMACSecretBytes is the smallest secret accepted without a warning (RFC 7518 §3.2 asks for
// at least the hash size; HS256 needs 32 bytes).
const minHMACSecretBytes = 32

var errTokenTooLarge = errors.New("token larger than 16 KiB")

// Verifier verifies JWTs and maps their claims onto a channels.Identity. It is safe for
// concurrent use.
type Verifier struct {
	cfg       Config
	allowed   []string
	secret    []byte
	publicKey any
	jwks      keyfunc.Keyfunc
	parser    *jwt.Parser
	refusals  *refusalLog
	cache     *verifiedCache // nil disables caching (benchmarks)
}

var _ channels.Authenticator = (*Verifier)(nil)

// New checks cfg and builds a Verifier. Inconsistent configurations are refused with an error
// wrapping ErrConfig: an empty, unknown or "none" algorithm, an HS* algorithm without a secret,
// an RS*/PS*/ES*/EdDSA algorithm without a public key file or JWKS URL, a public key that fits
// no allowed algorithm, a JWKS URL with no asymmetric algorithm allowed, a negative leeway.
// ctx bounds the JWKS client: its background refresh stops when ctx is cancelled.
func New(ctx context.Context, cfg Config, log zerolog.Logger) (*Verifier, error) {
	return newVerifier(ctx, cfg, log, defaultJWKSSettings)
}

func newVerifier(ctx context.Context, cfg Config, log zerolog.Logger, settings jwksSettings) (*Verifier, error) {
	allowed, err := allowedAlgorithms(cfg.Algorithms)
	if err != nil {
		return nil, err
	}
	if cfg.Leeway < 0 {
		return nil, fmt.Errorf("%w: leeway must not be negative", ErrConfig)
	}
	cfg.Algorithms = allowed
	cfg.Claims.Presence = slices.Clone(cfg.Claims.Presence)
	cfg.Claims.ApplyDefaults()
	v := &Verifier{cfg: cfg, allowed: allowed, refusals: newRefusalLog(log), cache: newVerifiedCache()}

	if err := v.setupSecret(log); err != nil {
		return nil, err
	}
	if err := v.setupPublicKeys(ctx, log, settings); err != nil {
		return nil, err
	}

	options := []jwt.ParserOption{
		jwt.WithValidMethods(allowed),
		jwt.WithLeeway(cfg.Leeway),
		jwt.WithIssuedAt(),
		jwt.WithJSONNumber(),
		jwt.WithStrictDecoding(),
	}
	if cfg.Issuer != "" {
		options = append(options, jwt.WithIssuer(cfg.Issuer))
	}
	if cfg.Audience != "" {
		options = append(options, jwt.WithAudience(cfg.Audience))
	}
	v.parser = jwt.NewParser(options...)
	return v, nil
}

func (v *Verifier) allowsFamily(family keyFamily) bool {
	for _, alg := range v.allowed {
		if algorithmFamilies[alg] == family {
			return true
		}
	}
	return false
}

func (v *Verifier) setupSecret(log zerolog.Logger) error {
	if !v.allowsFamily(familyHMAC) {
		if v.cfg.Secret != "" {
			log.Warn().Msg("auth: jwt secret is set but no HS* algorithm is allowed; it is ignored")
		}
		return nil
	}
	if v.cfg.Secret == "" {
		// config.md: an empty secret (e.g. an unset ${PHX_JWT_SECRET}) is allowed and simply
		// means that no HS* token verifies; the server still serves anonymous clients.
		log.Warn().Msg("auth: an HS* algorithm is allowed but the jwt secret is empty; no HS* token will verify")
		return nil
	}
	if len(v.cfg.Secret) < minHMACSecretBytes {
		log.Warn().Int("bytes", len(v.cfg.Secret)).Msg("auth: jwt secret is shorter than 32 bytes; it can be brute-forced")
	}
	v.secret = []byte(v.cfg.Secret)
	return nil
}

func (v *Verifier) setupPublicKeys(ctx context.Context, log zerolog.Logger, settings jwksSettings) error {
	asymmetric := v.allowsFamily(familyRSA) || v.allowsFamily(familyECDSA) || v.allowsFamily(familyEdDSA)
	if asymmetric && v.cfg.PublicKeyFile == "" && v.cfg.JWKSURL == "" {
		return fmt.Errorf("%w: an RS*/PS*/ES*/EdDSA algorithm is allowed but neither public_key_file nor jwks_url is set", ErrConfig)
	}
	if v.cfg.PublicKeyFile != "" {
		key, err := loadPublicKey(v.cfg.PublicKeyFile)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(v.allowed, func(alg string) bool { return keyFitsAlgorithm(key, alg) }) {
			return fmt.Errorf("%w: public_key_file holds a %T, which fits none of the allowed algorithms %v", ErrConfig, key, v.allowed)
		}
		v.publicKey = key
	}
	if v.cfg.JWKSURL != "" {
		if !asymmetric {
			return fmt.Errorf("%w: jwks_url is set but no RS*/PS*/ES*/EdDSA algorithm is allowed", ErrConfig)
		}
		jwks, err := newJWKS(ctx, v.cfg.JWKSURL, settings, log)
		if err != nil {
			return err
		}
		v.jwks = jwks
	}
	return nil
}

// Authenticate verifies token and returns its Identity (ClientID left empty). An empty token
// is anonymous: Identity{} and no error. A refused token yields one of the package sentinels,
// whose text is safe to show to the client, and one rate-limited warn log line.
//
// Time claims: exp is optional but enforced when present; nbf likewise; iat, when present, must
// not lie in the future beyond the leeway. All three allow Config.Leeway of clock skew.
//
// Recently verified tokens are answered from a small cache (see verifiedCache); the returned
// Identity's maps and slice are the caller's own, but nested claim values may be shared and
// must be treated as read-only.
func (v *Verifier) Authenticate(ctx context.Context, token string) (channels.Identity, error) {
	if token == "" {
		return channels.Identity{}, nil
	}
	if len(token) > maxTokenBytes {
		return v.refuse(ErrMalformed, errTokenTooLarge, nil)
	}
	if v.cache != nil {
		if id, kid, ok := v.cache.get(token); ok && (kid == "" || v.jwksPublishes(ctx, kid)) {
			return id, nil
		}
	}
	claims := jwt.MapClaims{}
	var viaJWKS bool
	parsed, err := v.parser.ParseWithClaims(token, claims, func(t *jwt.Token) (any, error) {
		key, fromJWKS, err := v.keyFor(ctx, t)
		viaJWKS = fromJWKS
		return key, err
	})
	if err != nil {
		return v.refuse(v.classify(err, parsed), err, parsed)
	}
	id, err := v.identityFromClaims(claims)
	if err != nil {
		return v.refuse(err, nil, parsed)
	}
	kid := ""
	if viaJWKS {
		kid = headerString(parsed, "kid")
	}
	// A JWKS token without a kid cannot be re-checked cheaply, so it is not cached.
	if v.cache != nil && (!viaJWKS || kid != "") {
		v.cache.put(token, id, kid, v.cfg.Leeway)
	}
	return id, nil
}

// keyFor picks the verification key for a token whose alg jwt/v5 already matched against the
// allow-list. HS* tokens only ever get the secret; asymmetric tokens only ever get a key of
// their own family. A token with a kid is looked up in the JWKS when one is configured;
// otherwise the public key file is used when it fits, and the JWKS as a last resort.
func (v *Verifier) keyFor(ctx context.Context, token *jwt.Token) (key any, fromJWKS bool, err error) {
	alg := token.Method.Alg()
	if !v.allows(alg) {
		return nil, false, ErrAlgorithmNotAllowed
	}
	// RFC 7515 §4.1.11: a "crit" header names extensions the recipient must understand; we
	// understand none, so the token must be refused.
	if _, critical := token.Header["crit"]; critical {
		return nil, false, fmt.Errorf("%w: unsupported critical header extension", ErrMalformed)
	}
	if algorithmFamilies[alg] == familyHMAC {
		if len(v.secret) == 0 {
			// Never verify against an empty key: anyone could sign with it.
			return nil, false, ErrUnknownKey
		}
		return v.secret, false, nil
	}
	_, hasKID := token.Header["kid"]
	if v.publicKey != nil && keyFitsAlgorithm(v.publicKey, alg) && (!hasKID || v.jwks == nil) {
		return v.publicKey, false, nil
	}
	if v.jwks != nil {
		key, err := jwksKey(ctx, v.jwks, token, alg)
		return key, true, err
	}
	return nil, false, fmt.Errorf("%w: configured public key does not fit %s", ErrUnknownKey, alg)
}

// jwksPublishes reports whether the JWKS still holds kid (after at most one rate-limited
// refresh), so a cached token stops being accepted once its key is withdrawn.
func (v *Verifier) jwksPublishes(ctx context.Context, kid string) bool {
	_, err := v.jwks.Storage().KeyRead(ctx, kid)
	return err == nil
}

func (v *Verifier) allows(alg string) bool {
	return slices.Contains(v.allowed, alg)
}

func (v *Verifier) refuse(reason, detail error, token *jwt.Token) (channels.Identity, error) {
	v.refusals.refused(reason, detail, headerString(token, "alg"), headerString(token, "kid"))
	return channels.Identity{}, reason
}
