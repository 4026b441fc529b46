package config

import "time"

// Documented defaults (see the package documentation).
const (
	DefaultListen               = "127.0.0.1:4000"
	DefaultSocketPath           = "/socket"
	DefaultTLSListen            = ":443"
	DefaultShutdownGrace        = 10 * time.Second
	DefaultInvalidToken         = InvalidTokenReject
	DefaultLeeway               = 30 * time.Second
	DefaultMaxChannelsPerSocket = 100
	DefaultMaxFrameBytes        = 1 << 20
	DefaultSocketQueueBytes     = 1 << 20
	DefaultEngineType           = EngineMemory
	DefaultRedisURL             = "redis://127.0.0.1:6379/0"
	DefaultPresenceWindow       = 30 * time.Millisecond
	DefaultRateLimitKey         = "user"
	DefaultWebhookTimeout       = 2 * time.Second
	DefaultWebhookOnError       = "deny"
)

// auth.invalid_token values.
const (
	InvalidTokenReject    = "reject"
	InvalidTokenAnonymous = "anonymous"
)

// engine.type values.
const (
	EngineMemory = "memory"
	EngineRedis  = "redis"
)

// defaultConfig is the starting point that the file's keys overwrite: a key absent from the
// file keeps the value set here.
func defaultConfig() *Config {
	return &Config{
		Server: Server{
			Listen:        DefaultListen,
			SocketPath:    DefaultSocketPath,
			ShutdownGrace: DefaultShutdownGrace,
		},
		Auth: Auth{
			InvalidToken: DefaultInvalidToken,
			JWT: JWT{
				Algorithms: []string{"HS256"},
				Leeway:     DefaultLeeway,
				Claims: Claims{
					UserID:    "sub",
					Role:      "role",
					Channels:  "authorized_channels",
					TokenType: "token_type",
					Presence:  []string{"name"},
					XanoDboID: "dbo_id",
					XanoRowID: "sub",
				},
			},
		},
		Limits: Limits{
			MaxChannelsPerSocket: DefaultMaxChannelsPerSocket,
			MaxFrameBytes:        DefaultMaxFrameBytes,
			SocketQueueBytes:     DefaultSocketQueueBytes,
		},
		Engine: Engine{
			Type:           DefaultEngineType,
			Redis:          Redis{URL: DefaultRedisURL},
			PresenceWindow: DefaultPresenceWindow,
		},
	}
}

// applyFunctionDefaults fills the per-type defaults of a function entry (map entries are created
// by the decoder, so they cannot be preset). A zero value means "not set".
func applyFunctionDefaults(f *Function) {
	switch f.Type {
	case FunctionRateLimit:
		if f.Key == "" {
			f.Key = DefaultRateLimitKey
		}
	case FunctionWebhook:
		if f.Timeout == 0 {
			f.Timeout = DefaultWebhookTimeout
		}
		if f.OnError == "" {
			f.OnError = DefaultWebhookOnError
		}
	}
}

// webhookEvents are the events a webhook may subscribe to; also the default subscription.
var webhookEvents = []string{"message", "join", "leave", "presence"}
