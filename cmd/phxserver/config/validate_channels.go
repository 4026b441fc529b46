package config

import (
	"fmt"
	"slices"
	"strings"

	"github.com/phxserver/phxserver/channels/permissions"
)

var triggerEvents = []string{"join", "message", "leave", "*"}

// channels validates every entry, imports the Xano sources and builds c.specs in file order.
func (v *validator) channels(c *Config) {
	for i := range c.Channels {
		ch := &c.Channels[i]
		k := index("channels", i)
		if _, written := v.lines[key(k, "source")]; written && ch.Source == "" {
			v.addf(key(k, "source"), "must name a Xano export file")
			continue
		}
		if ch.Source != "" {
			v.source(c, k, ch)
			continue
		}
		if ch.Pattern == "" {
			v.addf(k, "needs a pattern (or a source)")
			continue
		}
		spec := v.permissionSet(k, ch, c.Functions)
		v.origins[spec.Origin] = key(k, "pattern")
		c.specs = append(c.specs, spec)
	}
}

// permissionSet checks one `pattern:` entry and converts it to a SetSpec.
func (v *validator) permissionSet(k string, ch *Channel, fns map[string]Function) permissions.SetSpec {
	if _, err := permissions.CompilePattern(ch.Pattern); err != nil {
		v.addPermissionsError(key(k, "pattern"), err, "")
	}
	v.permissionNames(key(k, "permissions"), ch.Permissions)
	for role, perms := range ch.Roles {
		if role == "" {
			v.addf(key(k, "roles"), "role names must not be empty")
		}
		v.permissionNames(key(key(k, "roles"), role), perms)
	}
	if ch.History < 0 {
		v.addf(key(k, "history"), "must not be negative")
	}
	triggers := make([]permissions.TriggerSpec, 0, len(ch.Triggers))
	for j, t := range ch.Triggers {
		tk := index(key(k, "triggers"), j)
		if !slices.Contains(triggerEvents, t.Event) {
			v.addf(key(tk, "event"), "unknown event %q (want join, message, leave or *)", t.Event)
		}
		f, ok := fns[t.Function]
		switch {
		case t.Function == "":
			v.addf(key(tk, "function"), "must name a function")
		case !ok:
			v.add(key(tk, "function"), unknownFunctionError(t.Function, fns))
		case f.Type == FunctionClaimMatch && f.Segment != "" && !slices.Contains(patternCaptures(ch.Pattern), f.Segment):
			v.addf(key(tk, "function"), "%s compares the capture {%s}, which pattern %q does not have",
				t.Function, f.Segment, ch.Pattern)
		}
		triggers = append(triggers, permissions.TriggerSpec{Event: t.Event, Function: t.Function})
	}
	return permissions.SetSpec{
		Pattern:     ch.Pattern,
		Description: ch.Description,
		Active:      ch.IsActive(),
		Permissions: slices.Clone(ch.Permissions),
		Roles:       cloneRoles(ch.Roles),
		History:     ch.History,
		Triggers:    triggers,
		Origin:      fmt.Sprintf("%s:%d", v.file, v.lineOf(key(k, "pattern"))),
	}
}

func (v *validator) permissionNames(k string, names []string) {
	for i, name := range names {
		if _, err := permissions.ParsePerm(name); err != nil {
			v.addPermissionsError(index(k, i), err, " (valid: "+strings.Join(permissions.AllPerms.Names(), ", ")+")")
		}
	}
}

// source imports a Xano Metadata API export (channels-and-permissions.md §7): its sets take the
// entry's place in the list and its hash becomes an accepted canonical.
func (v *validator) source(c *Config, k string, ch *Channel) {
	for _, field := range []string{"pattern", "description", "active", "permissions", "roles", "history", "triggers"} {
		if _, written := v.lines[key(k, field)]; written {
			v.addf(key(k, field), "a source entry takes no other keys (the export defines its sets)")
		}
	}
	sk := key(k, "source")
	path := v.resolve(ch.Source)
	data, err := v.readFile(path)
	if err != nil {
		v.add(sk, err)
		return
	}
	specs, canonicals, err := permissions.ImportXano(data, ch.Source)
	if err != nil {
		v.addPermissionsError(sk, err, "")
		return
	}
	for _, canonical := range canonicals {
		if err := checkCanonical(canonical); err != nil {
			v.addf(sk, "hash %w", err)
			continue
		}
		c.Server.Xano.Canonicals = append(c.Server.Xano.Canonicals, canonical)
	}
	c.Server.Xano.Canonicals = dedupe(c.Server.Xano.Canonicals)
	for _, spec := range specs {
		v.origins[spec.Origin] = sk
	}
	c.specs = append(c.specs, specs...)
	ch.Source = path
}

// patternCaptures returns the names of the {name} segments of a pattern.
func patternCaptures(pattern string) []string {
	var names []string
	for _, seg := range strings.FieldsFunc(pattern, func(r rune) bool { return r == '/' || r == ':' }) {
		if len(seg) > 2 && seg[0] == '{' && seg[len(seg)-1] == '}' {
			names = append(names, seg[1:len(seg)-1])
		}
	}
	return names
}

func cloneRoles(roles map[string][]string) map[string][]string {
	if roles == nil {
		return nil
	}
	out := make(map[string][]string, len(roles))
	for role, perms := range roles {
		out[role] = slices.Clone(perms)
	}
	return out
}

// addPermissionsError records an error of the permissions package without its package prefix
// (the key already says where it is); hint is appended to the message.
func (v *validator) addPermissionsError(k string, err error, hint string) {
	v.add(k, &detailError{msg: strings.TrimPrefix(err.Error(), "permissions: ") + hint, err: err})
}
