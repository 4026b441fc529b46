package permissions

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"unicode"
)

// WriteTable prints the effective table for `phxserver check`: one row per set in file order
// (pattern, active, permissions, history, triggers, origin) and one extra row per role
// override, with aligned columns. Specificity is not printed: it is the pattern's literal
// segment count and file order breaks ties, both visible.
func WriteTable(w io.Writer, t *Table) error {
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "PATTERN\tACTIVE\tPERMISSIONS\tHISTORY\tTRIGGERS\tORIGIN")
	for _, s := range t.Sets() {
		active := "yes"
		if !s.Active {
			active = "no"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n",
			printable(s.Pattern), active, s.Perms, s.History, triggersColumn(s.Triggers), printable(s.Origin))
		roles := make([]string, 0, len(s.Roles))
		for role := range s.Roles {
			roles = append(roles, role)
		}
		sort.Strings(roles)
		for _, role := range roles {
			fmt.Fprintf(tw, "  role %s\t\t%s\t\t\t\n", printable(role), s.Roles[role])
		}
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("permissions: write table: %w", err)
	}
	// tabwriter pads empty trailing cells; golden files and terminals prefer no trailing spaces.
	var out bytes.Buffer
	for _, line := range strings.SplitAfter(buf.String(), "\n") {
		if line == "" {
			continue
		}
		out.WriteString(strings.TrimRight(line, " \n"))
		out.WriteByte('\n')
	}
	if _, err := w.Write(out.Bytes()); err != nil {
		return fmt.Errorf("permissions: write table: %w", err)
	}
	return nil
}

// triggersColumn renders "event:function" pairs in run order, "-" when there are none.
func triggersColumn(triggers []TriggerSpec) string {
	if len(triggers) == 0 {
		return "-"
	}
	parts := make([]string, len(triggers))
	for i, tr := range triggers {
		parts[i] = printable(tr.Event) + ":" + printable(tr.Function)
	}
	return strings.Join(parts, ",")
}

// printable keeps tabs, newlines and other control characters in config text from breaking
// the columns.
func printable(s string) string {
	if s == "" {
		return "-"
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return '?'
		}
		return r
	}, s)
}
