package protocol

import (
	"encoding/json"
	"unicode/utf16"
	"unicode/utf8"
)

// jsonCursor walks the top level of one JSON text. It splits out the few fields the protocol
// needs and leaves nested values (payloads) to json.Valid, which is cheaper than building them.
// The caller checks utf8.Valid on the whole frame first, so raw string bytes are valid UTF-8.
type jsonCursor struct {
	data []byte
	pos  int
}

// span is a byte range of the decoded-strings buffer.
type span struct{ start, end int }

// skipSpace advances over JSON whitespace.
func (c *jsonCursor) skipSpace() {
	for c.pos < len(c.data) {
		switch c.data[c.pos] {
		case ' ', '\t', '\n', '\r':
			c.pos++
		default:
			return
		}
	}
}

// consume skips whitespace and then b, reporting whether b was there.
func (c *jsonCursor) consume(b byte) bool {
	c.skipSpace()
	if c.pos < len(c.data) && c.data[c.pos] == b {
		c.pos++
		return true
	}
	return false
}

// atString skips whitespace and reports whether a string starts at the cursor.
func (c *jsonCursor) atString() bool {
	c.skipSpace()
	return c.pos < len(c.data) && c.data[c.pos] == '"'
}

// atEnd skips whitespace and reports whether the input is exhausted.
func (c *jsonCursor) atEnd() bool {
	c.skipSpace()
	return c.pos == len(c.data)
}

// appendString decodes the string starting at the cursor's '"' and appends its content to dst.
// Lone UTF-16 surrogates in \u escapes become U+FFFD, as encoding/json does.
func (c *jsonCursor) appendString(dst []byte) ([]byte, error) {
	d := c.data
	i := c.pos + 1
	for {
		start := i
		for i < len(d) && d[i] != '"' && d[i] != '\\' && d[i] >= 0x20 {
			i++
		}
		dst = append(dst, d[start:i]...)
		if i >= len(d) {
			return dst, malformed("unterminated string")
		}
		switch d[i] {
		case '"':
			c.pos = i + 1
			return dst, nil
		case '\\':
			var err error
			dst, i, err = appendEscape(dst, d, i)
			if err != nil {
				return dst, err
			}
		default:
			return dst, malformed("control character in string")
		}
	}
}

// appendEscape decodes the escape sequence at d[i] == '\\', returning the index after it.
func appendEscape(dst, d []byte, i int) ([]byte, int, error) {
	if i+1 >= len(d) {
		return dst, i, malformed("unterminated string")
	}
	switch d[i+1] {
	case '"', '\\', '/':
		return append(dst, d[i+1]), i + 2, nil
	case 'b':
		return append(dst, '\b'), i + 2, nil
	case 'f':
		return append(dst, '\f'), i + 2, nil
	case 'n':
		return append(dst, '\n'), i + 2, nil
	case 'r':
		return append(dst, '\r'), i + 2, nil
	case 't':
		return append(dst, '\t'), i + 2, nil
	case 'u':
		r, ok := hex4(d, i+2)
		if !ok {
			return dst, i, malformed(`invalid \u escape in string`)
		}
		i += 6
		if utf16.IsSurrogate(r) {
			// A high surrogate pairs with an immediately following \u low surrogate.
			if low, ok := hex4After(d, i); ok && r < 0xdc00 && low >= 0xdc00 && low <= 0xdfff {
				r = utf16.DecodeRune(r, low)
				i += 6
			} else {
				r = utf8.RuneError
			}
		}
		return utf8.AppendRune(dst, r), i, nil
	default:
		return dst, i, malformed("invalid escape in string")
	}
}

// hex4After reads a \uXXXX escape at d[i:], if there is one.
func hex4After(d []byte, i int) (rune, bool) {
	if i+1 >= len(d) || d[i] != '\\' || d[i+1] != 'u' {
		return 0, false
	}
	return hex4(d, i+2)
}

// hex4 parses four hex digits at d[i:].
func hex4(d []byte, i int) (rune, bool) {
	if i+4 > len(d) {
		return 0, false
	}
	var r rune
	for _, b := range d[i : i+4] {
		switch {
		case b >= '0' && b <= '9':
			b -= '0'
		case b >= 'a' && b <= 'f':
			b -= 'a' - 10
		case b >= 'A' && b <= 'F':
			b -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(b)
	}
	return r, true
}

// value skips whitespace and returns the next JSON value, checked with json.Valid. The extent
// is found by a quick scan (string quotes, bracket depth, literal delimiters); a wrong extent
// can only come from invalid JSON, which json.Valid then rejects.
func (c *jsonCursor) value() ([]byte, error) {
	c.skipSpace()
	d := c.data
	start := c.pos
	if start >= len(d) {
		return nil, malformed("unexpected end of frame")
	}
	end, ok := valueEnd(d, start)
	if !ok {
		return nil, malformed("unexpected end of frame")
	}
	v := d[start:end:end]
	if !json.Valid(v) {
		return nil, errInvalidValue
	}
	c.pos = end
	return v, nil
}

var errInvalidValue = malformed("invalid JSON value")

// valueEnd returns the index just past the value starting at d[start].
func valueEnd(d []byte, start int) (int, bool) {
	switch d[start] {
	case '"':
		return stringEnd(d, start)
	case '{', '[':
		depth := 0
		for i := start; i < len(d); i++ {
			switch d[i] {
			case '"':
				end, ok := stringEnd(d, i)
				if !ok {
					return 0, false
				}
				i = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, true
				}
			}
		}
		return 0, false
	default:
		i := start
		for i < len(d) {
			switch d[i] {
			case ',', ']', '}', ':', ' ', '\t', '\n', '\r':
				return i, true
			}
			i++
		}
		return i, true
	}
}

// stringEnd returns the index just past the string whose opening quote is d[start].
func stringEnd(d []byte, start int) (int, bool) {
	for i := start + 1; i < len(d); i++ {
		switch d[i] {
		case '\\':
			i++
		case '"':
			return i + 1, true
		}
	}
	return 0, false
}

// appendRef decodes a ref at the cursor into buf: a string, null (empty span) or a number,
// kept as its literal text. field names the ref in the error.
func (c *jsonCursor) appendRef(buf []byte, field string) ([]byte, span, error) {
	if c.atString() {
		return c.appendStringField(buf, field)
	}
	v, err := c.value()
	if err != nil {
		return buf, span{}, malformed(field + " must be a string or null")
	}
	switch {
	case string(v) == "null":
		return buf, span{len(buf), len(buf)}, nil
	case v[0] == '-' || (v[0] >= '0' && v[0] <= '9'):
		start := len(buf)
		buf = append(buf, v...)
		return buf, span{start, len(buf)}, nil
	default:
		return buf, span{}, malformed(field + " must be a string or null")
	}
}

// appendStringField decodes a required string at the cursor into buf.
func (c *jsonCursor) appendStringField(buf []byte, field string) ([]byte, span, error) {
	if !c.atString() {
		return buf, span{}, malformed(field + " must be a string")
	}
	start := len(buf)
	buf, err := c.appendString(buf)
	if err != nil {
		return buf, span{}, err
	}
	return buf, span{start, len(buf)}, nil
}
