// API CONTRACT (other packages code against these names; the implementation fills them in).
// The package documentation, with every decision the contract leaves open, is in doc.go.

package permissions

// Perm is a bit set of the seven permissions.
type Perm uint16

// The seven permissions of channels-and-permissions.md §3.
const (
	AnonymousClients Perm = 1 << iota
	Presence
	ClientPublicMessaging
	AuthenticatedOnlyPublicMessaging
	ClientAuthenticatedMessaging
	ClientPrivateMessaging
	AuthenticatedOnlyPrivateMessaging
)

// Audience is who a client message is addressed to.
type Audience uint8

const (
	// AudiencePublic: every member of the channel.
	AudiencePublic Audience = iota
	// AudienceAuthenticated: authenticated members only.
	AudienceAuthenticated
	// AudiencePrivate: one client (target_client_id / Xano socketId) or every connection of
	// one user (target_user_id) in the same channel.
	AudiencePrivate
)

// TriggerSpec references a named trigger function for an event (join | message | leave | *).
type TriggerSpec struct {
	Event    string
	Function string
}

// SetSpec is one permission set as written in the config file (before compilation).
type SetSpec struct {
	Pattern     string
	Description string
	Active      bool
	Permissions []string            // names or Xano aliases
	Roles       map[string][]string // role -> permissions replacing Permissions for that role
	History     int
	Triggers    []TriggerSpec
	// Origin says where the set came from for error messages, e.g. "phxserver.yaml:12" or
	// "xano-export.json channels[3]".
	Origin string
}

// Subject is the part of an identity that permission decisions need.
type Subject struct {
	Authenticated bool
	Role          string
	// AuthorizedChannels: nil = unrestricted; otherwise the channel must match one pattern.
	AuthorizedChannels []string
}
