package permissions

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
)

// xanoExport is the Metadata API `GET /workspace/{id}/realtime` body (xano-realtime.md §7).
// Unknown keys (such as "id") are ignored.
type xanoExport struct {
	Enabled  json.RawMessage    `json:"enabled"`
	Hash     string             `json:"hash"`
	Channels *[]json.RawMessage `json:"channels"`
}

// xanoChannel is one permission row of the export.
type xanoChannel struct {
	ID          json.RawMessage `json:"id"`
	Pattern     *string         `json:"pattern"`
	Wildcard    bool            `json:"wildcard"`
	Enabled     json.RawMessage `json:"enabled"`
	Description string          `json:"description"`
	History     json.Number     `json:"history"`

	AnonymousClients                       bool `json:"anonymous_clients"`
	Presence                               bool `json:"presence"`
	ClientPublicMessaging                  bool `json:"client_public_messaging"`
	ClientPublicMessagingAuthenticatedOnly bool `json:"client_public_messaging_authenticated_only"`
	ClientAuthenticatedMessaging           bool `json:"client_authenticated_messaging"`
	ClientPrivateMessaging                 bool `json:"client_private_messaging"`
	ClientPrivateMessagingAuthOnly         bool `json:"client_private_messaging_authenticated_only"`
}

// ImportXano converts a Xano Metadata API realtime export into set specs, in export order.
// wildcard:true appends "/*" to the pattern ("*" when it already ends in a separator) unless
// it already ends in "*"; a set is Active when both its own and the top-level "enabled" are
// true (absent counts as true, null as false). A non-empty hash is returned as an accepted
// Xano canonical. Each spec's Origin is `<origin> channels[i]` (plus the row id when present).
// The specs are not compiled here: Compile reports pattern and duplicate errors with origins.
func ImportXano(data []byte, origin string) (specs []SetSpec, canonicals []string, err error) {
	fail := func(format string, args ...any) ([]SetSpec, []string, error) {
		return nil, nil, fmt.Errorf("%w: %s: %s", ErrXanoImport, origin, fmt.Sprintf(format, args...))
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return fail("not a JSON object")
	}
	var exp xanoExport
	if err := json.Unmarshal(trimmed, &exp); err != nil {
		return fail("%v", err)
	}
	if exp.Channels == nil {
		return fail(`no "channels" array`)
	}
	if exp.Hash != "" {
		if !validCanonical(exp.Hash) {
			return fail("hash %q is not a valid canonical (letters, digits, '-' and '_' only, at most 128)", truncateForError(exp.Hash))
		}
		canonicals = []string{exp.Hash}
	}
	workspaceEnabled, err := enabledFlag(exp.Enabled)
	if err != nil {
		return fail("enabled: %v", err)
	}
	specs = make([]SetSpec, 0, len(*exp.Channels))
	for i, raw := range *exp.Channels {
		rowOrigin := fmt.Sprintf("%s channels[%d]", origin, i)
		var row xanoChannel
		if err := json.Unmarshal(raw, &row); err != nil {
			return fail("channels[%d]: %v", i, err)
		}
		if id := strings.TrimSpace(string(row.ID)); id != "" && id != "null" && len(id) <= 40 {
			rowOrigin += " (id " + strings.Trim(id, `"`) + ")"
		}
		if row.Pattern == nil || *row.Pattern == "" {
			return fail("channels[%d]: no pattern", i)
		}
		history, err := xanoHistory(row.History)
		if err != nil {
			return fail("channels[%d]: %v", i, err)
		}
		rowEnabled, err := enabledFlag(row.Enabled)
		if err != nil {
			return fail("channels[%d]: enabled: %v", i, err)
		}
		specs = append(specs, SetSpec{
			Pattern:     xanoPattern(*row.Pattern, row.Wildcard),
			Description: row.Description,
			Active:      workspaceEnabled && rowEnabled,
			Permissions: row.permissions(),
			History:     history,
			Origin:      rowOrigin,
		})
	}
	return specs, canonicals, nil
}

// enabledFlag reads an "enabled" value: absent is true (the YAML default), null is false.
func enabledFlag(raw json.RawMessage) (bool, error) {
	if raw == nil {
		return true, nil
	}
	var on *bool
	if err := json.Unmarshal(raw, &on); err != nil {
		return false, err
	}
	return on != nil && *on, nil
}

// xanoPattern applies "nested channels": the permissions cover everything below the name.
func xanoPattern(pattern string, wildcard bool) string {
	switch {
	case !wildcard || strings.HasSuffix(pattern, "*"):
		return pattern
	case isSeparator(pattern[len(pattern)-1]):
		return pattern + "*"
	}
	return pattern + "/*"
}

// xanoHistory accepts a non-negative integer (JSON 50 or 50.0); absent or null is 0.
func xanoHistory(n json.Number) (int, error) {
	if n == "" {
		return 0, nil
	}
	f, err := n.Float64()
	if err != nil || f < 0 || f != math.Trunc(f) || f > math.MaxInt32 {
		return 0, fmt.Errorf("history %q is not a non-negative integer", n.String())
	}
	return int(f), nil
}

// permissions lists the row's true flags by canonical name.
func (c xanoChannel) permissions() []string {
	flags := []struct {
		on   bool
		perm Perm
	}{
		{c.AnonymousClients, AnonymousClients},
		{c.Presence, Presence},
		{c.ClientPublicMessaging, ClientPublicMessaging},
		{c.ClientPublicMessagingAuthenticatedOnly, AuthenticatedOnlyPublicMessaging},
		{c.ClientAuthenticatedMessaging, ClientAuthenticatedMessaging},
		{c.ClientPrivateMessaging, ClientPrivateMessaging},
		{c.ClientPrivateMessagingAuthOnly, AuthenticatedOnlyPrivateMessaging},
	}
	var p Perm
	for _, f := range flags {
		if f.on {
			p |= f.perm
		}
	}
	return p.Names()
}

// validCanonical keeps the hash safe to use as the /rt/{canonical} path segment.
func validCanonical(s string) bool {
	if len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '-' || c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9')) {
			return false
		}
	}
	return true
}
