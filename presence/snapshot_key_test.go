package presence

import (
	"strconv"
	"testing"
)

func TestEncodedKeyCachesABoundedNumberOfKeys(t *testing.T) {
	s := newSnapshot(nil)
	calls := map[string]int{}
	enc := func(key string) func(*Snapshot) []byte {
		return func(*Snapshot) []byte { calls[key]++; return []byte(key) }
	}
	for round := 0; round < 2; round++ {
		for i := 0; i < maxKeyedEncodings+4; i++ {
			k := strconv.Itoa(i)
			if got := string(s.EncodedKey(k, enc(k))); got != k {
				t.Fatalf("EncodedKey(%q) = %q", k, got)
			}
		}
	}
	for i := 0; i < maxKeyedEncodings+4; i++ {
		k := strconv.Itoa(i)
		want := 1 // cached
		if i >= maxKeyedEncodings {
			want = 2 // over the bound: encoded on every call
		}
		if calls[k] != want {
			t.Errorf("key %q encoded %d times, want %d", k, calls[k], want)
		}
	}
}
