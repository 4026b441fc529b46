package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/phxserver/phxserver/channels/permissions"
)

// validator checks a decoded Config, resolves relative paths, imports Xano sources and compiles
// the permission table. Every problem is recorded at the line of the offending key.
type validator struct {
	*errorList
	baseDir  string
	readFile func(path string) ([]byte, error)
	// origins maps a SetSpec.Origin to the key of the channels entry that produced it.
	origins map[string]string
}

func (v *validator) validate(c *Config) {
	v.server(&c.Server)
	v.auth(&c.Auth)
	v.api(&c.API)
	v.limits(&c.Limits)
	v.engine(&c.Engine)
	v.functions(c.Functions)
	v.channels(c)
	v.webhooks(c.Webhooks)
	if len(v.errs) > 0 {
		return // compiling would only repeat the problems already reported
	}
	table, err := permissions.Compile(c.specs)
	if err != nil {
		v.compileError(err)
		return
	}
	c.table = table
}

// compileError places a permissions.Compile error at the channels entry its set came from.
func (v *validator) compileError(err error) {
	var se *permissions.SetError
	if !errors.As(err, &se) {
		v.errs = append(v.errs, &Error{File: v.file, Err: err})
		return
	}
	k, fromFile := v.origins[se.Origin]
	detail := se.Detail
	if !fromFile || strings.HasSuffix(k, ".source") {
		detail = fmt.Sprintf("set %q (%s): %s", se.Pattern, se.Origin, se.Detail)
	}
	v.add(k, &detailError{msg: detail, err: err})
}

// detailError shows a short message but unwraps to the full error (and its sentinels).
type detailError struct {
	msg string
	err error
}

func (e *detailError) Error() string { return e.msg }
func (e *detailError) Unwrap() error { return e.err }

func (v *validator) server(s *Server) {
	v.hostPort("server.listen", s.Listen)
	if !strings.HasPrefix(s.SocketPath, "/") {
		v.addf("server.socket_path", "must start with \"/\", got %q", s.SocketPath)
	} else if strings.ContainsAny(s.SocketPath, "?# \t") || strings.HasSuffix(s.SocketPath, "/") && s.SocketPath != "/" {
		v.addf("server.socket_path", "must be a plain path without a trailing \"/\", got %q", s.SocketPath)
	}
	for i, origin := range s.CheckOrigin {
		if strings.TrimSpace(origin) == "" {
			v.addf(index("server.check_origin", i), "must not be empty")
		}
	}
	if s.TLS.Enabled() {
		if s.TLS.Listen == "" {
			s.TLS.Listen = DefaultTLSListen
		}
		v.hostPort("server.tls.listen", s.TLS.Listen)
		s.TLS.CertFile = v.existingFile("server.tls.cert_file", s.TLS.CertFile, "the TLS listener needs both cert_file and key_file")
		s.TLS.KeyFile = v.existingFile("server.tls.key_file", s.TLS.KeyFile, "the TLS listener needs both cert_file and key_file")
	}
	for i, canonical := range s.Xano.Canonicals {
		if err := checkCanonical(canonical); err != nil {
			v.add(index("server.xano.canonicals", i), err)
		}
	}
	s.Xano.Canonicals = dedupe(s.Xano.Canonicals)
	if s.ShutdownGrace < 0 {
		v.addf("server.shutdown_grace", "must not be negative")
	}
}

// checkCanonical accepts a /rt/<canonical> path segment.
func checkCanonical(c string) error {
	if c == "" {
		return fmt.Errorf("must not be empty")
	}
	for _, r := range c {
		if r == '/' || r == '?' || r == '#' || r == '%' || r <= ' ' || r == 0x7f {
			return fmt.Errorf("%q: must be one URL path segment (no \"/\", spaces or control characters)", c)
		}
	}
	return nil
}

// jwtAlgorithms are the accepted JWS algorithms; "none" is never one of them.
var jwtAlgorithms = []string{
	"HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
	"ES256", "ES384", "ES512", "EdDSA",
}

func (v *validator) auth(a *Auth) {
	switch a.InvalidToken {
	case InvalidTokenReject, InvalidTokenAnonymous:
	default:
		v.addf("auth.invalid_token", "must be %q or %q, got %q", InvalidTokenReject, InvalidTokenAnonymous, a.InvalidToken)
	}
	j := &a.JWT
	if len(j.Algorithms) == 0 {
		v.addf("auth.jwt.algorithms", "must list at least one algorithm")
	}
	asymmetric := false
	for i, alg := range j.Algorithms {
		k := index("auth.jwt.algorithms", i)
		switch {
		case strings.EqualFold(alg, "none"):
			v.addf(k, "\"none\" is never accepted")
		case !slices.Contains(jwtAlgorithms, alg):
			v.addf(k, "unknown algorithm %q (want one of %s)", alg, strings.Join(jwtAlgorithms, ", "))
		case !strings.HasPrefix(alg, "HS"):
			asymmetric = true
		}
	}
	// An empty HS secret is allowed on purpose: no HS token verifies, so every client is
	// anonymous or refused. An asymmetric algorithm without any key source is a plain mistake.
	if asymmetric && j.PublicKeyFile == "" && j.JWKSURL == "" {
		v.addf("auth.jwt.algorithms", "RS/PS/ES/EdDSA algorithms need public_key_file or jwks_url")
	}
	if j.PublicKeyFile != "" {
		j.PublicKeyFile = v.existingFile("auth.jwt.public_key_file", j.PublicKeyFile, "")
	}
	if j.JWKSURL != "" {
		v.httpURL("auth.jwt.jwks_url", j.JWKSURL)
	}
	if j.Leeway < 0 {
		v.addf("auth.jwt.leeway", "must not be negative")
	}
	claims := []struct{ key, value string }{
		{"user_id", j.Claims.UserID}, {"role", j.Claims.Role}, {"channels", j.Claims.Channels},
		{"token_type", j.Claims.TokenType}, {"xano_dbo_id", j.Claims.XanoDboID}, {"xano_row_id", j.Claims.XanoRowID},
	}
	for _, c := range claims {
		if c.value == "" {
			v.addf("auth.jwt.claims."+c.key, "must name a claim")
		}
	}
	for i, name := range j.Claims.Presence {
		if name == "" {
			v.addf(index("auth.jwt.claims.presence", i), "must name a claim")
		}
	}
}

func (v *validator) api(a *API) {
	// Empty keys come from unset variables such as "${PHX_API_KEY:-}": they disable, not open.
	a.Keys = slices.DeleteFunc(a.Keys, func(k string) bool { return k == "" })
	if len(a.Keys) == 0 {
		a.Keys = nil
	}
}

func (v *validator) limits(l *Limits) {
	nonNegative := []struct {
		key   string
		value int
	}{
		{"max_connections", l.MaxConnections},
		{"max_channels_per_socket", l.MaxChannelsPerSocket},
		{"messages_per_second", l.MessagesPerSecond},
	}
	for _, n := range nonNegative {
		if n.value < 0 {
			v.addf("limits."+n.key, "must not be negative, got %d", n.value)
		}
	}
	// 0 cannot mean "unlimited" for these two: an unbounded frame or queue is a memory hole.
	if l.MaxFrameBytes <= 0 {
		v.addf("limits.max_frame_bytes", "must be positive, got %d", l.MaxFrameBytes)
	}
	if l.SocketQueueBytes <= 0 {
		v.addf("limits.socket_queue_bytes", "must be positive, got %d", l.SocketQueueBytes)
	}
}

func (v *validator) engine(e *Engine) {
	switch e.Type {
	case EngineMemory:
	case EngineRedis:
		u, err := url.Parse(e.Redis.URL)
		if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss" && u.Scheme != "unix") {
			v.addf("engine.redis.url", "must be a redis://, rediss:// or unix:// URL, got %q", e.Redis.URL)
		}
	default:
		v.addf("engine.type", "must be %q or %q, got %q", EngineMemory, EngineRedis, e.Type)
	}
	if e.HistoryPath != "" {
		e.HistoryPath = v.resolve(e.HistoryPath)
	}
	if e.PresenceWindow < 0 {
		v.addf("engine.presence_window", "must not be negative")
	}
}

// hostPort checks a listen address such as "127.0.0.1:4000" or ":443".
func (v *validator) hostPort(k, addr string) {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		v.addf(k, "must be host:port, got %q", addr)
		return
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		v.addf(k, "port must be a number from 0 to 65535, got %q", port)
	}
}

// httpURL checks an absolute http(s) URL with a host.
func (v *validator) httpURL(k, raw string) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		v.addf(k, "must be an http:// or https:// URL, got %q", raw)
	}
}

// resolve makes a relative path relative to the config file's directory.
func (v *validator) resolve(path string) string {
	if filepath.IsAbs(path) {
		return filepath.Clean(path)
	}
	return filepath.Join(v.baseDir, path)
}

// existingFile resolves path and checks that it names a regular file; missing explains an
// empty path.
func (v *validator) existingFile(k, path, missing string) string {
	if path == "" {
		v.addf(k, "%s", missing)
		return ""
	}
	resolved := v.resolve(path)
	info, err := os.Stat(resolved)
	switch {
	case err != nil:
		v.add(k, err)
	case !info.Mode().IsRegular():
		v.addf(k, "%s is not a regular file", resolved)
	}
	return resolved
}

// dedupe keeps the first occurrence of each string, in order.
func dedupe(list []string) []string {
	seen := make(map[string]bool, len(list))
	out := list[:0]
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
