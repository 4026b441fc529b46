package xano

// Client is the Xano `client` object {socketId, extras, permissions:{dbo_id,row_id}} that
// identifies the sender of a message and each presence member.
type Client struct {
	// SocketID is the opaque per-connection id clients use to address private messages.
	SocketID string
	// Extras are the token's shared claims; nil is sent as {}.
	Extras map[string]any
	// DboID is the auth table id: int64, float64 or string; nil (anonymous) is sent as 0.
	DboID any
	// RowID is the user's row id, same encoding as DboID (a string for UUID ids).
	RowID any
	// Raw, when set, is the client object already encoded (by an earlier AppendJSON); it is
	// copied verbatim and the other fields are ignored. The server encodes each connection's
	// client object once and reuses it for every frame.
	Raw []byte
}

// AppendJSON appends the client object to dst, for example
// {"socketId":"s1","extras":{},"permissions":{"dbo_id":0,"row_id":0}}. Extras keys are
// sorted so the output is deterministic.
func (c Client) AppendJSON(dst []byte) []byte {
	if c.Raw != nil {
		return append(dst, c.Raw...)
	}
	dst = append(dst, `{"socketId":`...)
	dst = appendString(dst, c.SocketID)
	dst = append(dst, `,"extras":`...)
	dst = appendObject(dst, c.Extras, 0)
	dst = append(dst, `,"permissions":{"dbo_id":`...)
	dst = appendID(dst, c.DboID)
	dst = append(dst, `,"row_id":`...)
	dst = appendID(dst, c.RowID)
	return append(dst, '}', '}')
}

// sizeHint estimates the encoded size so encoders can allocate once in the common case;
// extras are guessed, append grows the buffer when they are larger.
func (c Client) sizeHint() int {
	if c.Raw != nil {
		return len(c.Raw)
	}
	return len(c.SocketID) + 80 + 32*len(c.Extras)
}
