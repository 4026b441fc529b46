package longpoll

import (
	"encoding/json"
	"net/http"
)

// body is a LongPoll response body. Messages is a pointer so that "messages":[] can be
// sent (session and poll answers) or left out (403, bare 410, POST answers).
type body struct {
	Status   int       `json:"status"`
	Token    string    `json:"token,omitempty"`
	Messages *[]string `json:"messages,omitempty"`
}

// withMessages returns b carrying msgs (never null: the client iterates them).
func (b body) withMessages(msgs []string) body {
	if msgs == nil {
		msgs = []string{}
	}
	b.Messages = &msgs
	return b
}

// writeBody writes b as the JSON body. HTML escaping is off so that each message string is
// the frame text byte for byte once the client JSON.parses the body.
func writeBody(w http.ResponseWriter, b body) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(b) // a write error means the client is gone
}
