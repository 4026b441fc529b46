package triggers

import "time"

// Function types (config `functions.<name>.type`).
const (
	TypeRateLimit     = "rate_limit"
	TypeClaimMatch    = "claim_match"
	TypeContentFilter = "content_filter"
	TypeAuditLog      = "audit_log"
	TypeWebhook       = "webhook"
)

// Rate limit keys.
const (
	KeyUser    = "user"
	KeyClient  = "client"
	KeyChannel = "channel"
)

// FunctionSpec describes one named trigger function. Which fields apply depends on Type.
type FunctionSpec struct {
	Type string

	// rate_limit: Limit events per Per, burst = Limit, bucket per Key (user | client | channel;
	// default user; anonymous users are keyed by client id).
	Limit int
	Per   time.Duration
	Key   string

	// claim_match: the channel pattern capture {Segment} must equal, or be in, the claim Claim.
	Segment string
	Claim   string

	// content_filter: Deny regexps on the payload's text, MaxBytes (0 = none), RequiredKeys of
	// an object payload.
	Deny         []string
	MaxBytes     int
	RequiredKeys []string

	// audit_log: JSON lines appended to Path, rotated past MaxSize bytes (0 = never).
	Path    string
	MaxSize int64

	// webhook: POST to URL within Timeout (default 2s); OnError allow | deny (default deny);
	// Secret signs the body.
	URL     string
	Timeout time.Duration
	OnError string
	Secret  string
}
