// Package auth verifies the JWTs clients present at connect time (and on an in-band
// "access_token" refresh) and turns them into the core's channels.Identity
// (channels-and-permissions.md §1 and §6; config.md, section auth.jwt).
//
// # Keys
//
// A Verifier gets its keys from up to three sources, each tied to one algorithm family:
//
//   - Secret: the shared key for HS256, HS384 and HS512, and for nothing else.
//   - PublicKeyFile: one PEM public key ("PUBLIC KEY", "RSA PUBLIC KEY") or certificate, used for
//     RS256/384/512 and PS256/384/512 (RSA), ES256/384/512 (ECDSA, the curve must match the
//     algorithm) or EdDSA (Ed25519). Private keys are refused.
//   - JWKSURL: a JSON Web Key Set, fetched at start (a failure is logged, not fatal), refreshed
//     hourly and whenever a token names an unknown kid — at most once every 30 s, with at most
//     one caller waiting for that refresh while the others fail fast with ErrUnknownKey. Its
//     background work stops when the context given to New is cancelled. A token with a kid is
//     looked up in the JWKS; a token without one uses the public key file when it fits, else
//     every JWKS key of the right family. Symmetric ("oct") JWKS keys are never used.
//
// # Safety rules
//
//   - Config.Algorithms is an allow-list; "none" and unknown names are refused by New, and a
//     token whose alg is outside the list is refused with ErrAlgorithmNotAllowed.
//   - A key only ever verifies algorithms of its own family, so the classic algorithm confusion
//     (an HS256 token whose HMAC key is the server's RSA public key PEM) cannot succeed: HS*
//     tokens are only checked against Secret.
//   - New refuses inconsistent configurations (HS* without Secret, RS/PS/ES/EdDSA without a key
//     source, a public key that fits no allowed algorithm, a negative leeway) with ErrConfig.
//   - exp is optional but enforced when present; nbf likewise; iat, when present, must not lie
//     in the future. All three tolerate Config.Leeway of clock skew. Issuer and Audience are
//     required to match when configured; RequireTokenType likewise checks the token type claim.
//   - A "crit" header is refused (no extension is understood); tokens over 16 KiB are refused
//     before any decoding.
//   - Errors returned by Authenticate are package sentinels whose text is safe to show to
//     clients. Each refusal is logged once at warn level with the reason and internal detail
//     (never the token), rate-limited per reason with a count of suppressed lines.
//
// # Identity
//
// UserID is the user-id claim as a string (a JSON number becomes its decimal text); Claims holds
// every claim, numbers as json.Number so they re-encode exactly; Shared holds the presence
// claims that are present; AuthorizedChannels must be an array of strings when present (an
// empty array allows no channel); XanoDboID/XanoRowID are int64 for integer values, strings for
// strings. Recently verified tokens are served from a bounded cache that honours exp, lives at
// most a minute and, for JWKS keys, checks that the kid is still published.
package auth
