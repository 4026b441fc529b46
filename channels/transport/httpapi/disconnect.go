package httpapi

import (
	"fmt"
	"net/http"

	"github.com/phxserver/phxserver/channels"
)

// disconnectRequest is the body of POST /api/disconnect.
type disconnectRequest struct {
	ClientID string `json:"client_id"`
	UserID   string `json:"user_id"`
	// Reconnect (default true) closes with the dialect's reconnect code; false closes with
	// 1008 (policy violation), which Xano clients do not reconnect after.
	Reconnect *bool `json:"reconnect"`
}

// disconnectReason is the close reason every disconnected socket gets.
const disconnectReason = "disconnected by server"

// disconnect closes every socket of this node that matches a client id or a user id.
func (h *Handler) disconnect(w http.ResponseWriter, r *http.Request) {
	var req disconnectRequest
	if err := decodeBody(w, r, &req); err != nil {
		writeRequestError(w, err)
		return
	}
	if (req.ClientID == "") == (req.UserID == "") {
		writeRequestError(w, fmt.Errorf("%w: give exactly one of client_id or user_id", ErrBadRequest))
		return
	}
	reconnect := req.Reconnect == nil || *req.Reconnect
	closeCode := func(s *channels.Socket) int {
		if reconnect {
			return s.Dialect().ReconnectCode()
		}
		return channels.ClosePolicy
	}
	n := 0
	if req.ClientID != "" {
		if s := h.node.Socket(req.ClientID); s != nil {
			s.Disconnect(closeCode(s), disconnectReason)
			n++
		}
	} else {
		h.node.EachSocket(func(s *channels.Socket) bool {
			if id := s.Identity(); id.Authenticated && id.UserID == req.UserID {
				s.Disconnect(closeCode(s), disconnectReason)
				n++
			}
			return true
		})
	}
	h.log.Info().Str("client_id", req.ClientID).Str("user_id", req.UserID).Bool("reconnect", reconnect).Int("disconnected", n).Msg("api disconnect")
	writeJSON(w, http.StatusOK, map[string]int{"disconnected": n})
}
