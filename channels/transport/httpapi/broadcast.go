package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/phxserver/phxserver/channels"
	"github.com/phxserver/phxserver/channels/permissions"
)

// broadcastRequest is the body of POST /api/broadcast.
type broadcastRequest struct {
	Channel string           `json:"channel"`
	Event   string           `json:"event"`
	Payload json.RawMessage  `json:"payload"`
	To      *broadcastTarget `json:"to"`
	Xano    *xanoEcho        `json:"xano"`
}

// broadcastTarget narrows a broadcast to one client, one user or authenticated members.
type broadcastTarget struct {
	ClientID      string `json:"client_id"`
	UserID        string `json:"user_id"`
	Authenticated bool   `json:"authenticated"`
}

// xanoEcho is echoed as payload.dbo_id/row_id in Xano event frames.
type xanoEcho struct {
	DboID any `json:"dbo_id"`
	RowID any `json:"row_id"`
}

// maxEventBytes bounds an event name.
const maxEventBytes = 255

// reservedEvents are event names only the server's protocol machinery may send.
var reservedEvents = map[string]bool{
	"presence_state": true, "presence_diff": true, "presence_full": true, "presence_update": true,
}

// broadcast sends a server event to a channel's members on every node.
func (h *Handler) broadcast(w http.ResponseWriter, r *http.Request) {
	var req broadcastRequest
	if err := decodeBody(w, r, &req); err != nil {
		writeRequestError(w, err)
		return
	}
	br, err := req.validate()
	if err != nil {
		writeRequestError(w, err)
		return
	}
	// The broadcast is not abandoned when the API client goes away mid-request.
	h.node.Broadcast(context.WithoutCancel(r.Context()), br)
	h.log.Info().Str("channel", br.Topic).Str("event", br.Event).Msg("api broadcast")
	writeJSON(w, http.StatusAccepted, okBody{OK: true})
}

// validate checks req and turns it into the core's request.
func (req *broadcastRequest) validate() (channels.BroadcastRequest, error) {
	var br channels.BroadcastRequest
	if err := permissions.ValidateChannelName(req.Channel); err != nil {
		return br, fmt.Errorf("%w: channel: %s", ErrBadRequest, channelNameError(err))
	}
	switch {
	case req.Event == "":
		return br, fmt.Errorf("%w: event is required", ErrBadRequest)
	case len(req.Event) > maxEventBytes:
		return br, fmt.Errorf("%w: event is longer than %d bytes", ErrBadRequest, maxEventBytes)
	case strings.HasPrefix(req.Event, "phx_") || reservedEvents[req.Event]:
		return br, fmt.Errorf("%w: event %q is reserved for the protocol", ErrBadRequest, req.Event)
	}
	br.Topic, br.Event, br.Payload = req.Channel, req.Event, req.Payload
	if len(br.Payload) == 0 || string(br.Payload) == "null" {
		br.Payload = json.RawMessage(`{}`)
	}
	if t := req.To; t != nil {
		named := 0
		for _, set := range []bool{t.ClientID != "", t.UserID != "", t.Authenticated} {
			if set {
				named++
			}
		}
		if named != 1 {
			return br, fmt.Errorf("%w: to must name exactly one of client_id, user_id or authenticated: true", ErrBadRequest)
		}
		br.ToClient, br.ToUser, br.ToAuthenticated = t.ClientID, t.UserID, t.Authenticated
	}
	if x := req.Xano; x != nil {
		var err error
		if br.XanoDboID, err = xanoID("xano.dbo_id", x.DboID); err != nil {
			return br, err
		}
		if br.XanoRowID, err = xanoID("xano.row_id", x.RowID); err != nil {
			return br, err
		}
	}
	return br, nil
}

// xanoID accepts a JSON number, a string or null (= 0) for a Xano id.
func xanoID(field string, v any) (any, error) {
	switch v.(type) {
	case nil, string, json.Number:
		return v, nil
	}
	return nil, fmt.Errorf("%w: %s must be a number or a string", ErrBadRequest, field)
}
