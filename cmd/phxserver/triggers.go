package main

import (
	"context"
	"sync"

	"github.com/phxserver/phxserver/channels/triggers"
	"github.com/phxserver/phxserver/channels/webhooks"
	"github.com/phxserver/phxserver/cmd/phxserver/config"
)

// setupTriggers installs the trigger runner (config `functions:`) and the outgoing webhook
// dispatcher (config `webhooks:`). A reload builds a new runner, installs it and closes the old
// one, and replaces the dispatcher's endpoints.
func (s *server) setupTriggers() error {
	log := s.log.With().Str("component", "triggers").Logger()
	runner, err := triggers.New(triggerSpecs(s.cfg.Functions), log)
	if err != nil {
		return err
	}
	runner.Observe(s.metrics.ObserveTrigger)
	dispatcher, err := webhooks.New(webhooks.Options{
		Endpoints: webhookEndpoints(s.cfg.Webhooks),
		Logger:    s.log.With().Str("component", "webhooks").Logger(),
		Observe:   s.metrics.ObserveWebhook,
	})
	if err != nil {
		_ = runner.Close()
		return err
	}
	s.node.SetTriggers(runner)
	s.node.AddObserver(dispatcher)

	var mu sync.Mutex // guards current across reloads and shutdown
	current := runner
	s.runners = append(s.runners, func(ctx context.Context) error {
		err := dispatcher.Run(ctx)
		mu.Lock()
		defer mu.Unlock()
		_ = current.Close()
		return err
	})
	s.reloaders = append(s.reloaders, func(cfg *config.Config) error {
		next, err := triggers.New(triggerSpecs(cfg.Functions), log)
		if err != nil {
			return err
		}
		next.Observe(s.metrics.ObserveTrigger)
		if err := dispatcher.SetEndpoints(webhookEndpoints(cfg.Webhooks)); err != nil {
			_ = next.Close()
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		s.node.SetTriggers(next)
		_ = current.Close()
		current = next
		return nil
	})
	return nil
}

func triggerSpecs(fns map[string]config.Function) map[string]triggers.FunctionSpec {
	out := make(map[string]triggers.FunctionSpec, len(fns))
	for name, f := range fns {
		out[name] = triggers.FunctionSpec{
			Type: f.Type, Limit: f.Limit, Per: f.Per, Key: f.Key,
			Segment: f.Segment, Claim: f.Claim,
			Deny: f.Deny, MaxBytes: f.MaxBytes, RequiredKeys: f.RequiredKeys,
			Path: f.Path, MaxSize: f.MaxSize,
			URL: f.URL, Timeout: f.Timeout, OnError: f.OnError, Secret: f.Secret,
		}
	}
	return out
}

func webhookEndpoints(hooks []config.Webhook) []webhooks.Endpoint {
	out := make([]webhooks.Endpoint, 0, len(hooks))
	for _, h := range hooks {
		out = append(out, webhooks.Endpoint{URL: h.URL, Channels: h.Channels, Events: h.Events, Secret: h.Secret})
	}
	return out
}
