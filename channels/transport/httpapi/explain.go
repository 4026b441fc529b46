package httpapi

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/phxserver/phxserver/channels/permissions"
)

// explainAnswer is the answer of GET /api/explain.
type explainAnswer struct {
	Allowed     bool            `json:"allowed"`
	Reason      string          `json:"reason"`
	Explain     string          `json:"explain"`
	Set         *explainSet     `json:"set"`
	Permissions []string        `json:"permissions"`
	Identity    explainIdentity `json:"identity"`
}

// explainSet describes the permission set that decided.
type explainSet struct {
	Pattern     string `json:"pattern"`
	Origin      string `json:"origin"`
	Description string `json:"description"`
}

// explainIdentity is who the decision was made for.
type explainIdentity struct {
	Authenticated bool   `json:"authenticated"`
	UserID        string `json:"user_id"`
	Role          string `json:"role"`
}

// explainQuery is the parsed query of GET /api/explain.
type explainQuery struct {
	channel  string
	action   string
	audience permissions.Audience
	target   *permissions.Subject
	token    string
	anon     bool
}

var audiences = map[string]permissions.Audience{
	"public": permissions.AudiencePublic, "authenticated": permissions.AudienceAuthenticated, "private": permissions.AudiencePrivate,
}

// parseExplainQuery validates the query parameters.
func parseExplainQuery(q url.Values) (explainQuery, error) {
	eq := explainQuery{channel: q.Get("channel"), action: q.Get("action"), token: q.Get("token")}
	if eq.channel == "" {
		return eq, fmt.Errorf("%w: channel is required", ErrBadRequest)
	}
	switch eq.action {
	case "join", "send", "receive":
	case "":
		return eq, fmt.Errorf("%w: action is required: join, send or receive", ErrBadRequest)
	default:
		return eq, fmt.Errorf("%w: action must be join, send or receive", ErrBadRequest)
	}
	if a := q.Get("audience"); a != "" {
		aud, ok := audiences[a]
		if !ok {
			return eq, fmt.Errorf("%w: audience must be public, authenticated or private", ErrBadRequest)
		}
		eq.audience = aud
	}
	switch q.Get("target") {
	case "", "anonymous":
		eq.target = &permissions.Subject{}
	case "authenticated":
		eq.target = &permissions.Subject{Authenticated: true}
	default:
		return eq, fmt.Errorf("%w: target must be anonymous or authenticated", ErrBadRequest)
	}
	switch anon := q.Get("anonymous"); anon {
	case "true":
		eq.anon = true
	case "", "false":
	default:
		return eq, fmt.Errorf("%w: anonymous must be true or false", ErrBadRequest)
	}
	if eq.anon == (eq.token != "") {
		return eq, fmt.Errorf("%w: give exactly one of token=<jwt> or anonymous=true", ErrBadRequest)
	}
	return eq, nil
}

// explain answers whether a subject (a token's, or anonymous) may join, send to or receive
// in a channel, and which rule decided.
func (h *Handler) explain(w http.ResponseWriter, r *http.Request) {
	eq, err := parseExplainQuery(r.URL.Query())
	if err != nil {
		writeRequestError(w, err)
		return
	}
	var ans explainAnswer
	sub := permissions.Subject{}
	if !eq.anon {
		if h.auth == nil {
			writeError(w, http.StatusNotImplemented, "token verification is not available")
			return
		}
		id, err := h.auth.Authenticate(r.Context(), eq.token)
		if err != nil {
			writeError(w, http.StatusBadRequest, "token: "+err.Error())
			return
		}
		sub = permissions.Subject{Authenticated: id.Authenticated, Role: id.Role, AuthorizedChannels: id.AuthorizedChannels}
		ans.Identity = explainIdentity{Authenticated: id.Authenticated, UserID: id.UserID, Role: id.Role}
	}
	_, perms, join := h.node.Policy().Join(sub, eq.channel)
	d := join
	switch {
	case eq.action == "join":
	case !join.Allowed:
		d.Explain = "the subject cannot join, so it cannot " + eq.action + ": " + join.Explain
	case eq.action == "send":
		var target *permissions.Subject
		if eq.audience == permissions.AudiencePrivate {
			target = eq.target
		}
		d = permissions.Send(perms, sub, eq.audience, target)
	default:
		d = receiveDecision(perms, sub, eq.audience)
	}
	ans.Allowed, ans.Reason, ans.Explain = d.Allowed, d.Reason, d.Explain
	if join.Set != nil {
		ans.Set = &explainSet{Pattern: join.Set.Pattern, Origin: join.Set.Origin, Description: join.Set.Description}
	}
	ans.Permissions = perms.Names()
	writeJSON(w, http.StatusOK, ans)
}

// receiveDecision explains permissions.Receives for a member.
func receiveDecision(p permissions.Perm, sub permissions.Subject, aud permissions.Audience) permissions.Decision {
	if permissions.Receives(p, sub, aud) {
		return permissions.Decision{Allowed: true, Explain: fmt.Sprintf("members receive %s messages; subject is a member", aud)}
	}
	switch aud {
	case permissions.AudienceAuthenticated:
		return permissions.Decision{Reason: "anonymous members do not receive authenticated messages",
			Explain: "authenticated-audience messages reach authenticated members only; subject is anonymous"}
	case permissions.AudiencePrivate:
		return permissions.Decision{Reason: "private messages reach only their target",
			Explain: "a private message reaches only the member it addresses; ask action=send to see whether one may be sent"}
	}
	return permissions.Decision{Reason: "not a member", Explain: "the subject is not a member that receives messages"}
}
