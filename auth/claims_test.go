package auth

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"
	"github.com/phxserver/phxserver/channels"
)

func TestIdentityFromClaims(t *testing.T) {
	exp := time.Now().Add(time.Hour).Truncate(time.Second)
	tests := []struct {
		name    string
		names   ClaimNames
		payload string // raw JSON claims, to control number formatting exactly
		want    channels.Identity
	}{
		{
			name:    "string sub, no extras",
			payload: `{"sub":"u-1"}`,
			want:    channels.Identity{UserID: "u-1", XanoRowID: "u-1"},
		},
		{
			name:    "numeric sub becomes decimal text, row id an int64",
			payload: `{"sub":123}`,
			want:    channels.Identity{UserID: "123", XanoRowID: int64(123)},
		},
		{
			name:    "numeric sub beyond int64 keeps its digits",
			payload: `{"sub":123456789012345678901234567890}`,
			want:    channels.Identity{UserID: "123456789012345678901234567890", XanoRowID: "123456789012345678901234567890"},
		},
		{
			name:    "exponent sub written out",
			payload: `{"sub":1e3}`,
			want:    channels.Identity{UserID: "1000", XanoRowID: int64(1000)},
		},
		{
			name:    "role, shared subset, dbo_id int, channels, exp",
			names:   ClaimNames{Presence: []string{"name", "avatar", "missing"}},
			payload: `{"sub":"7","role":"agent","name":"Ada","avatar":"a.png","email":"ada@example.com","dbo_id":12,"authorized_channels":["team/1/*","support/session/9"],"exp":` + itoa(exp.Unix()) + `}`,
			want: channels.Identity{
				UserID: "7", Role: "agent",
				Shared:             map[string]any{"name": "Ada", "avatar": "a.png"},
				AuthorizedChannels: []string{"team/1/*", "support/session/9"},
				XanoDboID:          int64(12), XanoRowID: int64(7),
				ExpiresAt: exp,
			},
		},
		{
			name:    "dbo_id string stays a string, non-string role ignored",
			payload: `{"sub":"7","role":5,"dbo_id":"dbo-12"}`,
			want:    channels.Identity{UserID: "7", XanoDboID: "dbo-12", XanoRowID: int64(7)},
		},
		{
			name:    "dbo_id float with integer value, row id a fraction",
			names:   ClaimNames{XanoRowID: "row"},
			payload: `{"sub":"7","dbo_id":12.0,"row":1.5}`,
			want:    channels.Identity{UserID: "7", XanoDboID: int64(12), XanoRowID: "1.5"},
		},
		{
			name:    "dbo_id of other types is nil",
			payload: `{"sub":"7","dbo_id":true}`,
			want:    channels.Identity{UserID: "7", XanoRowID: int64(7)},
		},
		{
			name:    "empty channels list restricts to nothing",
			payload: `{"sub":"7","authorized_channels":[]}`,
			want:    channels.Identity{UserID: "7", XanoRowID: int64(7), AuthorizedChannels: []string{}},
		},
		{
			name:    "null channels means no restriction",
			payload: `{"sub":"7","authorized_channels":null}`,
			want:    channels.Identity{UserID: "7", XanoRowID: int64(7)},
		},
		{
			name:    "custom claim names",
			names:   ClaimNames{UserID: "uid", Role: "r", Channels: "chans", Presence: []string{"nick"}, XanoDboID: "table", XanoRowID: "uid"},
			payload: `{"sub":"ignored","uid":99,"r":"admin","chans":["a"],"nick":"n","table":3}`,
			want: channels.Identity{
				UserID: "99", Role: "admin", Shared: map[string]any{"nick": "n"},
				AuthorizedChannels: []string{"a"}, XanoDboID: int64(3), XanoRowID: int64(99),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, _ := newTestVerifier(t, Config{Algorithms: []string{"HS256"}, Secret: testSecret, Claims: tt.names})
			token := hs256WithKey(`{"alg":"HS256","typ":"JWT"}`, tt.payload, []byte(testSecret))

			id, err := v.Authenticate(context.Background(), token)
			if err != nil {
				t.Fatalf("Authenticate: %v", err)
			}
			want := tt.want
			want.Authenticated = true
			if want.Shared == nil {
				want.Shared = map[string]any{}
			}
			if want.ExpiresAt.IsZero() != id.ExpiresAt.IsZero() || !want.ExpiresAt.Equal(id.ExpiresAt) {
				t.Errorf("ExpiresAt = %v, want %v", id.ExpiresAt, want.ExpiresAt)
			}
			want.ExpiresAt, id.ExpiresAt = time.Time{}, time.Time{}
			var decoded map[string]any
			dec := json.NewDecoder(stringsReader(tt.payload))
			dec.UseNumber()
			if err := dec.Decode(&decoded); err != nil {
				t.Fatal(err)
			}
			want.Claims = decoded
			if diff := cmp.Diff(want, id); diff != "" {
				t.Errorf("identity mismatch (-want +got):\n%s", diff)
			}
			if id.Shared == nil {
				t.Error("Shared is nil for an authenticated identity")
			}
		})
	}
}

func TestClaimNamesApplyDefaults(t *testing.T) {
	tests := []struct {
		name string
		in   ClaimNames
		want ClaimNames
	}{
		{"all empty", ClaimNames{}, ClaimNames{
			UserID: "sub", Role: "role", Channels: "authorized_channels", TokenType: "token_type",
			Presence: []string{"name"}, XanoDboID: "dbo_id", XanoRowID: "sub",
		}},
		{"set names kept, empty presence list kept", ClaimNames{UserID: "uid", Presence: []string{}}, ClaimNames{
			UserID: "uid", Role: "role", Channels: "authorized_channels", TokenType: "token_type",
			Presence: []string{}, XanoDboID: "dbo_id", XanoRowID: "sub",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.in
			got.ApplyDefaults()
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ApplyDefaults mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// Claims must be the decoded token payload, json.Number included, so they re-encode exactly.
func TestClaimsKeepNumbersExact(t *testing.T) {
	v, _ := newTestVerifier(t, hsConfig())
	token := sign(t, jwt.SigningMethodHS256, []byte(testSecret), claimsFor(jwt.MapClaims{"big": json.Number("9007199254740993")}), nil)
	id, err := v.Authenticate(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(id.Claims["big"])
	if err != nil || string(out) != "9007199254740993" {
		t.Errorf("big claim re-encodes as %s (%v)", out, err)
	}
}
