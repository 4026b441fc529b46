package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// maxBodyBytes caps a request body; a bigger one is answered 413.
const maxBodyBytes = 1 << 20

// errorBody is every error answer: {"error": "..."}.
type errorBody struct {
	Error string `json:"error"`
}

// okBody is the answer of actions without a result: {"ok": true}.
type okBody struct {
	OK bool `json:"ok"`
}

// writeJSON answers v with status. A value that does not encode (a bug) becomes a 500.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		body = []byte(`{"error":"internal error: response does not encode"}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

// writeError answers {"error": msg} with status.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, errorBody{Error: msg})
}

// writeRequestError answers a decode or validation error: 413 for ErrTooLarge, else 400.
func writeRequestError(w http.ResponseWriter, err error) {
	status := http.StatusBadRequest
	if errors.Is(err, ErrTooLarge) {
		status = http.StatusRequestEntityTooLarge
	}
	writeError(w, status, strings.TrimPrefix(err.Error(), ErrBadRequest.Error()+": "))
}

// decodeBody reads exactly one JSON object from r's body (at most maxBodyBytes) into dst,
// refusing unknown fields and trailing data. Numbers in `any` fields stay json.Number.
func decodeBody(w http.ResponseWriter, r *http.Request, dst any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err != nil {
			return decodeError(err)
		}
		return fmt.Errorf("%w: invalid JSON: unexpected data after the object", ErrBadRequest)
	}
	return nil
}

// decodeError classifies a json.Decoder error into a client-facing one.
func decodeError(err error) error {
	var (
		tooBig    *http.MaxBytesError
		syntax    *json.SyntaxError
		typeError *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &tooBig):
		return fmt.Errorf("%w: the limit is %d bytes", ErrTooLarge, maxBodyBytes)
	case errors.Is(err, io.EOF):
		return fmt.Errorf("%w: request body is empty; a JSON object is required", ErrBadRequest)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%w: invalid JSON: unexpected end of input", ErrBadRequest)
	case errors.As(err, &syntax):
		return fmt.Errorf("%w: invalid JSON at byte %d: %s", ErrBadRequest, syntax.Offset, syntax.Error())
	case errors.As(err, &typeError):
		field := typeError.Field
		if field == "" {
			return fmt.Errorf("%w: the body must be a JSON object", ErrBadRequest)
		}
		return fmt.Errorf("%w: field %q must be %s, not %s", ErrBadRequest, field, jsonKind(typeError.Type.Kind().String()), typeError.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return fmt.Errorf("%w: unknown field %s", ErrBadRequest, strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return fmt.Errorf("%w: invalid JSON: %s", ErrBadRequest, strings.TrimPrefix(err.Error(), "json: "))
}

// jsonKind names a Go kind the way a JSON client thinks of it.
func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "struct", "map":
		return "an object"
	case "slice", "array":
		return "an array"
	}
	return "a " + goKind
}
