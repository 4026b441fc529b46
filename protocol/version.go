package protocol

import "strings"

// Version of the Phoenix serializer.
type Version uint8

// The serializer versions. V2 (vsn 2.x.y) is what the phoenix JS client speaks; V1 (vsn 1.x.y,
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

// Negotiate maps the `vsn` query value to a serializer: "" or 1.x.y -> V1JSON, 2.x.y -> V2JSON.
// Anything else, unparsable ("2", "abc", "v2.0.0") or another major ("123.1.1"), returns
// ErrUnsupportedVersion. vsn must be semver X.Y.Z with an optional -pre and +build suffix.
//
// Phoenix matches "~> 1.0.0" and "~> 2.0.0", so it would refuse 2.1.0 and pre-releases; this
// server accepts any minor, patch and suffix of a supported major.
func Negotiate(vsn string) (Serializer, error) {
	if vsn == "" {
		return V1JSON, nil
	}
	major, ok := semverMajor(vsn)
	if !ok {
		return nil, ErrUnsupportedVersion
	}
	switch major {
	case "1":
		return V1JSON, nil
	case "2":
		return V2JSON, nil
	default:
		return nil, ErrUnsupportedVersion
	}
}

// semverMajor validates vsn as semver 2.0.0 and returns its major component.
func semverMajor(vsn string) (string, bool) {
	rest, build, hasBuild := strings.Cut(vsn, "+")
	if hasBuild && !validIdentifiers(build, false) {
		return "", false
	}
	core, pre, hasPre := strings.Cut(rest, "-")
	if hasPre && !validIdentifiers(pre, true) {
		return "", false
	}
	parts := strings.Split(core, ".")
	if len(parts) != 3 {
		return "", false
	}
	for _, p := range parts {
		if !isNumericIdentifier(p) {
			return "", false
		}
	}
	return parts[0], true
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
