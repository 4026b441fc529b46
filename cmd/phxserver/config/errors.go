package config

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
)

// ErrInvalid is wrapped by every error about the content of a configuration file.
var ErrInvalid = errors.New("config: invalid configuration")

// ErrRead is wrapped when the configuration file (or a file it references) cannot be read.
var ErrRead = errors.New("config: cannot read file")

// maxReportedErrors bounds the list returned for one file so a hostile file cannot produce an
// unbounded error message.
const maxReportedErrors = 50

// Error is one problem in a configuration file, printed as "file:line: key: message".
type Error struct {
	File string
	Line int    // 0 when unknown
	Key  string // dotted path such as "channels[2].permissions"; empty when none applies
	Err  error
}

// Error implements error.
func (e *Error) Error() string {
	s := e.File
	if e.Line > 0 {
		s = fmt.Sprintf("%s:%d", s, e.Line)
	}
	if e.Key != "" {
		s += ": " + e.Key
	}
	return s + ": " + e.Err.Error()
}

// Unwrap lets errors.Is match ErrInvalid and the underlying cause.
func (e *Error) Unwrap() []error { return []error{ErrInvalid, e.Err} }

// errorList collects positioned errors; lines maps dotted keys to the line of their key.
type errorList struct {
	file  string
	lines map[string]int
	errs  []*Error
}

// add records err at the line of key (or of its nearest ancestor that has a line).
func (l *errorList) add(key string, err error) {
	l.errs = append(l.errs, &Error{File: l.file, Line: l.lineOf(key), Key: key, Err: err})
}

// addAt records err at an explicit line.
func (l *errorList) addAt(line int, key string, err error) {
	l.errs = append(l.errs, &Error{File: l.file, Line: line, Key: key, Err: err})
}

func (l *errorList) addf(key, format string, args ...any) {
	l.add(key, fmt.Errorf(format, args...))
}

// lineOf finds the line of key, falling back to its parents: "a.b[2].c" → "a.b[2]" → "a.b" → "a".
func (l *errorList) lineOf(key string) int {
	for key != "" {
		if n, ok := l.lines[key]; ok {
			return n
		}
		key = parentKey(key)
	}
	return 0
}

func parentKey(key string) string {
	for i := len(key) - 1; i >= 0; i-- {
		switch key[i] {
		case '.':
			return key[:i]
		case '[':
			return key[:i]
		}
	}
	return ""
}

// err returns nil or every error, sorted by line, joined.
func (l *errorList) err() error {
	if len(l.errs) == 0 {
		return nil
	}
	slices.SortStableFunc(l.errs, func(a, b *Error) int { return cmp.Compare(a.Line, b.Line) })
	errs := make([]error, 0, min(len(l.errs), maxReportedErrors)+1)
	for i, e := range l.errs {
		if i == maxReportedErrors {
			errs = append(errs, fmt.Errorf("%s: %d more errors not shown", l.file, len(l.errs)-i))
			break
		}
		errs = append(errs, e)
	}
	return errors.Join(errs...)
}

// key joins a parent key and a child name. A name that is not a plain word is quoted and
// shortened (`functions["bad name"]`) so a hostile key cannot break or bloat the message.
func key(parent, child string) string {
	if !plainName(child) {
		if len(child) > 64 {
			child = child[:64] + "..."
		}
		return fmt.Sprintf("%s[%q]", parent, child)
	}
	if parent == "" {
		return child
	}
	return parent + "." + child
}

func plainName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range []byte(s) {
		if c != '_' && c != '-' && (c < '0' || c > '9') && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') {
			return false
		}
	}
	return true
}

// index joins a parent key and a sequence index.
func index(parent string, i int) string { return fmt.Sprintf("%s[%d]", parent, i) }
