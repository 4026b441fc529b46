package config

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/phxserver/phxserver/channels/permissions"
)

// functionFields lists, per function type, the keys besides `type` that apply to it.
var functionFields = map[string][]string{
	FunctionRateLimit:     {"limit", "per", "key"},
	FunctionClaimMatch:    {"segment", "claim"},
	FunctionContentFilter: {"deny", "max_bytes", "required_keys"},
	FunctionAuditLog:      {"path", "max_size"},
	FunctionWebhook:       {"url", "timeout", "on_error", "secret"},
}

var functionNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]{0,127}$`)

func (v *validator) functions(fns map[string]Function) {
	names := make([]string, 0, len(fns))
	for name := range fns {
		names = append(names, name)
	}
	sort.Strings(names) // deterministic error order before the sort by line
	for _, name := range names {
		f := fns[name]
		k := key("functions", name)
		if !functionNameRE.MatchString(name) {
			v.addf(k, "function names are letters, digits, \"_\" and \"-\", starting with a letter or \"_\"")
		}
		allowed, ok := functionFields[f.Type]
		if !ok {
			types := make([]string, 0, len(functionFields))
			for t := range functionFields {
				types = append(types, t)
			}
			sort.Strings(types)
			v.addf(key(k, "type"), "unknown function type %q (want one of %s)", f.Type, strings.Join(types, ", "))
			continue
		}
		v.foreignFields(k, f.Type, allowed)
		applyFunctionDefaults(&f)
		v.function(k, &f)
		fns[name] = f
	}
}

// foreignFields reports keys written under a function that do not apply to its type.
func (v *validator) foreignFields(k, typ string, allowed []string) {
	for _, fields := range functionFields {
		for _, field := range fields {
			if slices.Contains(allowed, field) {
				continue
			}
			if _, written := v.lines[key(k, field)]; written {
				v.addf(key(k, field), "does not apply to a %s function", typ)
			}
		}
	}
}

func (v *validator) function(k string, f *Function) {
	switch f.Type {
	case FunctionRateLimit:
		if f.Limit <= 0 {
			v.addf(key(k, "limit"), "must be a positive number of messages")
		}
		if f.Per <= 0 {
			v.addf(key(k, "per"), "must be a positive duration such as \"1m\"")
		}
		if f.Key != "user" && f.Key != "client" && f.Key != "channel" {
			v.addf(key(k, "key"), "must be user, client or channel, got %q", f.Key)
		}
	case FunctionClaimMatch:
		if f.Segment == "" {
			v.addf(key(k, "segment"), "must name a {capture} of the channel pattern")
		}
		if f.Claim == "" {
			v.addf(key(k, "claim"), "must name a token claim")
		}
	case FunctionContentFilter:
		for i, expr := range f.Deny {
			if _, err := regexp.Compile(expr); err != nil {
				v.add(index(key(k, "deny"), i), err)
			}
		}
		if f.MaxBytes < 0 {
			v.addf(key(k, "max_bytes"), "must not be negative")
		}
		for i, rk := range f.RequiredKeys {
			if rk == "" {
				v.addf(index(key(k, "required_keys"), i), "must not be empty")
			}
		}
		if len(f.Deny) == 0 && f.MaxBytes == 0 && len(f.RequiredKeys) == 0 {
			v.addf(k, "a content_filter needs deny, max_bytes or required_keys")
		}
	case FunctionAuditLog:
		if f.Path == "" {
			v.addf(key(k, "path"), "must name the audit file")
		} else {
			f.Path = v.resolve(f.Path)
		}
		if f.MaxSize < 0 {
			v.addf(key(k, "max_size"), "must not be negative")
		}
	case FunctionWebhook:
		v.httpURL(key(k, "url"), f.URL)
		if f.Timeout < 0 {
			v.addf(key(k, "timeout"), "must not be negative")
		}
		if f.OnError != "allow" && f.OnError != "deny" {
			v.addf(key(k, "on_error"), "must be allow or deny, got %q", f.OnError)
		}
	}
}

func (v *validator) webhooks(hooks []Webhook) {
	for i := range hooks {
		h := &hooks[i]
		k := index("webhooks", i)
		v.httpURL(key(k, "url"), h.URL)
		if len(h.Channels) == 0 {
			v.addf(key(k, "channels"), "must list at least one channel pattern (\"*\" matches every channel)")
		}
		for j, pattern := range h.Channels {
			if _, err := permissions.CompilePattern(pattern); err != nil {
				v.addPermissionsError(index(key(k, "channels"), j), err, "")
			}
		}
		if len(h.Events) == 0 {
			h.Events = slices.Clone(webhookEvents)
		}
		for j, event := range h.Events {
			if !slices.Contains(webhookEvents, event) {
				v.addf(index(key(k, "events"), j), "unknown event %q (want %s)", event, strings.Join(webhookEvents, ", "))
			}
		}
	}
}

// unknownFunctionError lists the configured names to help fix a typo.
func unknownFunctionError(name string, fns map[string]Function) error {
	if len(fns) == 0 {
		return fmt.Errorf("unknown function %q (no functions are configured)", name)
	}
	names := make([]string, 0, len(fns))
	for n := range fns {
		names = append(names, n)
	}
	sort.Strings(names)
	return fmt.Errorf("unknown function %q (configured: %s)", name, strings.Join(names, ", "))
}
