package permissions

import (
	"fmt"
	"strings"
)

// permNames are the canonical names in the order of the §3 table (which is also bit order).
var permNames = [...]struct {
	perm Perm
	name string
}{
	{AnonymousClients, "anonymous_clients"},
	{Presence, "presence"},
	{ClientPublicMessaging, "client_public_messaging"},
	{AuthenticatedOnlyPublicMessaging, "authenticated_only_public_messaging"},
	{ClientAuthenticatedMessaging, "client_authenticated_messaging"},
	{ClientPrivateMessaging, "client_private_messaging"},
	{AuthenticatedOnlyPrivateMessaging, "authenticated_only_private_messaging"},
}

// permAliases are the Xano Metadata API field names accepted on import (and in YAML).
var permAliases = map[string]Perm{
	"client_public_messaging_authenticated_only":  AuthenticatedOnlyPublicMessaging,
	"client_private_messaging_authenticated_only": AuthenticatedOnlyPrivateMessaging,
}

// AllPerms is the union of the seven permissions.
const AllPerms = AnonymousClients | Presence | ClientPublicMessaging | AuthenticatedOnlyPublicMessaging |
	ClientAuthenticatedMessaging | ClientPrivateMessaging | AuthenticatedOnlyPrivateMessaging

// ParsePerm returns the permission with a canonical name or a Xano alias. Names are exact
// (lower case, no surrounding spaces).
func ParsePerm(name string) (Perm, error) {
	for _, pn := range permNames {
		if pn.name == name {
			return pn.perm, nil
		}
	}
	if p, ok := permAliases[name]; ok {
		return p, nil
	}
	return 0, fmt.Errorf("%w %q", ErrUnknownPermission, name)
}

// parsePerms folds a list of names into a set; duplicates are harmless.
func parsePerms(names []string) (Perm, error) {
	var all Perm
	for _, n := range names {
		p, err := ParsePerm(n)
		if err != nil {
			return 0, err
		}
		all |= p
	}
	return all, nil
}

// Has reports whether p grants every permission in q.
func (p Perm) Has(q Perm) bool { return p&q == q }

// Names returns the canonical names of the permissions in p, in §3 table order. Unknown bits
// are left out.
func (p Perm) Names() []string {
	names := make([]string, 0, len(permNames))
	for _, pn := range permNames {
		if p.Has(pn.perm) {
			names = append(names, pn.name)
		}
	}
	return names
}

// String returns the canonical names joined by commas, "none" for the empty set, and
// unknown bits in hex so that nothing is silently hidden.
func (p Perm) String() string {
	if p == 0 {
		return "none"
	}
	s := strings.Join(p.Names(), ",")
	if extra := p &^ AllPerms; extra != 0 {
		if s != "" {
			s += ","
		}
		s += fmt.Sprintf("unknown(%#x)", uint16(extra))
	}
	return s
}
