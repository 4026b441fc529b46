package permissions

import (
	"fmt"
	"strings"
)

// Set is one compiled, immutable permission set. The exported fields describe it for
// explanations and `phxserver check`; callers must not modify them.
type Set struct {
	Pattern     string
	Description string
	Origin      string
	Active      bool
	// Perms applies to anonymous members and to authenticated members without a role override.
	Perms Perm
	// Roles replaces Perms for authenticated members whose role claim is a key.
	Roles    map[string]Perm
	History  int
	Triggers []TriggerSpec

	pattern Pattern
	index   int // position in the file; breaks specificity ties
}

// PermsFor returns the permissions that apply to sub: the role's when sub is authenticated
// and its role has an override, else Perms.
func (s *Set) PermsFor(sub Subject) Perm {
	if s == nil {
		return 0
	}
	if sub.Authenticated && sub.Role != "" {
		if p, ok := s.Roles[sub.Role]; ok {
			return p
		}
	}
	return s.Perms
}

// outranks reports whether s wins over o when both match: more literal segments, then earlier.
func (s *Set) outranks(o *Set) bool {
	if s.pattern.literals != o.pattern.literals {
		return s.pattern.literals > o.pattern.literals
	}
	return s.index < o.index
}

// where names the set for explanations: `set "chatroom/*" (phxserver.yaml:12)`.
func (s *Set) where() string {
	if s.Origin == "" {
		return fmt.Sprintf("set %q", s.Pattern)
	}
	return fmt.Sprintf("set %q (%s)", s.Pattern, s.Origin)
}

// validTriggerEvents are the trigger events of config.md.
var validTriggerEvents = map[string]bool{"join": true, "message": true, "leave": true, "*": true}

// compileSet validates one spec; index is its position in the file.
func compileSet(spec SetSpec, index int) (*Set, error) {
	fail := func(kind error, format string, args ...any) (*Set, error) {
		return nil, &SetError{Origin: spec.Origin, Pattern: spec.Pattern, Detail: fmt.Sprintf(format, args...), Kind: kind}
	}
	pat, problem := compilePattern(spec.Pattern)
	if problem != "" {
		return fail(ErrInvalidPattern, "invalid pattern: %s", problem)
	}
	perms, err := parsePerms(spec.Permissions)
	if err != nil {
		return fail(ErrUnknownPermission, "%s", unknownPermDetail(err))
	}
	var roles map[string]Perm
	if len(spec.Roles) > 0 {
		roles = make(map[string]Perm, len(spec.Roles))
		for role, names := range spec.Roles {
			if role == "" {
				return fail(ErrInvalidSet, "empty role name")
			}
			rp, err := parsePerms(names)
			if err != nil {
				return fail(ErrUnknownPermission, "role %q: %s", role, unknownPermDetail(err))
			}
			roles[role] = rp
		}
	}
	if spec.History < 0 {
		return fail(ErrInvalidSet, "history %d is negative", spec.History)
	}
	triggers := make([]TriggerSpec, 0, len(spec.Triggers))
	for i, tr := range spec.Triggers {
		if !validTriggerEvents[tr.Event] {
			return fail(ErrInvalidSet, "trigger %d: event %q is not join, message, leave or *", i, tr.Event)
		}
		if tr.Function == "" {
			return fail(ErrInvalidSet, "trigger %d: no function", i)
		}
		triggers = append(triggers, tr)
	}
	return &Set{
		Pattern:     spec.Pattern,
		Description: spec.Description,
		Origin:      spec.Origin,
		Active:      spec.Active,
		Perms:       perms,
		Roles:       roles,
		History:     spec.History,
		Triggers:    triggers,
		pattern:     pat,
		index:       index,
	}, nil
}

// unknownPermDetail turns ParsePerm's error into `unknown permission "x" (one of ...)`.
func unknownPermDetail(err error) string {
	return fmt.Sprintf("%s (valid: %s; Xano aliases: client_public_messaging_authenticated_only, client_private_messaging_authenticated_only)",
		trimPrefix(err.Error()), strings.Join(AllPerms.Names(), ", "))
}

// trimPrefix drops the package prefix from a sentinel-wrapped message already inside a SetError.
func trimPrefix(s string) string { return strings.TrimPrefix(s, "permissions: ") }
