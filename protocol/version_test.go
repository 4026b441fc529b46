package protocol

import (
	"errors"
	"testing"
)

func TestNegotiate(t *testing.T) {
	tests := []struct {
		vsn  string
		want Version // 0: ErrUnsupportedVersion
	}{
		{"", V1},
		{"1.0.0", V1},
		{"1.0.9", V1},
		{"1.1.3", 0}, // Phoenix: "~> 1.0.0"
		{"2.0.0", V2},
		{"2.0.1", V2},
		{"2.0.17", V2},
		{"2.1.0", 0},          // Phoenix: "~> 2.0.0"
		{"2.0.0-rc.1", 0},     // a pre-release of 2.0.0 precedes it
		{"2.0.1-rc.1", V2},    // ... but 2.0.1-rc.1 is within ~> 2.0.0
		{"2.0.0+build.7", V2}, // build metadata is ignored
		{"2.0.0-alpha-1+sha.5114f85", 0},
		{"123.1.1", 0},
		{"2", 0},
		{"2.0", 0},
		{"abc", 0},
		{"3.0.0", 0},
		{"0.9.0", 0},
		{"v2.0.0", 0},
		{"02.0.0", 0},
		{"2.00.0", 0},
		{"2.0.0.0", 0},
		{"2.0.x", 0},
		{"2..0", 0},
		{" 2.0.0", 0},
		{"2.0.0-", 0},
		{"2.0.0-01", 0},
		{"2.0.0-rc..1", 0},
		{"2.0.0+", 0},
		{"2.0.0+b_1", 0},
		{"-2.0.0", 0},
	}
	for _, tc := range tests {
		t.Run("vsn="+tc.vsn, func(t *testing.T) {
			s, err := Negotiate(tc.vsn)
			if tc.want == 0 {
				if !errors.Is(err, ErrUnsupportedVersion) {
					t.Fatalf("Negotiate(%q) = %v, %v; want ErrUnsupportedVersion", tc.vsn, s, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Negotiate(%q): %v", tc.vsn, err)
			}
			if s.Version() != tc.want {
				t.Errorf("Negotiate(%q).Version() = %v, want %v", tc.vsn, s.Version(), tc.want)
			}
		})
	}
}

func TestNegotiateReturnsTheSingletons(t *testing.T) {
	if s, _ := Negotiate("1.0.0"); s != V1JSON {
		t.Errorf("Negotiate(1.0.0) is not V1JSON")
	}
	if s, _ := Negotiate("2.0.0"); s != V2JSON {
		t.Errorf("Negotiate(2.0.0) is not V2JSON")
	}
}

func TestVersionString(t *testing.T) {
	for v, want := range map[Version]string{V1: "v1", V2: "v2", 0: "v?", 9: "v?"} {
		if got := v.String(); got != want {
			t.Errorf("Version(%d).String() = %q, want %q", v, got, want)
		}
	}
}
