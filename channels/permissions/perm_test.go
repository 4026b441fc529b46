package permissions

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParsePerm(t *testing.T) {
	cases := []struct {
		name string
		want Perm
		err  bool
	}{
		{"anonymous_clients", AnonymousClients, false},
		{"presence", Presence, false},
		{"client_public_messaging", ClientPublicMessaging, false},
		{"authenticated_only_public_messaging", AuthenticatedOnlyPublicMessaging, false},
		{"client_authenticated_messaging", ClientAuthenticatedMessaging, false},
		{"client_private_messaging", ClientPrivateMessaging, false},
		{"authenticated_only_private_messaging", AuthenticatedOnlyPrivateMessaging, false},
		{"client_public_messaging_authenticated_only", AuthenticatedOnlyPublicMessaging, false},
		{"client_private_messaging_authenticated_only", AuthenticatedOnlyPrivateMessaging, false},
		{"Presence", 0, true},
		{" presence", 0, true},
		{"", 0, true},
		{"admin", 0, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParsePerm(tc.name)
			if tc.err {
				if !errors.Is(err, ErrUnknownPermission) || got != 0 {
					t.Fatalf("ParsePerm(%q) = %v, %v; want ErrUnknownPermission", tc.name, got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParsePerm(%q) = %v, %v; want %v", tc.name, got, err, tc.want)
			}
		})
	}
}

func TestPermNamesAndString(t *testing.T) {
	cases := []struct {
		name  string
		perm  Perm
		names []string
		str   string
	}{
		{"none", 0, []string{}, "none"},
		{"one", Presence, []string{"presence"}, "presence"},
		{"table order not insertion order", AuthenticatedOnlyPrivateMessaging | Presence | AnonymousClients,
			[]string{"anonymous_clients", "presence", "authenticated_only_private_messaging"},
			"anonymous_clients,presence,authenticated_only_private_messaging"},
		{"all", AllPerms, []string{"anonymous_clients", "presence", "client_public_messaging",
			"authenticated_only_public_messaging", "client_authenticated_messaging", "client_private_messaging",
			"authenticated_only_private_messaging"},
			"anonymous_clients,presence,client_public_messaging,authenticated_only_public_messaging,client_authenticated_messaging,client_private_messaging,authenticated_only_private_messaging"},
		{"unknown bits shown", Presence | 1<<9, []string{"presence"}, "presence,unknown(0x200)"},
		{"only unknown bits", 1 << 12, []string{}, "unknown(0x1000)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.names, tc.perm.Names()); diff != "" {
				t.Errorf("Names (-want +got):\n%s", diff)
			}
			if got := tc.perm.String(); got != tc.str {
				t.Errorf("String = %q, want %q", got, tc.str)
			}
		})
	}
}

func TestPermHas(t *testing.T) {
	p := AnonymousClients | Presence
	for _, tc := range []struct {
		name string
		q    Perm
		want bool
	}{
		{"single held", Presence, true},
		{"both held", AnonymousClients | Presence, true},
		{"one missing", Presence | ClientPublicMessaging, false},
		{"not held", ClientPrivateMessaging, false},
		{"empty", 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := p.Has(tc.q); got != tc.want {
				t.Errorf("Has(%v) = %v, want %v", tc.q, got, tc.want)
			}
		})
	}
}
