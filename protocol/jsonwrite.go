package protocol

import "github.com/phxserver/phxserver/internal/jsonenc"

// appendJSONString appends s as a JSON string literal (see jsonenc.AppendString).
func appendJSONString(dst []byte, s string) []byte { return jsonenc.AppendString(dst, s) }

// appendRef appends a ref: null for "", otherwise a JSON string.
func appendRef(dst []byte, ref string) []byte {
	if ref == "" {
		return append(dst, "null"...)
	}
	return appendJSONString(dst, ref)
}

// jsonStringSize estimates the encoded size of s, exact when nothing needs escaping.
func jsonStringSize(s string) int { return len(s) + 2 }

// refSize estimates the encoded size of a ref.
func refSize(ref string) int {
	if ref == "" {
		return len("null")
	}
	return jsonStringSize(ref)
}
