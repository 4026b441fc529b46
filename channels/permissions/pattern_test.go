package permissions

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPatternMatch(t *testing.T) {
	cases := []struct {
		name    string
		pattern string
		channel string
		ok      bool
		caps    map[string]string
	}{
		{"literal matches itself", "public-chat", "public-chat", true, nil},
		{"literal does not match longer", "public-chat", "public-chat/x", false, nil},
		{"literal does not match prefix", "public-chat", "public", false, nil},
		{"literal multi segment", "a/b:c", "a/b:c", true, nil},
		{"literal separator must match", "a/b", "a:b", false, nil},
		{"middle star one segment", "org/*/rooms/general", "org/acme/rooms/general", true, nil},
		{"middle star not two segments", "org/*/rooms/general", "org/acme/x/rooms/general", false, nil},
		{"middle star not empty", "org/*/rooms", "org//rooms", false, nil},
		{"capture middle", "team/{team_id}/workspace/*", "team/42/workspace/main", true, map[string]string{"team_id": "42"}},
		{"capture with trailing depth", "team/{team_id}/workspace/*", "team/7/workspace/a/b/c", true, map[string]string{"team_id": "7"}},
		{"capture needs trailing segment", "team/{team_id}/workspace/*", "team/7/workspace", false, nil},
		{"two captures", "org/{org}/user/{user}", "org/acme/user/u1", true, map[string]string{"org": "acme", "user": "u1"}},
		{"last capture exactly one segment", "user/{id}", "user/1", true, map[string]string{"id": "1"}},
		{"last capture not deeper", "user/{id}", "user/1/2", false, nil},
		{"last capture not empty", "user/{id}", "user/", false, nil},
		{"trailing star one segment", "chatroom/*", "chatroom/a", true, nil},
		{"trailing star any depth", "chatroom/*", "chatroom/a/b/c", true, nil},
		{"trailing star mixed separators below", "chatroom/*", "chatroom/a:b", true, nil},
		{"trailing star not the bare prefix", "chatroom/*", "chatroom", false, nil},
		{"trailing star not prefix with separator", "chatroom/*", "chatroom/", false, nil},
		{"trailing star not other prefix", "chatroom/*", "chatrooms/a", false, nil},
		{"trailing star rejects empty segment", "chatroom/*", "chatroom/a//b", false, nil},
		{"colon star matches colon", "room:*", "room:1", true, nil},
		{"colon star not slash", "room:*", "room/1", false, nil},
		{"slash star not colon", "room/*", "room:1", false, nil},
		{"lone star matches anything", "*", "a/b:c", true, nil},
		{"lone capture one segment", "{id}", "abc", true, map[string]string{"id": "abc"}},
		{"lone capture not two", "{id}", "a/b", false, nil},
		{"case sensitive", "Chat/*", "chat/a", false, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := CompilePattern(tc.pattern)
			if err != nil {
				t.Fatalf("CompilePattern(%q): %v", tc.pattern, err)
			}
			caps, ok := p.Match(tc.channel)
			if ok != tc.ok {
				t.Fatalf("Match(%q) ok = %v, want %v", tc.channel, ok, tc.ok)
			}
			if diff := cmp.Diff(tc.caps, caps); diff != "" {
				t.Errorf("captures (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPatternSpecificity(t *testing.T) {
	cases := []struct {
		pattern string
		want    int
	}{
		{"chatroom", 1}, {"chatroom/*", 1}, {"chatroom/vip/*", 2}, {"chatroom/{id}", 1},
		{"team/{team_id}/workspace/*", 2}, {"*", 0}, {"a/b/c:d", 4},
	}
	for _, tc := range cases {
		t.Run(tc.pattern, func(t *testing.T) {
			p, err := CompilePattern(tc.pattern)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Specificity(); got != tc.want {
				t.Errorf("Specificity() = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestCompilePatternInvalid(t *testing.T) {
	cases := []struct{ name, pattern, detail string }{
		{"empty", "", "empty"},
		{"empty middle segment", "a//b", "empty segment"},
		{"leading separator", "/a", "empty segment"},
		{"trailing separator", "a/", "empty segment"},
		{"empty capture", "a/{}", "empty capture name"},
		{"partial wildcard", "a*b", "mixes a wildcard"},
		{"partial wildcard suffix", "chatroom*", "mixes a wildcard"},
		{"double star", "a/**", "mixes a wildcard"},
		{"text around capture", "a/x{id}", "not a well-formed"},
		{"unclosed capture", "a/{id", "not a well-formed"},
		{"unopened capture", "a/id}", "not a well-formed"},
		{"nested brace", "a/{{id}}", "capture name"},
		{"capture with dash", "a/{team-id}", "capture name"},
		{"capture starting with digit", "a/{1id}", "capture name"},
		{"duplicate capture", "a/{id}/b/{id}", "duplicate capture name"},
		{"control character", "a/b\x00", "control character"},
		{"too long", strings.Repeat("a", 256), "longer than 255"},
		{"invalid utf8", "a/\xff", "not valid UTF-8"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := CompilePattern(tc.pattern)
			if !errors.Is(err, ErrInvalidPattern) {
				t.Fatalf("err = %v, want ErrInvalidPattern", err)
			}
			if !strings.Contains(err.Error(), tc.detail) {
				t.Errorf("err = %q, want it to mention %q", err, tc.detail)
			}
		})
	}
}

func TestValidateChannelName(t *testing.T) {
	cases := []struct {
		name, channel string
		ok            bool
	}{
		{"simple", "chatroom/a", true},
		{"colon", "room:lobby", true},
		{"unicode", "salon/été", true},
		{"exactly 255 bytes", strings.Repeat("a", 255), true},
		{"256 bytes", strings.Repeat("a", 256), false},
		{"empty", "", false},
		{"empty segment", "a//b", false},
		{"empty segment mixed separators", "a/:b", false},
		{"leading slash", "/a", false},
		{"trailing colon", "a:", false},
		{"nul", "a\x00b", false},
		{"newline", "a\nb", false},
		{"tab", "a\tb", false},
		{"DEL", "a\x7fb", false},
		{"C1 control", "a\u0085b", false},
		{"invalid utf8", "a\xc3", false},
		{"wildcard characters are data", "room/*", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateChannelName(tc.channel)
			if (err == nil) != tc.ok {
				t.Fatalf("ValidateChannelName(%q) = %v, want ok=%v", tc.channel, err, tc.ok)
			}
			if err != nil && !errors.Is(err, ErrInvalidChannelName) {
				t.Errorf("err = %v, want ErrInvalidChannelName", err)
			}
		})
	}
}

func TestPatternZeroValueMatchesNothing(t *testing.T) {
	if _, ok := (Pattern{}).Match("a"); ok {
		t.Fatal("zero Pattern matched")
	}
}

func FuzzPattern(f *testing.F) {
	for _, seed := range [][2]string{
		{"chatroom/*", "chatroom/a/b"}, {"team/{id}/workspace/*", "team/1/workspace/x"},
		{"room:*", "room:1"}, {"a*b", "ab"}, {"{x}", "y"}, {"*", "a//b"}, {"a/{}", "a/b"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, pattern, channel string) {
		p, err := CompilePattern(pattern)
		if err != nil {
			return
		}
		caps, ok := p.Match(channel)
		if ok && ValidateChannelName(channel) != nil && len(channel) <= MaxChannelNameBytes && wellFormedSegments(channel) {
			// Only byte-level problems (control characters, UTF-8) may slip through Pattern.Match.
			return
		}
		if ok && !wellFormedSegments(channel) {
			t.Fatalf("%q matched malformed %q", pattern, channel)
		}
		if !p.HasWildcard() && ok != (pattern == channel) {
			t.Fatalf("literal %q vs %q: ok=%v", pattern, channel, ok)
		}
		if ok && len(caps) != p.captures {
			t.Fatalf("captures %v, want %d", caps, p.captures)
		}
		if _, self := p.Match(pattern); !self {
			t.Fatalf("pattern %q does not match its own text", pattern)
		}
	})
}
