package config

import (
	"bytes"
	"fmt"
	"strings"
)

// lookupFunc reads one environment variable (os.LookupEnv in production).
type lookupFunc func(name string) (string, bool)

// expandEnv substitutes ${VAR} and ${VAR:-default} in the raw file, before YAML parsing, so a
// variable may stand for any scalar. "$$" is a literal "$"; a "$" followed by anything else is
// kept. An unset ${VAR} expands to "". ${VAR:-default} uses default when VAR is unset or empty.
// A reference must close on its own line and a value must not contain a line break: either
// would shift the line numbers that errors cite.
func expandEnv(data []byte, file string, lookup lookupFunc) ([]byte, error) {
	if bytes.IndexByte(data, '$') < 0 {
		return data, nil
	}
	errs := errorList{file: file}
	var out bytes.Buffer
	out.Grow(len(data))
	line := 1
	for i := 0; i < len(data); i++ {
		c := data[i]
		if c == '\n' {
			line++
		}
		if c != '$' || i+1 >= len(data) {
			out.WriteByte(c)
			continue
		}
		switch data[i+1] {
		case '$':
			out.WriteByte('$')
			i++
		case '{':
			end := indexOnLine(data[i+2:], '}')
			if end < 0 {
				errs.errs = append(errs.errs, &Error{File: file, Line: line,
					Err: fmt.Errorf("unterminated ${ (a reference must close on its own line; write $$ for a literal $)")})
				out.WriteByte(c)
				continue
			}
			ref := string(data[i+2 : i+2+end])
			value, err := resolveRef(ref, lookup)
			if err != nil {
				errs.errs = append(errs.errs, &Error{File: file, Line: line, Key: "${" + ref + "}", Err: err})
			}
			out.WriteString(value)
			i += 2 + end
		default:
			out.WriteByte(c)
		}
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// indexOnLine is bytes.IndexByte limited to the current line.
func indexOnLine(b []byte, c byte) int {
	for i, x := range b {
		switch x {
		case c:
			return i
		case '\n', '\r':
			return -1
		}
	}
	return -1
}

// resolveRef evaluates "NAME" or "NAME:-default".
func resolveRef(ref string, lookup lookupFunc) (string, error) {
	name, def, hasDefault := strings.Cut(ref, ":-")
	if !validEnvName(name) {
		return "", fmt.Errorf("bad variable name %q (want ${NAME} or ${NAME:-default})", name)
	}
	value, ok := lookup(name)
	if hasDefault && (!ok || value == "") {
		value = def
	}
	if strings.ContainsAny(value, "\r\n") {
		return "", fmt.Errorf("value of %s contains a line break", name)
	}
	return value, nil
}

func validEnvName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range []byte(s) {
		letter := c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}
