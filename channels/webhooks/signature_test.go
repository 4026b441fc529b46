package webhooks

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSignVerify(t *testing.T) {
	secret := []byte("s3cret")
	body := []byte(`{"id":"1"}`)
	at := time.Unix(1_700_000_000, 0)
	good := Sign(secret, at, body)
	tests := []struct {
		name    string
		secret  []byte
		header  string
		body    []byte
		now     time.Time
		wantErr bool
	}{
		{"valid", secret, good, body, at, false},
		{"valid within tolerance", secret, good, body, at.Add(4 * time.Minute), false},
		{"rotated secrets: second v1 matches", secret, Sign([]byte("old"), at, body) + "," + strings.Split(good, ",")[1], body, at, false},
		{"wrong secret", []byte("other"), good, body, at, true},
		{"tampered body", secret, good, []byte(`{"id":"2"}`), at, true},
		{"stale", secret, good, body, at.Add(10 * time.Minute), true},
		{"from the future", secret, good, body, at.Add(-10 * time.Minute), true},
		{"missing v1", secret, "t=1700000000", body, at, true},
		{"missing t", secret, strings.Split(good, ",")[1], body, at, true},
		{"bad timestamp", secret, "t=x," + strings.Split(good, ",")[1], body, at, true},
		{"not hex", secret, "t=1700000000,v1=zz", body, at, true},
		{"empty", secret, "", body, at, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Verify(tc.secret, tc.header, tc.body, tc.now, DefaultSignatureTolerance)
			if (err != nil) != tc.wantErr {
				t.Fatalf("Verify = %v, wantErr %v", err, tc.wantErr)
			}
			if err != nil && !errors.Is(err, ErrBadSignature) {
				t.Fatalf("error %v is not ErrBadSignature", err)
			}
		})
	}
	t.Run("format", func(t *testing.T) {
		if !strings.HasPrefix(good, "t=1700000000,v1=") || len(good) != len("t=1700000000,v1=")+64 {
			t.Fatalf("header %q", good)
		}
	})
}
