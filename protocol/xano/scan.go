package xano

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// The helpers below walk JSON that json.Valid has already accepted, so they only need to
// find value boundaries, not to validate. They still bounds-check every index: a bug here
// must never turn hostile input into a panic.

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

func skipSpace(data []byte, i int) int {
	for i < len(data) && isSpace(data[i]) {
		i++
	}
	return i
}

func trimSpace(data []byte) []byte {
	start := skipSpace(data, 0)
	end := len(data)
	for end > start && isSpace(data[end-1]) {
		end--
	}
	return data[start:end]
}

// skipString returns the index just past the string literal whose opening quote is at i.
func skipString(data []byte, i int) int {
	for i++; i < len(data); i++ {
		switch data[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(data)
}

// skipValue returns the index just past the value that starts at i. It is iterative, so deep
// nesting cannot exhaust the stack.
func skipValue(data []byte, i int) int {
	if i >= len(data) {
		return len(data)
	}
	switch data[i] {
	case '"':
		return skipString(data, i)
	case '{', '[':
		depth := 0
		for i < len(data) {
			switch data[i] {
			case '"':
				i = skipString(data, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return len(data)
	default: // number, true, false, null
		for i < len(data) {
			switch data[i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return i
			}
			i++
		}
		return i
	}
}

// objectIter yields the members of one JSON object, raw key literal (with quotes) and raw
// value, in document order.
type objectIter struct {
	data []byte
	pos  int
}

// newObjectIter starts iterating value, which must be trimmed valid JSON; ok is false when
// value is not an object.
func newObjectIter(value []byte) (it objectIter, ok bool) {
	if len(value) == 0 || value[0] != '{' {
		return objectIter{}, false
	}
	return objectIter{data: value, pos: 1}, true
}

func (it *objectIter) next() (key, value []byte, ok bool) {
	d := it.data
	i := skipSpace(d, it.pos)
	if i < len(d) && d[i] == ',' {
		i = skipSpace(d, i+1)
	}
	if i >= len(d) || d[i] != '"' {
		return nil, nil, false
	}
	keyEnd := skipString(d, i)
	key = d[i:keyEnd]
	i = skipSpace(d, keyEnd)
	if i >= len(d) || d[i] != ':' {
		return nil, nil, false
	}
	i = skipSpace(d, i+1)
	if i >= len(d) {
		return nil, nil, false
	}
	valueEnd := skipValue(d, i)
	it.pos = valueEnd
	return key, d[i:valueEnd], true
}

// keyIs reports whether the raw key literal names name. Escaped keys ("\u0061ction") are
// unescaped first, as JSON.parse would.
func keyIs(rawKey []byte, name string) bool {
	if len(rawKey) < 2 {
		return false
	}
	inner := rawKey[1 : len(rawKey)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return string(inner) == name
	}
	s, ok := decodeString(rawKey)
	return ok && s == name
}

// decodeString decodes a raw JSON string literal; ok is false when raw is not a string.
// The fast path copies; escapes and invalid UTF-8 go through encoding/json, so the result
// matches json.Unmarshal exactly (invalid bytes become U+FFFD).
func decodeString(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' {
		return "", false
	}
	inner := raw[1 : len(raw)-1]
	if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return string(inner), true
	}
	return decodeEscapedString(raw)
}

// decodeEscapedString is decodeString's slow path, kept apart so that the variable handed
// to json.Unmarshal (which escapes to the heap) costs nothing on the fast path.
func decodeEscapedString(raw []byte) (string, bool) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}
