package longpoll

import "time"

// Defaults, taken from Phoenix (long_poll.ex) unless noted.
const (
	// DefaultWindow is how long a poll is held when nothing is queued (Phoenix window_ms).
	// It must stay below the phoenix client's longpollerTimeout (20 s).
	DefaultWindow = 10 * time.Second
	// DefaultMaxBodyBytes caps a POST body (Phoenix: about 8 MB).
	DefaultMaxBodyBytes = 8 << 20
	// DefaultMaxFrameBytes caps one posted frame (one ndjson line, after base64 decoding).
	DefaultMaxFrameBytes = 1 << 20
	// MaxBatchLines is how many ndjson lines one POST may carry (the client's
	// MAX_LONGPOLL_BATCH_SIZE); later lines are ignored, as Phoenix does.
	MaxBatchLines = 100
	// maxWindow keeps a held poll safely below the client's 20 s request timeout.
	maxWindow = 15 * time.Second
)

// Config configures the LongPoll endpoint.
type Config struct {
	// CheckOrigin lists the allowed Origin values; empty allows any.
	CheckOrigin []string
	// Window is how long a poll is held when nothing is queued (default 10 s, at most 15 s).
	Window time.Duration
	// IdleTimeout ends a session that has not polled for this long (default 1.5 × Window).
	IdleTimeout time.Duration
	// MaxBodyBytes caps a POST body (default 8 MiB).
	MaxBodyBytes int64
	// MaxFrameBytes caps one posted frame (default 1 MiB; use limits.max_frame_bytes).
	MaxFrameBytes int
	// InvalidTokenAnonymous continues anonymously when the auth token fails verification
	// (auth.invalid_token: anonymous); otherwise session creation answers {"status":403}.
	InvalidTokenAnonymous bool
}

func (c *Config) applyDefaults() {
	if c.Window <= 0 {
		c.Window = DefaultWindow
	}
	if c.Window > maxWindow {
		c.Window = maxWindow
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = c.Window * 3 / 2
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.MaxFrameBytes <= 0 {
		c.MaxFrameBytes = DefaultMaxFrameBytes
	}
}
