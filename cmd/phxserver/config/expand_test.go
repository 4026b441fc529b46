package config

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestExpandEnv(t *testing.T) {
	env := envMap(map[string]string{"SECRET": "s3cr3t", "EMPTY": "", "PORT": "4001", "NL": "a\nb"})
	tests := []struct {
		name    string
		in      string
		want    string
		wantErr string // substring; "" = no error
	}{
		{name: "no dollar", in: "a: b\n", want: "a: b\n"},
		{name: "set variable", in: `secret: "${SECRET}"`, want: `secret: "s3cr3t"`},
		{name: "unset variable is empty", in: `secret: "${MISSING}"`, want: `secret: ""`},
		{name: "default when unset", in: `listen: "127.0.0.1:${MISSING:-4000}"`, want: `listen: "127.0.0.1:4000"`},
		{name: "default when empty", in: `x: ${EMPTY:-fallback}`, want: `x: fallback`},
		{name: "value wins over default", in: `x: ${PORT:-4000}`, want: `x: 4001`},
		{name: "empty default", in: `x: "${MISSING:-}"`, want: `x: ""`},
		{name: "default keeps colons and dashes", in: `x: ${MISSING:-redis://h:1/0-a}`, want: `x: redis://h:1/0-a`},
		{name: "double dollar escapes", in: `x: "$${SECRET}"`, want: `x: "${SECRET}"`},
		{name: "double dollar alone", in: `price: "$$5"`, want: `price: "$5"`},
		{name: "lone dollar kept", in: `x: "a$b $ c$"`, want: `x: "a$b $ c$"`},
		{name: "several on a line", in: `x: ${SECRET}-${PORT}`, want: `x: s3cr3t-4001`},
		{name: "line count unchanged", in: "a: ${SECRET}\nb: ${MISSING:-x}\nc: 1\n", want: "a: s3cr3t\nb: x\nc: 1\n"},
		{name: "unterminated", in: "a: 1\nb: ${SECRET\n", wantErr: "t.yaml:2: unterminated ${"},
		{name: "reference across lines", in: "a: ${SEC\nRET}", wantErr: "t.yaml:1: unterminated"},
		{name: "bad name", in: "a: 1\n\nb: ${1BAD}", wantErr: "t.yaml:3: ${1BAD}: bad variable name"},
		{name: "empty name", in: "a: ${}", wantErr: "t.yaml:1: ${}: bad variable name"},
		{name: "unsupported operator", in: "a: ${X-default}", wantErr: "bad variable name \"X-default\""},
		{name: "value with newline", in: "a: 1\nb: ${NL}", wantErr: "t.yaml:2: ${NL}: value of NL contains a line break"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := expandEnv([]byte(tt.in), "t.yaml", env)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
				}
				if !errors.Is(err, ErrInvalid) {
					t.Errorf("error %v does not wrap ErrInvalid", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if string(got) != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if bytes.Count(got, []byte("\n")) != strings.Count(tt.in, "\n") {
				t.Errorf("line count changed: %q -> %q", tt.in, got)
			}
		})
	}
}

func TestParseExpandsEnvBeforeParsing(t *testing.T) {
	env := envMap(map[string]string{"PHX_LISTEN_PORT": "4100", "PHX_DEMO": "true", "KEY": "k1"})
	src := "server:\n  listen: \"0.0.0.0:${PHX_LISTEN_PORT}\"\n  demo: ${PHX_DEMO}\n" +
		"  shutdown_grace: ${GRACE:-3s}\napi:\n  keys: [\"${KEY}\", \"${OTHER}\", \"$$literal\"]\n"
	cfg, err := parse([]byte(src), "t.yaml", "", env)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Server.Listen != "0.0.0.0:4100" || !cfg.Server.Demo || cfg.Server.ShutdownGrace.String() != "3s" {
		t.Errorf("server = %+v", cfg.Server)
	}
	// "${OTHER}" is unset → "" → dropped; "$$literal" is "$literal".
	if got := strings.Join(cfg.API.Keys, ","); got != "k1,$literal" {
		t.Errorf("api.keys = %q, want k1,$literal", got)
	}
}
