package permissions

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// MaxChannelNameBytes is the longest channel name (and pattern) accepted, in bytes.
const MaxChannelNameBytes = 255

// isSeparator reports whether b splits a channel name into segments.
func isSeparator(b byte) bool { return b == '/' || b == ':' }

// nextSeparator returns the index of the first separator at or after from, or len(s).
func nextSeparator(s string, from int) int {
	for i := from; i < len(s); i++ {
		if isSeparator(s[i]) {
			return i
		}
	}
	return len(s)
}

// ValidateChannelName refuses a concrete channel name that is empty, longer than 255 bytes,
// has an empty segment ("a//b", "/a", "a:"), is not UTF-8 or contains a control character.
func ValidateChannelName(name string) error {
	if problem := channelNameProblem(name); problem != "" {
		return fmt.Errorf("%w %q: %s", ErrInvalidChannelName, truncateForError(name), problem)
	}
	return nil
}

// channelNameProblem returns "" for a valid name, else why it is not; it never allocates.
func channelNameProblem(name string) string {
	switch {
	case name == "":
		return "empty"
	case len(name) > MaxChannelNameBytes:
		return "longer than 255 bytes"
	case !wellFormedSegments(name):
		return "empty segment"
	}
	for i := 0; i < len(name); {
		b := name[i]
		if b < utf8.RuneSelf {
			if b < 0x20 || b == 0x7f {
				return "control character"
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(name[i:])
		if r == utf8.RuneError && size == 1 {
			return "not valid UTF-8"
		}
		if unicode.IsControl(r) {
			return "control character"
		}
		i += size
	}
	return ""
}

// wellFormedSegments reports whether s is one or more non-empty segments joined by separators.
func wellFormedSegments(s string) bool {
	if s == "" || isSeparator(s[0]) || isSeparator(s[len(s)-1]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if isSeparator(s[i]) && isSeparator(s[i-1]) {
			return false
		}
	}
	return true
}

// truncateForError keeps hostile names from bloating error messages and logs.
func truncateForError(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}
