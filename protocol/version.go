package protocol

import "strings"

// Version of the Phoenix serializer.
type Version uint8

// The serializer versions. V2 (vsn 2.0.x) is what the phoenix JS client speaks; V1 (vsn 1.0.x,
// or no vsn at all) is the older object form.
const (
	V1 Version = 1
	V2 Version = 2
)

// String returns "v1", "v2" or "v?" for an unknown value; handy as a metrics label.
func (v Version) String() string {
	switch v {
	case V1:
		return "v1"
	case V2:
		return "v2"
	default:
		return "v?"
	}
}

// Negotiate maps the `vsn` query value to a serializer as Phoenix does ("~> 1.0.0" → V1,
// "~> 2.0.0" → V2): "" or 1.0.x → V1JSON, 2.0.x → V2JSON. Anything else — unparsable ("2",
// "abc", "v2.0.0"), another minor ("2.1.0") or major ("123.1.1"), or a pre-release below the
// range ("2.0.0-rc", which precedes 2.0.0) — returns ErrUnsupportedVersion (HTTP 403). vsn must
// be semver X.Y.Z with an optional -pre and +build suffix (build metadata is ignored).
func Negotiate(vsn string) (Serializer, error) {
	if vsn == "" {
		return V1JSON, nil
	}
	v, ok := parseSemver(vsn)
	if !ok || v.minor != "0" || (v.pre && v.patch == "0") {
		return nil, ErrUnsupportedVersion
	}
	switch v.major {
	case "1":
		return V1JSON, nil
	case "2":
		return V2JSON, nil
	default:
		return nil, ErrUnsupportedVersion
	}
}

// semver is a parsed vsn: its numeric components as text, and whether it is a pre-release.
type semver struct {
	major, minor, patch string
	pre                 bool
}

// parseSemver validates vsn as semver 2.0.0.
func parseSemver(vsn string) (semver, bool) {
	rest, build, hasBuild := strings.Cut(vsn, "+")
	if hasBuild && !validIdentifiers(build, false) {
		return semver{}, false
	}
	core, pre, hasPre := strings.Cut(rest, "-")
	if hasPre && !validIdentifiers(pre, true) {
		return semver{}, false
	}
	parts := strings.Split(core, ".")
	if len(parts) != 3 {
		return semver{}, false
	}
	for _, p := range parts {
		if !isNumericIdentifier(p) {
			return semver{}, false
		}
	}
	return semver{major: parts[0], minor: parts[1], patch: parts[2], pre: hasPre}, true
}

// validIdentifiers checks dot-separated pre-release or build identifiers: non-empty runs of
// [0-9A-Za-z-]; numeric pre-release identifiers must not have leading zeros.
func validIdentifiers(s string, prerelease bool) bool {
	for id := range strings.SplitSeq(s, ".") {
		if id == "" {
			return false
		}
		allDigits := true
		for i := 0; i < len(id); i++ {
			c := id[i]
			switch {
			case c >= '0' && c <= '9':
			case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '-':
				allDigits = false
			default:
				return false
			}
		}
		if prerelease && allDigits && !isNumericIdentifier(id) {
			return false
		}
	}
	return true
}

// isNumericIdentifier reports whether s is "0" or digits without a leading zero.
func isNumericIdentifier(s string) bool {
	if s == "" || (len(s) > 1 && s[0] == '0') {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
