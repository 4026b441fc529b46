package triggers

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/phxserver/phxserver/channels"
)

// claimMatch admits a member only when the channel's {segment} capture equals, or is in, a
// token claim (team membership checks).
type claimMatch struct {
	segment string
	claim   string
}

func newClaimMatch(s FunctionSpec) (*claimMatch, error) {
	if s.Segment == "" || s.Claim == "" {
		return nil, fmt.Errorf("%w: claim_match needs segment and claim", ErrInvalidFunction)
	}
	return &claimMatch{segment: s.Segment, claim: s.Claim}, nil
}

func (c *claimMatch) call(_ context.Context, in *channels.TriggerInput) result {
	want, ok := in.Captures[c.segment]
	if !ok {
		return deny(fmt.Sprintf("channel has no %s segment", c.segment))
	}
	if in.Client.Authenticated && claimContains(in.Client.Claims[c.claim], want) {
		return allow
	}
	return deny(fmt.Sprintf("not a member of %s %s", c.segment, want))
}

// claimContains compares as strings: the claim 42 (a number) matches the capture "42"; an
// array matches when one element does. Objects, null and nested arrays never match.
func claimContains(claim any, want string) bool {
	switch v := claim.(type) {
	case []any:
		for _, e := range v {
			if s, ok := scalarText(e); ok && s == want {
				return true
			}
		}
		return false
	case []string:
		for _, s := range v {
			if s == want {
				return true
			}
		}
		return false
	default:
		s, ok := scalarText(v)
		return ok && s == want
	}
}

func scalarText(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case int:
		return strconv.Itoa(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case bool:
		return strconv.FormatBool(x), true
	default:
		return "", false
	}
}
