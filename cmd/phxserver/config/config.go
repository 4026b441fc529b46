package config

import (
	"time"

	"github.com/phxserver/phxserver/channels/permissions"
)

// Config is a loaded and validated configuration. Build it with Load, Parse or Default; a Config
// built by hand has no compiled permission table.
type Config struct {
	Server    Server              `yaml:"server"`
	Auth      Auth                `yaml:"auth"`
	API       API                 `yaml:"api"`
	Limits    Limits              `yaml:"limits"`
	Engine    Engine              `yaml:"engine"`
	Channels  []Channel           `yaml:"channels"`
	Functions map[string]Function `yaml:"functions"`
	Webhooks  []Webhook           `yaml:"webhooks"`
	// Source is the file name loaded, or "embedded default".
	Source string `yaml:"-"`

	specs []permissions.SetSpec
	table *permissions.Table
}

// Server is the `server:` section.
type Server struct {
	Listen        string        `yaml:"listen"`         // default "127.0.0.1:4000"
	SocketPath    string        `yaml:"socket_path"`    // default "/socket"
	CheckOrigin   []string      `yaml:"check_origin"`   // default empty = any origin
	TLS           TLS           `yaml:"tls"`            // enabled when cert_file or key_file is set
	Xano          Xano          `yaml:"xano"`           // canonicals served at /rt/<canonical>
	ShutdownGrace time.Duration `yaml:"shutdown_grace"` // default 10s
	Demo          bool          `yaml:"demo"`           // default false (true in the embedded default)
}

// TLS is the optional second listener. CertFile and KeyFile are resolved against the config
// file's directory.
type TLS struct {
	Listen   string `yaml:"listen"`    // default ":443" when enabled
	CertFile string `yaml:"cert_file"` // PEM
	KeyFile  string `yaml:"key_file"`  // PEM
}

// Enabled reports whether the TLS listener is configured.
func (t TLS) Enabled() bool { return t.CertFile != "" || t.KeyFile != "" }

// Xano configures the Xano realtime endpoint.
type Xano struct {
	// Canonicals each enable /rt/<canonical>; the hashes of imported Xano sources are appended.
	Canonicals []string `yaml:"canonicals"`
}

// Auth is the `auth:` section.
type Auth struct {
	InvalidToken string `yaml:"invalid_token"` // reject (default) | anonymous
	JWT          JWT    `yaml:"jwt"`
}

// JWT configures token verification.
type JWT struct {
	Algorithms       []string      `yaml:"algorithms"`         // default [HS256]; "none" is refused
	Secret           string        `yaml:"secret"`             // HS*; empty = no HS token verifies
	PublicKeyFile    string        `yaml:"public_key_file"`    // RS*/PS*/ES*/EdDSA PEM, resolved against baseDir
	JWKSURL          string        `yaml:"jwks_url"`           // http(s)
	Issuer           string        `yaml:"issuer"`             // empty = not checked
	Audience         string        `yaml:"audience"`           // empty = not checked
	Leeway           time.Duration `yaml:"leeway"`             // default 30s
	RequireTokenType string        `yaml:"require_token_type"` // empty = not checked
	Claims           Claims        `yaml:"claims"`
}

// Claims names the JWT claims phxserver reads. Omitted keys keep their defaults.
type Claims struct {
	UserID    string   `yaml:"user_id"`     // default "sub"
	Role      string   `yaml:"role"`        // default "role"
	Channels  string   `yaml:"channels"`    // default "authorized_channels"
	TokenType string   `yaml:"token_type"`  // default "token_type"
	Presence  []string `yaml:"presence"`    // default [name]
	XanoDboID string   `yaml:"xano_dbo_id"` // default "dbo_id"
	XanoRowID string   `yaml:"xano_row_id"` // default "sub"
}

// API is the `api:` section.
type API struct {
	// Keys are the bearer keys of the server API; empty entries are dropped; none = API disabled.
	Keys []string `yaml:"keys"`
}

// Limits is the `limits:` section.
type Limits struct {
	MaxConnections       int `yaml:"max_connections"`         // default 0 = unlimited
	MaxChannelsPerSocket int `yaml:"max_channels_per_socket"` // default 100; 0 = unlimited
	MaxFrameBytes        int `yaml:"max_frame_bytes"`         // default 1048576; must be > 0
	SocketQueueBytes     int `yaml:"socket_queue_bytes"`      // default 1048576; must be > 0
	MessagesPerSecond    int `yaml:"messages_per_second"`     // default 0 = unlimited
}

// Engine is the `engine:` section.
type Engine struct {
	Type           string        `yaml:"type"`            // memory (default) | redis
	Redis          Redis         `yaml:"redis"`           // used when Type is redis
	HistoryPath    string        `yaml:"history_path"`    // bbolt file, resolved against baseDir; empty = memory only
	PresenceWindow time.Duration `yaml:"presence_window"` // default 30ms
}

// Redis configures the redis engine.
type Redis struct {
	URL string `yaml:"url"` // default "redis://127.0.0.1:6379/0"
}

// Channel is one `channels:` entry: a permission set (Pattern) or a Xano export (Source).
type Channel struct {
	Pattern     string              `yaml:"pattern"`
	Description string              `yaml:"description"`
	Active      *bool               `yaml:"active"` // nil = true
	Permissions []string            `yaml:"permissions"`
	Roles       map[string][]string `yaml:"roles"`
	History     int                 `yaml:"history"` // default 0 = none
	Triggers    []Trigger           `yaml:"triggers"`
	// Source is a Xano Metadata API realtime export, resolved against baseDir.
	Source string `yaml:"source"`
}

// IsActive reports whether the set applies (active defaults to true).
func (c Channel) IsActive() bool { return c.Active == nil || *c.Active }

// Trigger runs a named function on a channel event.
type Trigger struct {
	Event    string `yaml:"event"`    // join | message | leave | *
	Function string `yaml:"function"` // a key of Config.Functions
}

// Function types.
const (
	FunctionRateLimit     = "rate_limit"
	FunctionClaimMatch    = "claim_match"
	FunctionContentFilter = "content_filter"
	FunctionAuditLog      = "audit_log"
	FunctionWebhook       = "webhook"
)

// Function is a named trigger function. Which fields apply depends on Type; a field that does
// not apply to the type is a configuration error.
type Function struct {
	Type string `yaml:"type"`

	// rate_limit: a token bucket of Limit tokens (burst = Limit) refilled every Per.
	Limit int           `yaml:"limit"`
	Per   time.Duration `yaml:"per"`
	Key   string        `yaml:"key"` // user (default) | client | channel

	// claim_match: the pattern capture {Segment} must equal, or be in, the token claim Claim.
	Segment string `yaml:"segment"`
	Claim   string `yaml:"claim"`

	// content_filter: deny messages matching any regexp, larger than MaxBytes (0 = no limit), or
	// whose object payload lacks one of RequiredKeys.
	Deny         []string `yaml:"deny"`
	MaxBytes     int      `yaml:"max_bytes"`
	RequiredKeys []string `yaml:"required_keys"`

	// audit_log: append JSON lines to Path (resolved against baseDir); MaxSize in bytes, 0 = no cap.
	Path    string `yaml:"path"`
	MaxSize int64  `yaml:"max_size"`

	// webhook: POST the event to URL and obey its answer.
	URL     string        `yaml:"url"`
	Timeout time.Duration `yaml:"timeout"`  // default 2s
	OnError string        `yaml:"on_error"` // deny (default) | allow
	Secret  string        `yaml:"secret"`   // HMAC-SHA256 signing key; empty = unsigned
}

// Webhook is one asynchronous event receiver.
type Webhook struct {
	URL      string   `yaml:"url"`
	Channels []string `yaml:"channels"` // channel patterns; at least one
	Events   []string `yaml:"events"`   // ⊆ {message, join, leave, presence}; default all four
	Secret   string   `yaml:"secret"`   // HMAC-SHA256 signing key; empty = unsigned
}

// ChannelSpecs returns the permission sets in file order, the sets of Xano sources in the place
// of their `source:` entry. Origin is "file:line" (imported sets keep the importer's origin).
func (c *Config) ChannelSpecs() []permissions.SetSpec {
	out := make([]permissions.SetSpec, len(c.specs))
	copy(out, c.specs)
	return out
}

// Table returns the permission table compiled during validation (nil for a hand-built Config).
func (c *Config) Table() *permissions.Table { return c.table }
