package triggers

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/phxserver/phxserver/channels"
)

func TestClaimMatch(t *testing.T) {
	cm, err := newClaimMatch(FunctionSpec{Type: TypeClaimMatch, Segment: "team_id", Claim: "team_ids"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		authed  bool
		claim   any
		capture map[string]string
		want    bool
		reason  string
	}{
		{"number in array", true, []any{json.Number("7"), json.Number("9")}, map[string]string{"team_id": "7"}, true, ""},
		{"string in array", true, []any{"7"}, map[string]string{"team_id": "7"}, true, ""},
		{"float in array", true, []any{float64(42)}, map[string]string{"team_id": "42"}, true, ""},
		{"single number", true, json.Number("7"), map[string]string{"team_id": "7"}, true, ""},
		{"single string", true, "7", map[string]string{"team_id": "7"}, true, ""},
		{"string slice", true, []string{"1", "7"}, map[string]string{"team_id": "7"}, true, ""},
		{"not in array", true, []any{json.Number("7")}, map[string]string{"team_id": "8"}, false, "not a member of team_id 8"},
		{"prefix does not match", true, []any{"70"}, map[string]string{"team_id": "7"}, false, "not a member of team_id 7"},
		{"nested array does not match", true, []any{[]any{"7"}}, map[string]string{"team_id": "7"}, false, "not a member of team_id 7"},
		{"object does not match", true, map[string]any{"7": true}, map[string]string{"team_id": "7"}, false, "not a member of team_id 7"},
		{"missing claim", true, nil, map[string]string{"team_id": "7"}, false, "not a member of team_id 7"},
		{"anonymous", false, []any{"7"}, map[string]string{"team_id": "7"}, false, "not a member of team_id 7"},
		{"pattern without the capture", true, []any{"7"}, nil, false, "channel has no team_id segment"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := channels.TriggerInput{Event: channels.TriggerJoin, Channel: "team/x/workspace/y", Captures: tc.capture,
				Client: channels.Identity{ClientID: "c", Authenticated: tc.authed, UserID: "u"}}
			if tc.claim != nil {
				in.Client.Claims = map[string]any{"team_ids": tc.claim}
			}
			r := cm.call(context.Background(), &in)
			if r.allow != tc.want || r.reason != tc.reason {
				t.Fatalf("result = %+v, want allow=%v reason=%q", r, tc.want, tc.reason)
			}
		})
	}
}
