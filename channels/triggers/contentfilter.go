package triggers

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"

	"github.com/phxserver/phxserver/channels"
)

// contentFilter refuses payloads that are too large, match a deny regexp, or lack required
// top-level keys. Regexps run on every string (keys included) of the decoded JSON, so JSON
// escapes ("https:\/\/") cannot hide a match; Go's regexp engine is linear-time.
type contentFilter struct {
	deny         []*regexp.Regexp
	maxBytes     int
	requiredKeys []string
}

func newContentFilter(s FunctionSpec) (*contentFilter, error) {
	f := &contentFilter{maxBytes: s.MaxBytes, requiredKeys: s.RequiredKeys}
	if s.MaxBytes < 0 {
		return nil, fmt.Errorf("%w: content_filter max_bytes is negative", ErrInvalidFunction)
	}
	for _, expr := range s.Deny {
		re, err := regexp.Compile(expr)
		if err != nil {
			return nil, fmt.Errorf("%w: content_filter deny %q: %w", ErrInvalidFunction, expr, err)
		}
		f.deny = append(f.deny, re)
	}
	return f, nil
}

func (f *contentFilter) call(_ context.Context, in *channels.TriggerInput) result {
	p := in.Payload
	if p == nil && in.Event == channels.TriggerMessage {
		// A binary message: its bytes are not visible to triggers, so a filter with content
		// rules refuses it rather than letting it bypass them.
		if len(f.deny) > 0 || len(f.requiredKeys) > 0 {
			return deny("binary messages are not allowed in this channel")
		}
		return allow
	}
	if f.maxBytes > 0 && len(p) > f.maxBytes {
		return deny(fmt.Sprintf("message too large (max %d bytes)", f.maxBytes))
	}
	if len(f.deny) == 0 && len(f.requiredKeys) == 0 {
		return allow
	}
	var doc any
	if len(p) > 0 {
		if err := json.Unmarshal(p, &doc); err != nil {
			doc = string(p) // not JSON: filter the raw text
		}
	}
	if len(f.requiredKeys) > 0 {
		obj, _ := doc.(map[string]any)
		for _, k := range f.requiredKeys {
			if _, ok := obj[k]; !ok {
				return deny(fmt.Sprintf("message must have the key %q", k))
			}
		}
	}
	if len(f.deny) > 0 && f.matchesAny(doc) {
		return deny("message blocked by content filter")
	}
	return allow
}

// matchesAny walks doc iteratively (no recursion depth to exploit) and tests every string.
func (f *contentFilter) matchesAny(doc any) bool {
	stack := []any{doc}
	for len(stack) > 0 {
		v := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		switch x := v.(type) {
		case string:
			for _, re := range f.deny {
				if re.MatchString(x) {
					return true
				}
			}
		case map[string]any:
			for k, e := range x {
				stack = append(stack, k, e)
			}
		case []any:
			stack = append(stack, x...)
		}
	}
	return false
}
