package web

import (
	"crypto/subtle"
	"sync/atomic"
)

// DashboardAccess decides who may watch the dashboard: anyone in demo mode, otherwise holders
// of one of the API keys. Set replaces the rules on a configuration reload.
type DashboardAccess struct {
	rules atomic.Pointer[accessRules]
}

type accessRules struct {
	demo bool
	keys [][]byte
}

// NewDashboardAccess returns the rules for demo mode and the configured API keys.
func NewDashboardAccess(demo bool, apiKeys []string) *DashboardAccess {
	a := &DashboardAccess{}
	a.Set(demo, apiKeys)
	return a
}

// Set installs new rules; empty keys are ignored.
func (a *DashboardAccess) Set(demo bool, apiKeys []string) {
	r := &accessRules{demo: demo}
	for _, k := range apiKeys {
		if k != "" {
			r.keys = append(r.keys, []byte(k))
		}
	}
	a.rules.Store(r)
}

// Allowed reports whether a viewer presenting apiKey (possibly "") may watch.
func (a *DashboardAccess) Allowed(apiKey string) bool {
	r := a.rules.Load()
	if r.demo {
		return true
	}
	if apiKey == "" {
		return false
	}
	// Compare with every key in constant time so timing reveals nothing about which matched.
	ok := 0
	for _, k := range r.keys {
		ok |= subtle.ConstantTimeCompare(k, []byte(apiKey))
	}
	return ok == 1
}
