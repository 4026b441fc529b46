package xano

import "encoding/json"

// Every server frame is {"action":…,"client":…,"options":{"channel":…},"payload":…} in this
// key order, with options.channel always the concrete channel name: the SDK delivers a frame
// without options.channel to every channel of the socket (xano-realtime.md §4.2).

// frameOverhead covers the fixed keys and punctuation of a frame.
const frameOverhead = 96

// EncodeMessage encodes a client message as delivered to members:
// {"action":"message","client":{…},"options":{"channel":"c","authenticated":false,"socketId":null},"payload":…}.
// An empty socketID (a public or authenticated-audience message) is sent as null.
func EncodeMessage(channel string, from Client, authenticated bool, socketID string, payload json.RawMessage) []byte {
	size := frameOverhead + len(channel) + from.sizeHint() + len(socketID) + len(payload)
	return appendMessage(make([]byte, 0, size), channel, "", false, from, authenticated, socketID, payload)
}

// EncodeMessageEvent is EncodeMessage with options.event = event. A Phoenix push of an
// event other than "message" reaches Xano members this way.
func EncodeMessageEvent(channel, event string, from Client, authenticated bool, socketID string, payload json.RawMessage) []byte {
	size := frameOverhead + len(channel) + len(event) + from.sizeHint() + len(socketID) + len(payload)
	return appendMessage(make([]byte, 0, size), channel, event, true, from, authenticated, socketID, payload)
}

func appendMessage(dst []byte, channel, event string, withEvent bool, from Client, authenticated bool, socketID string, payload json.RawMessage) []byte {
	dst = append(dst, `{"action":"message","client":`...)
	dst = from.AppendJSON(dst)
	dst = append(dst, `,"options":{"channel":`...)
	dst = appendString(dst, channel)
	if authenticated {
		dst = append(dst, `,"authenticated":true`...)
	} else {
		dst = append(dst, `,"authenticated":false`...)
	}
	dst = append(dst, `,"socketId":`...)
	if socketID == "" {
		dst = append(dst, "null"...)
	} else {
		dst = appendString(dst, socketID)
	}
	if withEvent {
		dst = append(dst, `,"event":`...)
		dst = appendString(dst, event)
	}
	dst = append(dst, `},"payload":`...)
	dst = appendRaw(dst, payload)
	return append(dst, '}')
}

// appendServerHeader appends a server-originated frame up to and including `"payload":`;
// such frames carry "client":null.
func appendServerHeader(dst []byte, action, channel string) []byte {
	dst = append(dst, `{"action":`...)
	dst = appendString(dst, action)
	dst = append(dst, `,"client":null,"options":{"channel":`...)
	dst = appendString(dst, channel)
	return append(dst, `},"payload":`...)
}

// EncodeEvent encodes a backend Realtime Event:
// {"action":"event","client":null,"options":{"channel":"c"},"payload":{"data":…,"dbo_id":0,"row_id":0}}.
// dboID and rowID follow Client.DboID's encoding (nil → 0).
func EncodeEvent(channel string, data json.RawMessage, dboID, rowID any) []byte {
	dst := make([]byte, 0, frameOverhead+48+len(channel)+len(data))
	dst = appendServerHeader(dst, ActionEvent, channel)
	dst = append(dst, `{"data":`...)
	dst = appendRaw(dst, data)
	dst = append(dst, `,"dbo_id":`...)
	dst = appendID(dst, dboID)
	dst = append(dst, `,"row_id":`...)
	dst = appendID(dst, rowID)
	return append(dst, '}', '}')
}

// EncodePresenceFull encodes the whole member list of a channel:
// {"action":"presence_full","client":null,"options":{"channel":"c"},"payload":{"presence":[…]}}.
// payload.presence is always an array ([] when empty): the SDK throws on anything else.
func EncodePresenceFull(channel string, members []Client) []byte {
	size := frameOverhead + len(channel)
	for i := range members {
		size += members[i].sizeHint()
	}
	return AppendPresenceFull(make([]byte, 0, size), channel, members)
}

// AppendPresenceFull appends the EncodePresenceFull frame to dst.
func AppendPresenceFull(dst []byte, channel string, members []Client) []byte {
	dst = appendServerHeader(dst, ActionPresenceFull, channel)
	dst = append(dst, `{"presence":[`...)
	for i := range members {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = members[i].AppendJSON(dst)
	}
	return append(dst, ']', '}', '}')
}

// EncodePresenceUpdate announces one member joining or leaving; action is ActionJoin or
// ActionLeave:
// {"action":"presence_update","client":null,"options":{"channel":"c"},"payload":{"action":"join","presence":{…}}}.
func EncodePresenceUpdate(channel, action string, member Client) []byte {
	dst := make([]byte, 0, frameOverhead+32+len(channel)+len(action)+member.sizeHint())
	dst = appendServerHeader(dst, ActionPresenceUpdate, channel)
	dst = append(dst, `{"action":`...)
	dst = appendString(dst, action)
	dst = append(dst, `,"presence":`...)
	dst = member.AppendJSON(dst)
	return append(dst, '}', '}')
}

// EncodeHistory encodes stored frames, oldest first:
// {"action":"history","client":null,"options":{"channel":"c"},"payload":{"history":[…]}}.
// Each item is a complete frame (normally one EncodeMessage produced) copied verbatim.
func EncodeHistory(channel string, items []json.RawMessage) []byte {
	size := frameOverhead + len(channel) + len(items)
	for _, item := range items {
		size += len(item)
	}
	dst := make([]byte, 0, size)
	dst = appendServerHeader(dst, ActionHistory, channel)
	dst = append(dst, `{"history":[`...)
	for i, item := range items {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendRaw(dst, item)
	}
	return append(dst, ']', '}', '}')
}

// EncodeError encodes a refusal:
// {"action":"error","client":null,"options":{"channel":"c"},"payload":{"message":"…"}}.
func EncodeError(channel, message string) []byte {
	dst := make([]byte, 0, frameOverhead+16+len(channel)+len(message))
	dst = appendServerHeader(dst, ActionError, channel)
	dst = append(dst, `{"message":`...)
	dst = appendString(dst, message)
	return append(dst, '}', '}')
}
