package permissions

import (
	"fmt"
	"strings"
)

type segmentKind uint8

const (
	segLiteral segmentKind = iota // matches itself
	segOne                        // "*" in a middle position: exactly one segment
	segCapture                    // "{name}": exactly one segment, captured
	segRest                       // "*" as the last segment: one or more segments, any depth
)

// patternSegment is one segment of a compiled pattern with the separator that precedes it.
type patternSegment struct {
	kind segmentKind
	sep  byte   // '/' or ':' before this segment; 0 for the first
	text string // literal text, or the capture name
}

// Pattern is a compiled channel pattern (channels-and-permissions.md §2), used by permission
// sets and by a token's authorized_channels. It is immutable; the zero Pattern matches nothing.
type Pattern struct {
	source   string
	segments []patternSegment
	literals int
	captures int
}

// CompilePattern compiles p. Segments are split at '/' and ':'; a segment is a literal, "*"
// or "{name}". Empty segments, "{}", partial wildcards such as "a*b", bad or duplicate
// capture names, control characters and patterns over 255 bytes are errors.
func CompilePattern(p string) (Pattern, error) {
	pat, problem := compilePattern(p)
	if problem != "" {
		return Pattern{}, fmt.Errorf("%w %q: %s", ErrInvalidPattern, truncateForError(p), problem)
	}
	return pat, nil
}

// compilePattern returns the pattern or, when it is invalid, a reason.
func compilePattern(p string) (Pattern, string) {
	if problem := channelNameProblem(p); problem != "" {
		return Pattern{}, problem
	}
	pat := Pattern{source: p}
	for start := 0; start < len(p); {
		end := nextSeparator(p, start)
		seg := patternSegment{text: p[start:end]}
		if start > 0 {
			seg.sep = p[start-1]
		}
		last := end == len(p)
		switch {
		case seg.text == "*":
			seg.kind, seg.text = segOne, ""
			if last {
				seg.kind = segRest
			}
		case strings.HasPrefix(seg.text, "{") || strings.HasSuffix(seg.text, "}"):
			name, problem := captureName(seg.text)
			if problem != "" {
				return Pattern{}, problem
			}
			for _, prev := range pat.segments {
				if prev.kind == segCapture && prev.text == name {
					return Pattern{}, fmt.Sprintf("duplicate capture name %q", name)
				}
			}
			seg.kind, seg.text = segCapture, name
			pat.captures++
		case strings.ContainsAny(seg.text, "*{}"):
			return Pattern{}, fmt.Sprintf("segment %q mixes a wildcard with text", seg.text)
		default:
			seg.kind = segLiteral
			pat.literals++
		}
		pat.segments = append(pat.segments, seg)
		start = end + 1
	}
	return pat, ""
}

// captureName validates "{name}": name is [A-Za-z_][A-Za-z0-9_]*.
func captureName(seg string) (string, string) {
	if len(seg) < 2 || seg[0] != '{' || seg[len(seg)-1] != '}' {
		return "", fmt.Sprintf("segment %q is not a well-formed {name}", seg)
	}
	name := seg[1 : len(seg)-1]
	if name == "" {
		return "", "empty capture name {}"
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		letter := c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
		digit := '0' <= c && c <= '9'
		if !letter && !(digit && i > 0) {
			return "", fmt.Sprintf("capture name %q must be letters, digits and _ (not starting with a digit)", name)
		}
	}
	return name, ""
}

// String returns the pattern as written.
func (p Pattern) String() string { return p.source }

// Specificity is the number of literal segments; among matching sets the higher one wins.
func (p Pattern) Specificity() int { return p.literals }

// HasWildcard reports whether p matches anything other than its own text.
func (p Pattern) HasWildcard() bool { return p.literals != len(p.segments) }

// Match reports whether channel matches p and returns the {name} captures. It allocates only
// when p has captures and matches.
func (p Pattern) Match(channel string) (captures map[string]string, ok bool) {
	if !p.matches(channel, nil) {
		return nil, false
	}
	if p.captures == 0 {
		return nil, true
	}
	captures = make(map[string]string, p.captures)
	p.matches(channel, captures)
	return captures, true
}

// matches walks channel against the segments without splitting it; when caps is non-nil the
// captured segments are stored in it.
func (p Pattern) matches(channel string, caps map[string]string) bool {
	if len(p.segments) == 0 {
		return false
	}
	pos := 0
	for i, seg := range p.segments {
		if i > 0 {
			// The separators are part of the pattern: "room:*" does not match "room/1".
			if pos >= len(channel) || channel[pos] != seg.sep {
				return false
			}
			pos++
		}
		if seg.kind == segRest {
			return wellFormedSegments(channel[pos:])
		}
		end := nextSeparator(channel, pos)
		text := channel[pos:end]
		if text == "" {
			return false
		}
		switch seg.kind {
		case segLiteral:
			if text != seg.text {
				return false
			}
		case segCapture:
			if caps != nil {
				caps[seg.text] = text
			}
		}
		pos = end
	}
	return pos == len(channel)
}

// equivalenceKey is equal for two patterns that match exactly the same names ("a/{x}" and
// "a/{y}", "a/*/b" and "a/{id}/b"), so Compile can refuse the second as a duplicate.
func (p Pattern) equivalenceKey() string {
	var b strings.Builder
	for _, seg := range p.segments {
		if seg.sep != 0 {
			b.WriteByte(seg.sep)
		}
		switch seg.kind {
		case segLiteral:
			b.WriteString(seg.text)
		case segOne, segCapture:
			b.WriteString("{}")
		case segRest:
			b.WriteString("*")
		}
	}
	return b.String()
}

// firstLiteral returns the first segment when it is a literal, for the Table's index.
func (p Pattern) firstLiteral() (string, bool) {
	if len(p.segments) == 0 || p.segments[0].kind != segLiteral {
		return "", false
	}
	return p.segments[0].text, true
}
