package protocol

import (
	"errors"
	"fmt"
)

// ErrUnsupportedVersion is returned by Negotiate for a vsn this server does not speak.
// Transports answer it with HTTP 403, as Phoenix does.
var ErrUnsupportedVersion = errors.New("protocol: unsupported vsn")

// ErrMalformed is wrapped by every Decode error. The wrapped detail is short and safe to show
// to the client (it never echoes client bytes).
var ErrMalformed = errors.New("protocol: malformed frame")

// ErrFieldTooLong is returned when encoding a binary frame whose join_ref, ref, topic, event or
// status is longer than MaxBinaryField bytes.
var ErrFieldTooLong = errors.New("protocol: binary field longer than 255 bytes")

// ErrBinaryUnsupported is returned when a binary payload meets the V1 serializer, which has no
// binary form. Decode wraps it together with ErrMalformed.
var ErrBinaryUnsupported = errors.New("protocol: binary frames need vsn 2.0.0")

// malformed wraps ErrMalformed with a fixed, client-safe detail.
func malformed(detail string) error {
	return fmt.Errorf("%w: %s", ErrMalformed, detail)
}

// fieldTooLong wraps ErrFieldTooLong with the name and size of the offending field.
func fieldTooLong(field string, size int) error {
	return fmt.Errorf("%w: %s is %d bytes", ErrFieldTooLong, field, size)
}
