package presence

import (
	"sort"
	"unicode/utf8"
)

// appendKeyedMetas appends {"key":{"metas":[...]},...}. Entries of one key must be adjacent to
// form one JSON member; tracker-built slices are sorted, anything else is sorted here so a
// key never appears twice in the object.
func appendKeyedMetas(dst []byte, es []Entry) []byte {
	order := make([]int, 0, len(es))
	sorted := true
	for i := range es {
		order = append(order, i)
		if i > 0 && es[i].Key < es[i-1].Key {
			sorted = false
		}
	}
	if !sorted {
		sort.SliceStable(order, func(a, b int) bool { return es[order[a]].Key < es[order[b]].Key })
	}
	dst = append(dst, '{')
	for n, i := range order {
		e := &es[i]
		first := n == 0 || es[order[n-1]].Key != e.Key
		if first {
			if n > 0 {
				dst = append(dst, "]},"...)
			}
			dst = appendJSONString(dst, e.Key)
			dst = append(dst, `:{"metas":[`...)
		} else {
			dst = append(dst, ',')
		}
		dst = e.appendMeta(dst)
	}
	if len(order) > 0 {
		dst = append(dst, "]}"...)
	}
	return append(dst, '}')
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD, and U+2028/2029
// are escaped so the output is also a valid JavaScript literal.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
