package triggers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/rs/zerolog"

	"github.com/phxserver/phxserver/channels"
	"github.com/phxserver/phxserver/channels/webhooks"
)

// Webhook trigger limits.
const (
	// DefaultWebhookTimeout bounds one webhook call when the spec has none.
	DefaultWebhookTimeout = 2 * time.Second
	// webhookConcurrency bounds the calls in flight per webhook function; more wait for a slot
	// until their deadline, then follow on_error.
	webhookConcurrency = 64
	// maxAnswerBytes bounds the answer read from a receiver.
	maxAnswerBytes = 1 << 20
	// maxReasonBytes bounds the reason passed on to the client.
	maxReasonBytes = 256
	// errorReason is the client-visible reason of an on_error: deny.
	errorReason = "trigger unavailable"
)

var errBadAnswer = errors.New("bad answer")

// newTriggerHTTPClient is the one client (and connection pool) of a Runner's webhooks.
func newTriggerHTTPClient() *http.Client {
	t := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   webhookConcurrency,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   5 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	return &http.Client{
		Transport:     t,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// webhook asks an HTTP receiver for the verdict (moderation, membership services).
type webhook struct {
	name         string
	url          string
	timeout      time.Duration
	allowOnError bool
	secret       []byte
	client       *http.Client
	sem          chan struct{}
	errors       *atomic.Int64
	log          zerolog.Logger
}

func newWebhook(name string, s FunctionSpec, client *http.Client, errs *atomic.Int64, log zerolog.Logger) (*webhook, error) {
	u, err := url.Parse(s.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%w: webhook url %q is not an http(s) URL", ErrInvalidFunction, s.URL)
	}
	w := &webhook{
		name: name, url: s.URL, timeout: s.Timeout, client: client,
		sem: make(chan struct{}, webhookConcurrency), errors: errs, log: log,
	}
	if w.timeout <= 0 {
		w.timeout = DefaultWebhookTimeout
	}
	switch s.OnError {
	case "", "deny":
	case "allow":
		w.allowOnError = true
	default:
		return nil, fmt.Errorf("%w: webhook on_error %q (want allow or deny)", ErrInvalidFunction, s.OnError)
	}
	if s.Secret != "" {
		w.secret = []byte(s.Secret)
	}
	return w, nil
}

// webhookClient is the `client` object of a webhook trigger request.
type webhookClient struct {
	ClientID      string         `json:"client_id"`
	Authenticated bool           `json:"authenticated"`
	UserID        string         `json:"user_id,omitempty"`
	Role          string         `json:"role,omitempty"`
	Claims        map[string]any `json:"claims,omitempty"`
}

// WebhookRequest is the body POSTed to a webhook trigger.
type WebhookRequest struct {
	Event        string            `json:"event"`
	Channel      string            `json:"channel"`
	Captures     map[string]string `json:"captures"`
	Client       webhookClient     `json:"client"`
	MessageEvent string            `json:"message_event,omitempty"`
	Payload      json.RawMessage   `json:"payload,omitempty"`
}

// WebhookAnswer is what a webhook trigger receiver answers (allow is required).
type WebhookAnswer struct {
	Allow   *bool           `json:"allow"`
	Reason  string          `json:"reason,omitempty"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

func (w *webhook) call(ctx context.Context, in *channels.TriggerInput) result {
	res, err := w.ask(ctx, in)
	if err == nil {
		return res
	}
	w.errors.Add(1)
	w.log.Warn().Err(err).Str("function", w.name).Str("channel", in.Channel).Bool("allowed", w.allowOnError).
		Msg("webhook trigger failed; applying on_error")
	if w.allowOnError {
		return allow
	}
	return deny(errorReason)
}

func (w *webhook) ask(ctx context.Context, in *channels.TriggerInput) (result, error) {
	ctx, cancel := context.WithTimeout(ctx, w.timeout)
	defer cancel()
	select {
	case w.sem <- struct{}{}:
		defer func() { <-w.sem }()
	case <-ctx.Done():
		return result{}, fmt.Errorf("waiting for a free slot: %w", ctx.Err())
	}
	payload := in.Payload
	if len(payload) > 0 && !json.Valid(payload) {
		payload = nil
	}
	body, err := json.Marshal(WebhookRequest{
		Event: in.Event, Channel: in.Channel, Captures: captures(in.Captures), MessageEvent: in.MessageEvent, Payload: payload,
		Client: webhookClient{
			ClientID: in.Client.ClientID, Authenticated: in.Client.Authenticated, UserID: in.Client.UserID,
			Role: in.Client.Role, Claims: in.Client.Claims,
		},
	})
	if err != nil {
		return result{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(body))
	if err != nil {
		return result{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "phxserver-triggers")
	if w.secret != nil {
		req.Header.Set(webhooks.SignatureHeader, webhooks.Sign(w.secret, time.Now(), body))
	}
	resp, err := w.client.Do(req)
	if err != nil {
		return result{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes+1))
	if err != nil {
		return result{}, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return result{}, fmt.Errorf("status %d", resp.StatusCode)
	}
	if len(data) > maxAnswerBytes {
		return result{}, fmt.Errorf("%w: larger than %d bytes", errBadAnswer, maxAnswerBytes)
	}
	return parseAnswer(data)
}

func captures(c map[string]string) map[string]string {
	if c == nil {
		return map[string]string{} // always an object for receivers
	}
	return c
}

func parseAnswer(data []byte) (result, error) {
	var a WebhookAnswer
	if err := json.Unmarshal(data, &a); err != nil {
		return result{}, fmt.Errorf("%w: %w", errBadAnswer, err)
	}
	if a.Allow == nil {
		return result{}, fmt.Errorf("%w: no \"allow\"", errBadAnswer)
	}
	if !*a.Allow {
		return deny(clientSafe(a.Reason)), nil
	}
	r := allow
	if len(a.Payload) > 0 && !bytes.Equal(a.Payload, []byte("null")) {
		r.payload = a.Payload
	}
	return r, nil
}

// clientSafe bounds a receiver's reason and keeps it valid UTF-8 without control characters.
func clientSafe(reason string) string {
	reason = strings.ToValidUTF8(reason, "")
	reason = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, reason)
	if len(reason) > maxReasonBytes {
		cut := maxReasonBytes
		for cut > 0 && !utf8.RuneStart(reason[cut]) {
			cut--
		}
		reason = reason[:cut]
	}
	return reason
}
