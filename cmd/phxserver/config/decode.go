package config

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// maxDecodeNodes bounds the work of one decode: aliases can make a small file expand into an
// exponential tree ("billion laughs").
const maxDecodeNodes = 200_000

var durationType = reflect.TypeFor[time.Duration]()

// decoder fills Go values from a yaml.Node tree, strictly: unknown and duplicate keys, wrong
// kinds and wrong scalar types are errors with the file, line and dotted key. Keys absent from
// the file leave the destination untouched, which is how defaults survive. It records the line
// of every key it visits so later validation can cite lines too.
type decoder struct {
	errs   *errorList
	budget int
}

func newDecoder(errs *errorList) *decoder {
	return &decoder{errs: errs, budget: maxDecodeNodes}
}

func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	for depth := 0; n.Kind == yaml.AliasNode; depth++ {
		if n.Alias == nil || depth > 100 {
			d.errs.addf(path, "unresolvable alias")
			return
		}
		n = n.Alias
	}
	if d.budget--; d.budget < 0 {
		if d.budget == -1 {
			d.errs.addf(path, "document too large (more than %d nodes after alias expansion)", maxDecodeNodes)
		}
		return
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return // an empty value keeps the default
	}
	switch {
	case v.Type() == durationType:
		d.duration(n, v, path)
	case v.Kind() == reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		d.decode(n, v.Elem(), path)
	case v.Kind() == reflect.Struct:
		d.structure(n, v, path)
	case v.Kind() == reflect.Map:
		d.mapping(n, v, path)
	case v.Kind() == reflect.Slice:
		d.sequence(n, v, path)
	default:
		d.scalar(n, v, path)
	}
}

func (d *decoder) structure(n *yaml.Node, v reflect.Value, path string) {
	if !d.expectKind(n, yaml.MappingNode, path) {
		return
	}
	fields := yamlFields(v.Type())
	d.eachPair(n, path, func(name string, value *yaml.Node, childPath string) {
		i, ok := fields[name]
		if !ok {
			d.errs.add(childPath, unknownKeyError(name, fields))
			return
		}
		d.decode(value, v.Field(i), childPath)
	})
}

func (d *decoder) mapping(n *yaml.Node, v reflect.Value, path string) {
	if !d.expectKind(n, yaml.MappingNode, path) {
		return
	}
	if v.IsNil() {
		v.Set(reflect.MakeMap(v.Type()))
	}
	d.eachPair(n, path, func(name string, value *yaml.Node, childPath string) {
		elem := reflect.New(v.Type().Elem()).Elem()
		d.decode(value, elem, childPath)
		v.SetMapIndex(reflect.ValueOf(name), elem)
	})
}

// eachPair walks a mapping's key/value pairs, recording key lines and refusing non-string and
// duplicate keys.
func (d *decoder) eachPair(n *yaml.Node, path string, fn func(name string, value *yaml.Node, childPath string)) {
	seen := make(map[string]int, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, value := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.ShortTag() == "!!merge" {
			d.errs.addAt(k.Line, path, errors.New("keys must be plain strings (merge keys and complex keys are not supported)"))
			continue
		}
		childPath := key(path, k.Value)
		if first, dup := seen[k.Value]; dup {
			d.errs.addAt(k.Line, childPath, fmt.Errorf("duplicate key (first at line %d)", first))
			continue
		}
		seen[k.Value] = k.Line
		d.errs.lines[childPath] = k.Line
		fn(k.Value, value, childPath)
	}
}

func (d *decoder) sequence(n *yaml.Node, v reflect.Value, path string) {
	if !d.expectKind(n, yaml.SequenceNode, path) {
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		p := index(path, i)
		d.errs.lines[p] = item.Line
		d.decode(item, s.Index(i), p)
	}
	v.Set(s)
}

func (d *decoder) scalar(n *yaml.Node, v reflect.Value, path string) {
	if !d.expectKind(n, yaml.ScalarNode, path) {
		return
	}
	var want string
	switch v.Kind() {
	case reflect.String:
		v.SetString(n.Value)
		return
	case reflect.Bool:
		want = "!!bool"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		want = "!!int"
	default:
		d.errs.addf(path, "internal: unsupported field type %s", v.Type())
		return
	}
	// yaml.v3 would silently truncate 1.5 into an int and accept "yes" as a bool; refuse both.
	if n.ShortTag() != want || n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
		d.errs.addf(path, "expected %s, got %q", describeTag(want), n.Value)
		return
	}
	if err := n.Decode(v.Addr().Interface()); err != nil {
		d.errs.addf(path, "expected %s, got %q", describeTag(want), n.Value)
	}
}

func (d *decoder) duration(n *yaml.Node, v reflect.Value, path string) {
	if !d.expectKind(n, yaml.ScalarNode, path) {
		return
	}
	dur, err := time.ParseDuration(n.Value)
	if err != nil {
		d.errs.addf(path, "expected a duration such as \"10s\", \"1m\" or \"30ms\", got %q", n.Value)
		return
	}
	v.SetInt(int64(dur))
}

func (d *decoder) expectKind(n *yaml.Node, want yaml.Kind, path string) bool {
	if n.Kind == want {
		return true
	}
	d.errs.addf(path, "expected %s, got %s", kindName(want), kindName(n.Kind))
	return false
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return "a single value"
	default:
		return "a document"
	}
}

func describeTag(tag string) string {
	switch tag {
	case "!!bool":
		return "true or false"
	case "!!int":
		return "an integer"
	}
	return tag
}

// yamlFields maps yaml tag names to field indexes; fields tagged "-" are not settable from YAML.
func yamlFields(t reflect.Type) map[string]int {
	fields := make(map[string]int, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || name == "" || name == "-" {
			continue
		}
		fields[name] = i
	}
	return fields
}

// unknownKeyError suggests the closest known key for a likely typo.
func unknownKeyError(name string, fields map[string]int) error {
	best, bestDist := "", 3
	for known := range fields {
		if dist := editDistance(name, known); dist < bestDist || (dist == bestDist && known < best) {
			best, bestDist = known, dist
		}
	}
	if best != "" {
		return fmt.Errorf("unknown key (did you mean %q?)", best)
	}
	return errors.New("unknown key")
}

// editDistance is the Levenshtein distance, capped for long inputs (hostile keys can be huge).
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
