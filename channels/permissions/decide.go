package permissions

import "fmt"

// Client-facing reasons for a denied join or send. They are stable strings: clients and tests
// may compare them.
const (
	ReasonInvalidChannelName      = "invalid channel name"
	ReasonUnmatchedTopic          = "unmatched topic" // Phoenix's own reason
	ReasonAnonymousJoin           = "anonymous clients cannot join this channel"
	ReasonNotAuthorizedByToken    = "channel not authorized by token"
	ReasonAnonymousSend           = "anonymous clients cannot send messages"
	ReasonPublicNotAllowed        = "public messages are not allowed in this channel"
	ReasonAuthenticatedNotAllowed = "authenticated messages are not allowed in this channel"
	ReasonAnonymousAuthenticated  = "anonymous clients cannot send authenticated messages"
	ReasonPrivateNotAllowed       = "private messages are not allowed in this channel"
	ReasonAnonymousPrivate        = "anonymous clients cannot send private messages"
	ReasonPrivateTargetAnonymous  = "private messages may only target authenticated members"
	ReasonUnknownAudience         = "unknown message audience"
)

// Decision is the answer to "may this subject do this here".
type Decision struct {
	Allowed bool
	// Reason is safe to show the client; empty when allowed.
	Reason string
	// Explain says, for operators (/api/explain, logs), which rule decided and why.
	Explain string
	// Set is the set that decided; nil when no set matched (and always nil from Send, which
	// knows only the effective permissions).
	Set *Set
}

func allow(explain string) Decision { return Decision{Allowed: true, Explain: explain} }

func deny(reason, explain string) Decision { return Decision{Reason: reason, Explain: explain} }

// Join decides whether sub may join channel: the name must be valid, an active set must match
// ("unmatched topic" otherwise), an anonymous subject needs anonymous_clients, and a token's
// authorized_channels must include the channel. It returns the match (also on a denial after
// matching, for explanations), the effective permissions for sub (role applied; 0 when denied)
// and the decision.
func (t *Table) Join(sub Subject, channel string) (Match, Perm, Decision) {
	if problem := channelNameProblem(channel); problem != "" {
		return Match{}, 0, deny(ReasonInvalidChannelName, "channel name is invalid: "+problem)
	}
	m, ok := t.Match(channel)
	if !ok {
		return Match{}, 0, deny(ReasonUnmatchedTopic, fmt.Sprintf("no active permission set matches %q", channel))
	}
	perms := m.Set.PermsFor(sub)
	if !sub.Authenticated && !perms.Has(AnonymousClients) {
		d := deny(ReasonAnonymousJoin, fmt.Sprintf("%s does not grant anonymous_clients; subject is anonymous", m.Set.where()))
		d.Set = m.Set
		return m, 0, d
	}
	if sub.AuthorizedChannels != nil && !authorizedChannel(sub.AuthorizedChannels, channel) {
		d := deny(ReasonNotAuthorizedByToken, fmt.Sprintf("%s matches, but the token's authorized_channels %q do not include %q",
			m.Set.where(), sub.AuthorizedChannels, channel))
		d.Set = m.Set
		return m, 0, d
	}
	d := allow(fmt.Sprintf("%s is the most specific active match; %s gets %s", m.Set.where(), describeSubject(sub, m.Set), perms))
	d.Set = m.Set
	return m, perms, d
}

// authorizedChannel reports whether channel matches one of the token's patterns. A pattern
// that does not compile matches nothing (fail closed).
func authorizedChannel(patterns []string, channel string) bool {
	for _, src := range patterns {
		if pat, problem := compilePattern(src); problem == "" && pat.matches(channel, nil) {
			return true
		}
	}
	return false
}

// describeSubject says who sub is and whether a role override applied.
func describeSubject(sub Subject, s *Set) string {
	switch {
	case !sub.Authenticated:
		return "anonymous subject"
	case sub.Role == "":
		return "authenticated subject"
	}
	if _, ok := s.Roles[sub.Role]; ok {
		return fmt.Sprintf("authenticated subject with role %q (role override)", sub.Role)
	}
	return fmt.Sprintf("authenticated subject with role %q (no override, set permissions)", sub.Role)
}

// Send decides whether a member with effective permissions p may send a message with audience
// aud. target is the private target's subject, resolved by the core (nil when aud is not
// AudiencePrivate); a nil target is treated as anonymous (fail closed). Send never allocates.
func Send(p Perm, sub Subject, aud Audience, target *Subject) Decision {
	if !sub.Authenticated && !p.Has(AnonymousClients) {
		// Defence in depth: such a subject cannot have joined.
		return deny(ReasonAnonymousSend, "anonymous_clients is not granted; an anonymous subject cannot be a member")
	}
	switch aud {
	case AudiencePublic:
		switch {
		case p.Has(ClientPublicMessaging):
			return allow("client_public_messaging lets any member send public messages")
		case !p.Has(AuthenticatedOnlyPublicMessaging):
			return deny(ReasonPublicNotAllowed, "neither client_public_messaging nor authenticated_only_public_messaging is granted")
		case !sub.Authenticated:
			return deny(ReasonAnonymousSend, "authenticated_only_public_messaging requires an authenticated sender; sender is anonymous")
		}
		return allow("authenticated_only_public_messaging lets authenticated members send public messages")
	case AudienceAuthenticated:
		switch {
		case !p.Has(ClientAuthenticatedMessaging):
			return deny(ReasonAuthenticatedNotAllowed, "client_authenticated_messaging is not granted")
		case !sub.Authenticated:
			return deny(ReasonAnonymousAuthenticated, "client_authenticated_messaging requires an authenticated sender; sender is anonymous")
		}
		return allow("client_authenticated_messaging lets authenticated members message authenticated members")
	case AudiencePrivate:
		switch {
		case p.Has(ClientPrivateMessaging):
			return allow("client_private_messaging lets any member message any other member privately")
		case !p.Has(AuthenticatedOnlyPrivateMessaging):
			return deny(ReasonPrivateNotAllowed, "neither client_private_messaging nor authenticated_only_private_messaging is granted")
		case !sub.Authenticated:
			return deny(ReasonAnonymousPrivate, "authenticated_only_private_messaging requires an authenticated sender; sender is anonymous")
		case target == nil || !target.Authenticated:
			return deny(ReasonPrivateTargetAnonymous, "authenticated_only_private_messaging requires an authenticated target; target is anonymous")
		}
		return allow("authenticated_only_private_messaging lets authenticated members message authenticated members privately")
	}
	return deny(ReasonUnknownAudience, "the audience is not public, authenticated or private")
}

// DefaultAudience is the audience of a message that names none (§4): public, except that an
// authenticated member of a set granting client_authenticated_messaging and neither public
// permission gets the authenticated audience.
func DefaultAudience(p Perm, sub Subject) Audience {
	if sub.Authenticated && p.Has(ClientAuthenticatedMessaging) &&
		p&(ClientPublicMessaging|AuthenticatedOnlyPublicMessaging) == 0 {
		return AudienceAuthenticated
	}
	return AudiencePublic
}

// Receives reports whether a member with effective permissions p receives a message of
// audience aud that is not addressed privately to it: every member receives public messages,
// only authenticated members receive the authenticated audience, and private messages reach
// only their target (the core's job). An anonymous subject without anonymous_clients is not a
// member and receives nothing.
func Receives(p Perm, sub Subject, aud Audience) bool {
	if !sub.Authenticated && !p.Has(AnonymousClients) {
		return false
	}
	switch aud {
	case AudiencePublic:
		return true
	case AudienceAuthenticated:
		return sub.Authenticated
	}
	return false
}

// ReceivesPresence reports whether the effective permissions grant presence (presence_state
// and presence_diff, being tracked).
func ReceivesPresence(p Perm) bool { return p.Has(Presence) }

// String returns "public", "authenticated" or "private".
func (a Audience) String() string {
	switch a {
	case AudiencePublic:
		return "public"
	case AudienceAuthenticated:
		return "authenticated"
	case AudiencePrivate:
		return "private"
	}
	return fmt.Sprintf("Audience(%d)", uint8(a))
}
