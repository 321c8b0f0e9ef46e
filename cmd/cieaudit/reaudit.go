package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/cieaudit/cieaudit/checklist"
)

// carryAudit is `audit new --from PREV`: it prints the upgrade report, then
// creates the audit (checklist.PlanCarry again inside the transaction) and
// prints its ID on the last line.
func (a *app) carryAudit(prev string, year int, auditor, catalog string) error {
	if err := checklist.CheckYear(year); err != nil {
		return usageError{err}
	}
	if strings.TrimSpace(auditor) == "" {
		return usagef("--auditor è vuoto: indicare il nome dell'auditor")
	}
	s, err := a.open()
	if err != nil {
		return err
	}
	key := ""
	if catalog != "" {
		cat, err := a.catalogueFor(s, catalog)
		if err != nil {
			return err
		}
		key = cat.Key()
	}
	req := checklist.CarryRequest{Year: year, Auditors: []string{auditor}, Today: a.today()}
	plan, err := s.PlanCarry(prev, key, req)
	if err != nil {
		return auditErr(prev, err)
	}
	for _, line := range plan.Report.Lines() {
		text := strings.TrimLeft(line, " ") // the indent is the report's own
		fmt.Fprintln(a.stdout, line[:len(line)-len(text)]+checklist.CleanText(text, false))
	}
	au, _, err := s.CreateCarried(prev, key, req, a.author())
	if err != nil {
		return auditErr(prev, err)
	}
	fmt.Fprintln(a.stdout, au.ID)
	return nil
}

func newAuditDiffCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "diff VECCHIO NUOVO",
		Short: "Confronta due audit dello stesso ente: voci migliorate, peggiorate, da riverificare, perimetro, operatori, conformità",
		Args:  exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			old, err := a.loadAudit(args[0])
			if err != nil {
				return err
			}
			snap, err := a.loadAudit(args[1])
			if err != nil {
				return err
			}
			d, err := checklist.Diff(old, snap)
			if err != nil {
				return err
			}
			if asJSON {
				return writeSchemaJSON(a.stdout, "audit-diff", diffJSON(d))
			}
			printDiff(a.stdout, &d)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "stampa in JSON (schema in docs/schema/)")
	return cmd
}

type auditDiffJSON struct {
	Old        checklist.DiffAudit   `json:"old"`
	New        checklist.DiffAudit   `json:"new"`
	Sections   []sectionDiffJSON     `json:"sections"`
	Items      []itemDiffJSON        `json:"items"`
	Perimeter  []checklist.FieldDiff `json:"perimeter"`
	Operators  []checklist.FieldDiff `json:"operators"`
	Compliance complianceDiffJSON    `json:"compliance"`
}

type sectionDiffJSON struct {
	Scope      string `json:"scope"`
	Section    string `json:"section"`
	Title      string `json:"title"`
	Improved   int    `json:"improved"`
	Worsened   int    `json:"worsened"`
	Changed    int    `json:"changed"`
	New        int    `json:"new"`
	Removed    int    `json:"removed"`
	ToReverify int    `json:"to_reverify"`
	Unchanged  int    `json:"unchanged"`
}

type itemDiffJSON struct {
	Scope    string `json:"scope"`
	Section  string `json:"section"`
	Item     string `json:"item"`
	Title    string `json:"title"`
	Change   string `json:"change"`
	Old      string `json:"old"`
	New      string `json:"new"`
	OldLabel string `json:"old_label"`
	NewLabel string `json:"new_label"`
}

type complianceDiffJSON struct {
	ByCategory []groupDiffJSON `json:"by_category"`
	ByLevel    []groupDiffJSON `json:"by_level"`
	Total      groupDiffJSON   `json:"total"`
}

type groupDiffJSON struct {
	Key   string         `json:"key"`
	Label string         `json:"label"`
	Old   countsDiffJSON `json:"old"`
	New   countsDiffJSON `json:"new"`
}

type countsDiffJSON struct {
	// Percent is null while nothing is assessed.
	Percent       *float64 `json:"percent"`
	Yes           int      `json:"yes"`
	No            int      `json:"no"`
	Partial       int      `json:"partial"`
	NotApplicable int      `json:"not_applicable"`
	Unanswered    int      `json:"unanswered"`
}

func countsJSON(c checklist.AnswerCounts) countsDiffJSON {
	out := countsDiffJSON{Yes: c.Yes, No: c.No, Partial: c.Partial, NotApplicable: c.NotApplicable, Unanswered: c.Unanswered}
	if p, ok := c.Percent(); ok {
		out.Percent = &p
	}
	return out
}

func groupsJSON(gs []checklist.ComplianceDiff) []groupDiffJSON {
	out := make([]groupDiffJSON, len(gs))
	for i, g := range gs {
		out[i] = groupDiffJSON{g.Key, g.Label, countsJSON(g.Old), countsJSON(g.New)}
	}
	return out
}

func diffJSON(d checklist.AuditDiff) auditDiffJSON {
	out := auditDiffJSON{Old: d.Old, New: d.New, Sections: []sectionDiffJSON{}, Items: []itemDiffJSON{},
		Perimeter: d.Perimeter, Operators: d.Operators,
		Compliance: complianceDiffJSON{groupsJSON(d.ByCategory), groupsJSON(d.ByLevel), groupsJSON([]checklist.ComplianceDiff{d.Total})[0]}}
	for _, s := range d.Sections {
		c := s.Counts
		out.Sections = append(out.Sections, sectionDiffJSON{s.Scope.String(), s.Section, s.Title,
			c[checklist.ItemImproved], c[checklist.ItemWorsened], c[checklist.ItemChanged], c[checklist.ItemNew],
			c[checklist.ItemRemoved], c[checklist.ItemReverify], c[checklist.ItemUnchanged]})
	}
	for _, it := range d.Items {
		out.Items = append(out.Items, itemDiffJSON{it.Scope.String(), it.Section, it.Item, it.Title, string(it.Change),
			it.Old, it.New, it.OldLabel, it.NewLabel})
	}
	return out
}

func pct(c checklist.AnswerCounts) string {
	if p, ok := c.Percent(); ok {
		return checklist.FormatPercent(p / 100)
	}
	return "—"
}

// printDiff is the text of audit diff, in Italian.
func printDiff(w io.Writer, d *checklist.AuditDiff) {
	cl := func(s string) string { return checklist.CleanText(s, false) }
	fmt.Fprintf(w, "Confronto tra l'audit %s (%d, %s) e l'audit %s (%d, %s)\n\n", d.Old.ID, d.Old.Year, cl(d.Old.Catalogue), d.New.ID, d.New.Year, cl(d.New.Catalogue))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "CONFORMITÀ\t%d\t%d\n", d.Old.Year, d.New.Year)
	for _, g := range d.Groups() {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", g.Label, pct(g.Old), pct(g.New))
	}
	tw.Flush()
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Voci: %s\n", d.CountsLine())
	if len(d.Items) > 0 {
		fmt.Fprintln(w)
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "AMBITO\tVOCE\tVARIAZIONE\tPRIMA\tORA")
		for _, it := range d.Items {
			fmt.Fprintf(tw, "%s\t%s %s\t%s\t%s\t%s\n", cl(it.Scope.Label()), it.Item, cl(it.Title), it.Change.Label(), cl(it.OldLabel), cl(it.NewLabel))
		}
		tw.Flush()
	}
	for _, part := range d.FieldParts() {
		fmt.Fprintf(w, "\n%s:\n", part.Head)
		for _, f := range part.Rows {
			switch {
			case f.Old == "":
				fmt.Fprintf(w, "  + %s: %s\n", cl(f.What), cl(f.New))
			case f.New == "":
				fmt.Fprintf(w, "  - %s: %s\n", cl(f.What), cl(f.Old))
			default:
				fmt.Fprintf(w, "  ~ %s: %s → %s\n", cl(f.What), cl(f.Old), cl(f.New))
			}
		}
	}
}
