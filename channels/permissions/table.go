package permissions

import (
	"fmt"
	"sort"
)

// Table is the compiled set of permission sets. It is immutable and safe for concurrent use;
// a configuration reload builds a new Table and replaces the old one whole.
type Table struct {
	sets []*Set // file order, inactive included

	// Active sets only, each list ranked best first (see Set.outranks). A channel's first
	// segment selects byFirst's list; sets whose pattern starts with a wildcard are in
	// wildFirst. Match therefore looks at no set that cannot match.
	byFirst   map[string][]*Set
	wildFirst []*Set
}

// Match is the most specific active set for a concrete channel name, with the {name} captures
// (nil when the pattern has none).
type Match struct {
	Set      *Set
	Captures map[string]string
}

// Compile validates and compiles specs (in file order). Errors are *SetError values naming the
// set's origin, its pattern and what is wrong: invalid pattern, unknown permission, duplicate
// (or equivalent) pattern, negative history, bad role or trigger.
func Compile(specs []SetSpec) (*Table, error) {
	t := &Table{sets: make([]*Set, 0, len(specs)), byFirst: make(map[string][]*Set)}
	seen := make(map[string]*Set, len(specs))
	for i, spec := range specs {
		s, err := compileSet(spec, i)
		if err != nil {
			return nil, err
		}
		// Duplicates are judged among active sets only: an inactive set is ignored as if absent
		// (contract §2), and Xano exports keep disabled copies of enabled rows.
		key := s.pattern.equivalenceKey()
		if prev, dup := seen[key]; dup && s.Active {
			detail := fmt.Sprintf("duplicate pattern: same as %s", prev.where())
			if prev.Pattern != s.Pattern {
				detail = fmt.Sprintf("duplicate pattern: matches exactly the same channels as %s", prev.where())
			}
			return nil, &SetError{Origin: spec.Origin, Pattern: spec.Pattern, Detail: detail, Kind: ErrDuplicatePattern}
		}
		if s.Active {
			seen[key] = s
		}
		t.sets = append(t.sets, s)
		if !s.Active {
			continue
		}
		if first, ok := s.pattern.firstLiteral(); ok {
			t.byFirst[first] = append(t.byFirst[first], s)
		} else {
			t.wildFirst = append(t.wildFirst, s)
		}
	}
	rank := func(list []*Set) {
		sort.SliceStable(list, func(i, j int) bool { return list[i].outranks(list[j]) })
	}
	for _, list := range t.byFirst {
		rank(list)
	}
	rank(t.wildFirst)
	return t, nil
}

// Sets returns every set, inactive included, in file order. The slice is a copy; the sets
// are shared and must not be modified.
func (t *Table) Sets() []*Set {
	if t == nil {
		return nil
	}
	return append([]*Set(nil), t.sets...)
}

// Match returns the most specific active set matching channel and its captures. Invalid
// channel names match nothing. It does not allocate unless the winning pattern has captures.
func (t *Table) Match(channel string) (Match, bool) {
	if t == nil || channelNameProblem(channel) != "" {
		return Match{}, false
	}
	best := firstMatching(t.byFirst[channel[:nextSeparator(channel, 0)]], channel)
	if w := firstMatching(t.wildFirst, channel); w != nil && (best == nil || w.outranks(best)) {
		best = w
	}
	if best == nil {
		return Match{}, false
	}
	caps, _ := best.pattern.Match(channel)
	return Match{Set: best, Captures: caps}, true
}

// firstMatching returns the first set of a ranked list whose pattern matches channel.
func firstMatching(ranked []*Set, channel string) *Set {
	for _, s := range ranked {
		if s.pattern.matches(channel, nil) {
			return s
		}
	}
	return nil
}
