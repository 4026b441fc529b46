package xano

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"

	"github.com/phxserver/phxserver/internal/jsonenc"
)

// appendString appends s as a JSON string literal (see jsonenc.AppendString).
func appendString(dst []byte, s string) []byte { return jsonenc.AppendString(dst, s) }

// appendRaw appends an already-valid JSON value verbatim; an empty one becomes null so the
// frame stays valid JSON.
func appendRaw(dst []byte, raw json.RawMessage) []byte {
	if len(trimSpace(raw)) == 0 {
		return append(dst, "null"...)
	}
	return append(dst, raw...)
}

// maxValueDepth stops appendValue on self-referencing or absurdly deep extras.
const maxValueDepth = 64

// appendValue appends v as JSON with deterministic output (map keys sorted). It covers the
// types encoding/json produces when decoding into any, plus Go integers; other types go
// through json.Marshal. Values JSON cannot express (NaN, Inf, marshal errors, nesting beyond
// maxValueDepth) become null rather than an error: extras are informational.
func appendValue(dst []byte, v any, depth int) []byte {
	if depth > maxValueDepth {
		return append(dst, "null"...)
	}
	switch v := v.(type) {
	case nil:
		return append(dst, "null"...)
	case bool:
		return strconv.AppendBool(dst, v)
	case string:
		return appendString(dst, v)
	case float64:
		return appendFloat(dst, v, 64)
	case float32:
		return appendFloat(dst, float64(v), 32)
	case int:
		return strconv.AppendInt(dst, int64(v), 10)
	case int8:
		return strconv.AppendInt(dst, int64(v), 10)
	case int16:
		return strconv.AppendInt(dst, int64(v), 10)
	case int32:
		return strconv.AppendInt(dst, int64(v), 10)
	case int64:
		return strconv.AppendInt(dst, v, 10)
	case uint:
		return strconv.AppendUint(dst, uint64(v), 10)
	case uint8:
		return strconv.AppendUint(dst, uint64(v), 10)
	case uint16:
		return strconv.AppendUint(dst, uint64(v), 10)
	case uint32:
		return strconv.AppendUint(dst, uint64(v), 10)
	case uint64:
		return strconv.AppendUint(dst, v, 10)
	case json.Number:
		return appendNumber(dst, v)
	case json.RawMessage:
		if json.Valid(v) {
			return append(dst, v...)
		}
		return append(dst, "null"...)
	case map[string]any:
		return appendObject(dst, v, depth)
	case []any:
		dst = append(dst, '[')
		for i, item := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendValue(dst, item, depth+1)
		}
		return append(dst, ']')
	default:
		encoded, err := json.Marshal(v)
		if err != nil {
			return append(dst, "null"...)
		}
		return append(dst, encoded...)
	}
}

// appendObject appends m with sorted keys; nil becomes {}.
func appendObject(dst []byte, m map[string]any, depth int) []byte {
	if len(m) == 0 {
		return append(dst, '{', '}')
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	dst = append(dst, '{')
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, k)
		dst = append(dst, ':')
		dst = appendValue(dst, m[k], depth+1)
	}
	return append(dst, '}')
}

// appendFloat formats like JavaScript's Number#toString (and encoding/json): plain decimals
// in [1e-6, 1e21), exponent form outside, and null for NaN/±Inf.
func appendFloat(dst []byte, f float64, bits int) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(dst, "null"...)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) ||
			bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	dst = strconv.AppendFloat(dst, f, format, -1, bits)
	if format == 'e' {
		// Go writes e-07; JavaScript writes e-7.
		if n := len(dst); n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst
}

// appendNumber emits a json.Number as a number when it is a valid JSON number literal and
// as a string otherwise, so a bad claim can never break the frame.
func appendNumber(dst []byte, n json.Number) []byte {
	if isNumberLiteral(string(n)) {
		return append(dst, n...)
	}
	return appendString(dst, string(n))
}

func isNumberLiteral(s string) bool {
	if s == "" || (s[0] != '-' && (s[0] < '0' || s[0] > '9')) {
		return false
	}
	return json.Valid([]byte(s))
}

// appendID appends a client.permissions id: integers and floats as numbers, strings (UUID
// user ids) as strings, and nil or any other type as 0, the anonymous value.
func appendID(dst []byte, id any) []byte {
	switch v := id.(type) {
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return append(dst, '0')
		}
		return appendFloat(dst, v, 64)
	case float32:
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return append(dst, '0')
		}
		return appendFloat(dst, float64(v), 32)
	case string, json.Number, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return appendValue(dst, v, 0)
	}
	return append(dst, '0')
}
