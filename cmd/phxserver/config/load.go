package config

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// maxFileBytes bounds the config file and the Xano sources it references.
const maxFileBytes = 16 << 20

// DefaultSource is Config.Source of the embedded default.
const DefaultSource = "embedded default"

//go:embed default.yaml
var defaultYAML []byte

// Load reads the file at path, expands environment variables, parses, applies defaults and
// validates. Relative paths in the file are resolved against the file's directory.
func Load(path string) (*Config, error) {
	data, err := readLimited(path)
	if err != nil {
		return nil, err
	}
	return Parse(data, path, filepath.Dir(path))
}

// Parse is Load for data already in memory: name is used in error messages and as
// Config.Source; baseDir resolves relative paths (channel sources, TLS and key files, history
// and audit paths).
func Parse(data []byte, name, baseDir string) (*Config, error) {
	return parse(data, name, baseDir, os.LookupEnv)
}

// Default returns the embedded demo configuration used when the server runs without --config.
func Default() (*Config, error) {
	return parse(defaultYAML, DefaultSource, "", os.LookupEnv)
}

func parse(data []byte, name, baseDir string, lookup lookupFunc) (*Config, error) {
	expanded, err := expandEnv(data, name, lookup)
	if err != nil {
		return nil, err
	}
	root, err := parseYAML(expanded, name)
	if err != nil {
		return nil, err
	}
	cfg := defaultConfig()
	cfg.Source = name
	errs := &errorList{file: name, lines: map[string]int{}}
	if root != nil {
		newDecoder(errs).decode(root, reflect.ValueOf(cfg).Elem(), "")
		if err := errs.err(); err != nil {
			return nil, err
		}
	}
	v := &validator{errorList: errs, baseDir: baseDir, readFile: readLimited, origins: map[string]string{}}
	v.validate(cfg)
	if err := errs.err(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// parseYAML returns the root node of the single document in data, or nil for an empty file.
func parseYAML(data []byte, name string) (root *yaml.Node, err error) {
	defer func() {
		// Treat every byte as hostile: a parser panic must not take the server down.
		if r := recover(); r != nil {
			root, err = nil, &Error{File: name, Err: fmt.Errorf("YAML parser failure: %v", r)}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, yamlSyntaxError(name, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, yamlSyntaxError(name, err)
		}
		return nil, &Error{File: name, Line: extra.Line, Err: errors.New("only one YAML document is allowed")}
	}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		return doc.Content[0], nil
	}
	return nil, nil
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlSyntaxError rewrites yaml.v3's "yaml: line N: msg" as "file:N: msg".
func yamlSyntaxError(name string, err error) error {
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{File: name, Line: line, Err: errors.New(m[2])}
	}
	msg := err.Error()
	if len(msg) > 6 && msg[:6] == "yaml: " {
		msg = msg[6:]
	}
	return &Error{File: name, Err: errors.New(msg)}
}

// readLimited reads a file of at most maxFileBytes.
func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRead, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrRead, path, err)
	}
	if len(data) > maxFileBytes {
		return nil, fmt.Errorf("%w: %s: larger than %d bytes", ErrRead, path, maxFileBytes)
	}
	return data, nil
}
