package auth

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"fmt"
	"strings"
)

// keyFamily groups algorithms by the kind of key that verifies them. A key is only ever used
// for algorithms of its own family: this is what defeats algorithm confusion (e.g. an HS256
// token "signed" with an RSA public key's PEM bytes).
type keyFamily int

const (
	familyHMAC keyFamily = iota + 1
	familyRSA
	familyECDSA
	familyEdDSA
)

func (f keyFamily) String() string {
	switch f {
	case familyHMAC:
		return "HMAC"
	case familyRSA:
		return "RSA"
	case familyECDSA:
		return "ECDSA"
	case familyEdDSA:
		return "Ed25519"
	}
	return "unknown"
}

// algorithmFamilies lists every supported algorithm. jwt/v5 registers exactly these (plus
// "none", which is deliberately absent).
var algorithmFamilies = map[string]keyFamily{
	"HS256": familyHMAC, "HS384": familyHMAC, "HS512": familyHMAC,
	"RS256": familyRSA, "RS384": familyRSA, "RS512": familyRSA,
	"PS256": familyRSA, "PS384": familyRSA, "PS512": familyRSA,
	"ES256": familyECDSA, "ES384": familyECDSA, "ES512": familyECDSA,
	"EdDSA": familyEdDSA,
}

// ecdsaCurves pins each ES algorithm to its curve (RFC 7518 §3.4).
var ecdsaCurves = map[string]elliptic.Curve{
	"ES256": elliptic.P256(), "ES384": elliptic.P384(), "ES512": elliptic.P521(),
}

// allowedAlgorithms validates the configured allow-list and returns it deduplicated.
func allowedAlgorithms(names []string) ([]string, error) {
	if len(names) == 0 {
		return nil, fmt.Errorf("%w: algorithms is empty", ErrConfig)
	}
	out := make([]string, 0, len(names))
	seen := make(map[string]bool, len(names))
	for _, name := range names {
		if strings.EqualFold(name, "none") {
			return nil, fmt.Errorf("%w: algorithm \"none\" is never accepted", ErrConfig)
		}
		if _, ok := algorithmFamilies[name]; !ok {
			return nil, fmt.Errorf("%w: unknown algorithm %q (supported: HS256/384/512, RS256/384/512, PS256/384/512, ES256/384/512, EdDSA)", ErrConfig, name)
		}
		if !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	return out, nil
}

// keyFitsAlgorithm reports whether key may verify tokens signed with alg. HMAC keys come only
// from the configured secret, so a []byte never fits an asymmetric algorithm and vice versa.
func keyFitsAlgorithm(key any, alg string) bool {
	switch algorithmFamilies[alg] {
	case familyHMAC:
		_, ok := key.([]byte)
		return ok
	case familyRSA:
		_, ok := key.(*rsa.PublicKey)
		return ok
	case familyECDSA:
		k, ok := key.(*ecdsa.PublicKey)
		return ok && k.Curve == ecdsaCurves[alg]
	case familyEdDSA:
		_, ok := key.(ed25519.PublicKey)
		return ok
	}
	return false
}
