package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/phxserver/phxserver/channels/permissions"
)

// channelRoute dispatches /api/channels/{name...} on its suffix (/presence, /history). The
// channel name is stored as the path value "channel".
func (h *Handler) channelRoute(routes []route) http.Handler {
	type suffixed struct {
		suffix string
		run    http.Handler
	}
	table := make([]suffixed, 0, len(routes))
	for _, rt := range routes {
		suffix := strings.TrimPrefix(rt.path, channelPrefix+"{name}")
		table = append(table, suffixed{suffix: suffix, run: allowMethod(rt.method, rt.handle)})
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest := r.PathValue("name")
		for _, s := range table {
			if name, ok := strings.CutSuffix(rest, s.suffix); ok && name != "" {
				r.SetPathValue("channel", name)
				s.run.ServeHTTP(w, r)
				return
			}
		}
		notFound(w, r)
	})
}

// channelSummary is one entry of GET /api/channels.
type channelSummary struct {
	Channel  string `json:"channel"`
	Members  int    `json:"members"`
	Presence int    `json:"presence"`
}

// listChannels answers this node's channels with members, sorted by name.
func (h *Handler) listChannels(w http.ResponseWriter, _ *http.Request) {
	counts := h.node.TopicCounts()
	list := make([]channelSummary, 0, len(counts))
	for topic, members := range counts {
		list = append(list, channelSummary{Channel: topic, Members: members, Presence: h.node.Tracker().Snapshot(topic).Len()})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Channel < list[j].Channel })
	writeJSON(w, http.StatusOK, map[string]any{"channels": list})
}

// pathChannel returns the validated channel name of a per-channel route, or answers 400.
func pathChannel(w http.ResponseWriter, r *http.Request) (string, bool) {
	name := r.PathValue("channel")
	if err := permissions.ValidateChannelName(name); err != nil {
		writeError(w, http.StatusBadRequest, channelNameError(err))
		return "", false
	}
	return name, true
}

// channelNameError is the client-facing text of a ValidateChannelName error.
func channelNameError(err error) string { return strings.TrimPrefix(err.Error(), "permissions: ") }

// presence answers the channel's presence in the Phoenix presence_state shape.
func (h *Handler) presence(w http.ResponseWriter, r *http.Request) {
	name, ok := pathChannel(w, r)
	if !ok {
		return
	}
	state := h.node.Tracker().Snapshot(name).AppendPhoenixState(nil)
	if len(state) == 0 {
		state = []byte(`{}`)
	}
	writeJSON(w, http.StatusOK, json.RawMessage(state))
}

// historyItem is one stored message of GET /api/channels/{name}/history.
type historyItem struct {
	Seq      uint64          `json:"seq"`
	At       string          `json:"at"`
	Event    string          `json:"event"`
	Payload  json.RawMessage `json:"payload"`
	Sender   *senderInfo     `json:"sender"`
	Audience string          `json:"audience"`
}

// senderInfo is the trusted sender of a stored message.
type senderInfo struct {
	ClientID      string `json:"client_id"`
	Authenticated bool   `json:"authenticated"`
	UserID        string `json:"user_id,omitempty"`
	Role          string `json:"role,omitempty"`
}

// maxHistoryLimit bounds ?limit= (the largest history N a set may keep is 1000).
const maxHistoryLimit = 10000

// history answers the channel's stored messages, oldest first.
func (h *Handler) history(w http.ResponseWriter, r *http.Request) {
	name, ok := pathChannel(w, r)
	if !ok {
		return
	}
	limit := 0
	if raw := r.URL.Query().Get("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 || n > maxHistoryLimit {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("limit must be an integer from 0 to %d (0 = all kept)", maxHistoryLimit))
			return
		}
		limit = n
	}
	stored := h.node.ChannelHistory(name, limit)
	items := make([]historyItem, 0, len(stored))
	for _, st := range stored {
		ev := st.Event
		if ev == nil || ev.Payload == nil {
			continue // binary payloads are never stored; be defensive anyway
		}
		it := historyItem{Seq: st.Seq, At: st.At.UTC().Format(time.RFC3339Nano), Event: ev.Name, Payload: ev.Payload, Audience: ev.Audience.String()}
		if s := ev.Sender; s != nil {
			it.Sender = &senderInfo{ClientID: s.ClientID, Authenticated: s.Authenticated, UserID: s.UserID, Role: s.Role}
		}
		items = append(items, it)
	}
	writeJSON(w, http.StatusOK, map[string]any{"history": items})
}
