package triggers

import (
	"context"
	"encoding/json"
	"time"

	"github.com/phxserver/phxserver/channels"
)

// auditLog appends one JSON line per event to its writer; it never denies. It sees the
// verdict so far: every trigger before it allowed (a deny would have stopped the pipeline),
// so placed first it records attempts and placed last it records accepted events.
type auditLog struct {
	w   *auditWriter
	now func() time.Time
}

// auditRecord is one line of the audit file.
type auditRecord struct {
	Time         time.Time `json:"time"`
	Event        string    `json:"event"`
	Channel      string    `json:"channel"`
	ClientID     string    `json:"client_id"`
	UserID       string    `json:"user_id,omitempty"`
	MessageEvent string    `json:"message_event,omitempty"`
	Allowed      bool      `json:"allowed"`
	// PayloadBytes is the size of the payload as it is at this point of the pipeline.
	PayloadBytes int `json:"payload_bytes"`
}

func (a *auditLog) call(_ context.Context, in *channels.TriggerInput) result {
	line, err := json.Marshal(auditRecord{
		Time: a.now().UTC(), Event: in.Event, Channel: in.Channel, ClientID: in.Client.ClientID,
		UserID: in.Client.UserID, MessageEvent: in.MessageEvent, Allowed: true, PayloadBytes: len(in.Payload),
	})
	if err == nil {
		a.w.append(append(line, '\n'))
	}
	return allow
}
