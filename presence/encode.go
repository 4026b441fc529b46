package presence

import (
	"sort"

	"github.com/phxserver/phxserver/internal/jsonenc"
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

// appendJSONString appends s as a JSON string literal (see jsonenc.AppendString).
func appendJSONString(dst []byte, s string) []byte { return jsonenc.AppendString(dst, s) }
