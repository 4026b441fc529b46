package xano

// Action names of the Xano realtime dialect (xano-realtime.md §3, §4). The SDK's local-only
// "connection_status" is deliberately absent: a server must never send it (§4.2).
const (
	// ActionJoin subscribes a socket to a channel (client → server).
	ActionJoin = "join"
	// ActionLeave unsubscribes a socket from a channel (client → server).
	ActionLeave = "leave"
	// ActionMessage carries a client message, in both directions.
	ActionMessage = "message"
	// ActionHistory asks for (client → server) or carries (server → client) a channel's history.
	ActionHistory = "history"
	// ActionPresenceFull carries the whole presence list of a channel (server → client).
	ActionPresenceFull = "presence_full"
	// ActionPresenceUpdate announces one member joining or leaving (server → client).
	ActionPresenceUpdate = "presence_update"
	// ActionEvent carries a backend "Realtime Event" (server → client).
	ActionEvent = "event"
	// ActionError reports a refused request (server → client).
	ActionError = "error"
)

// internAction returns the constant for a known action name so that decoding the common
// actions does not allocate; unknown names are copied.
func internAction(name []byte) string {
	switch string(name) {
	case ActionJoin:
		return ActionJoin
	case ActionLeave:
		return ActionLeave
	case ActionMessage:
		return ActionMessage
	case ActionHistory:
		return ActionHistory
	case ActionPresenceFull:
		return ActionPresenceFull
	case ActionPresenceUpdate:
		return ActionPresenceUpdate
	case ActionEvent:
		return ActionEvent
	case ActionError:
		return ActionError
	}
	return string(name)
}
