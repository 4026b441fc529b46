package auth

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
	"github.com/rs/zerolog"
	"golang.org/x/time/rate"
)

// jwksSettings bound the JWKS client. Tests shorten them.
type jwksSettings struct {
	// refreshInterval is the periodic background refresh.
	refreshInterval time.Duration
	// unknownKIDEvery is the minimum spacing of refreshes triggered by an unknown kid, so a
	// flood of forged kids cannot hammer the identity provider.
	unknownKIDEvery time.Duration
	// httpTimeout bounds one fetch, and also how long an Authenticate call may wait for an
	// unknown-kid refresh (at most one caller waits at a time; the others fail fast).
	httpTimeout time.Duration
	// maxBodyBytes caps a JWKS response.
	maxBodyBytes int64
}

var defaultJWKSSettings = jwksSettings{
	refreshInterval: time.Hour,
	unknownKIDEvery: 30 * time.Second,
	httpTimeout:     10 * time.Second,
	maxBodyBytes:    1 << 20,
}

// newJWKS starts a JWKS client for rawURL. Its background refresh stops, and its idle HTTP
// connections close, when ctx is cancelled. An unreachable endpoint at start is logged, not
// fatal: keys are fetched again on the first unknown kid.
func newJWKS(ctx context.Context, rawURL string, settings jwksSettings, log zerolog.Logger) (keyfunc.Keyfunc, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("%w: jwks_url %q is not an http(s) URL", ErrConfig, rawURL)
	}
	if u.Scheme == "http" {
		log.Warn().Str("jwks_url", rawURL).Msg("auth: jwks_url uses plain http; keys can be tampered with in transit")
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	context.AfterFunc(ctx, transport.CloseIdleConnections)
	client := &http.Client{Transport: limitedBodyTransport{next: transport, max: settings.maxBodyBytes}}

	return keyfunc.NewDefaultOverrideCtx(ctx, []string{rawURL}, keyfunc.Override{
		Client:            client,
		HTTPTimeout:       settings.httpTimeout,
		RateLimitWaitMax:  settings.httpTimeout,
		RefreshInterval:   settings.refreshInterval,
		RefreshUnknownKID: rate.NewLimiter(rate.Every(settings.unknownKIDEvery), 1),
		RefreshErrorHandlerFunc: func(u string) func(context.Context, error) {
			return func(_ context.Context, err error) {
				log.Error().Err(err).Str("jwks_url", u).Msg("auth: JWKS refresh failed")
			}
		},
	})
}

// jwksKey resolves the verification key(s) for token from the JWKS and keeps only those that
// fit the token's algorithm.
func jwksKey(ctx context.Context, jwks keyfunc.Keyfunc, token *jwt.Token, alg string) (any, error) {
	got, err := jwks.KeyfuncCtx(ctx)(token)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnknownKey, err)
	}
	if set, ok := got.(jwt.VerificationKeySet); ok {
		fitting := jwt.VerificationKeySet{}
		for _, key := range set.Keys {
			if keyFitsAlgorithm(key, alg) {
				fitting.Keys = append(fitting.Keys, key)
			}
		}
		if len(fitting.Keys) == 0 {
			return nil, fmt.Errorf("%w: no JWKS key fits %s", ErrUnknownKey, alg)
		}
		return fitting, nil
	}
	if !keyFitsAlgorithm(got, alg) {
		return nil, fmt.Errorf("%w: JWKS key of type %T does not fit %s", ErrUnknownKey, got, alg)
	}
	return got, nil
}

// limitedBodyTransport caps response bodies so a hostile or broken endpoint cannot exhaust
// memory; an oversized body fails JSON decoding.
type limitedBodyTransport struct {
	next http.RoundTripper
	max  int64
}

func (t limitedBodyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	resp.Body = limitedBody{Reader: io.LimitReader(resp.Body, t.max), closer: resp.Body}
	return resp, nil
}

type limitedBody struct {
	io.Reader
	closer io.Closer
}

func (b limitedBody) Close() error { return b.closer.Close() }
