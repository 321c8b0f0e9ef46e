package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/cieaudit/cieaudit/checklist"
)

func newRiskCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "risk AUDIT",
		Short: "Analisi dei rischi, rischi principali e azioni correttive di un audit",
		Long: `Calcola dai dati dell'audit il rischio inerente e residuo di ogni minaccia per
l'ente, ogni sede e ogni postazione, i dieci rischi residui più alti con la loro
spiegazione, e le azioni correttive (misure con esito no o parziale) in ordine di
priorità. Il modello è descritto in docs/rischio.md.

Un risultato è provvisorio (*) quando una misura collegata alla minaccia non è
ancora verificata: la misura conta come assente finché non ha una risposta.

Con --json stampa la stessa analisi in JSON (chiavi snake_case, ambiti come
"postazione:CODICE", misure e minacce per ID).`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			snap, err := a.loadAudit(args[0])
			if err != nil {
				return err
			}
			as := checklist.Assess(snap)
			if asJSON {
				return writeJSON(a.stdout, as)
			}
			return printRisk(a.stdout, snap, as)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "stampa in JSON")
	return cmd
}

// printRisk writes the assessment as plain text for a terminal or a pipe.
func printRisk(w io.Writer, snap *checklist.Snapshot, as *checklist.Assessment) error {
	au := snap.Audit
	sc := as.Scale
	fmt.Fprintf(w, "Analisi dei rischi — %s, audit %d (%s)\n", au.Ente.Name, au.Year, au.ID)
	fmt.Fprintf(w, "Catalogo %s. Rischio = probabilità × impatto (massimo %d); parziale vale %s; mitigazione massima %d%%.\n",
		as.CatalogueKey, sc.MaxRisk(), checklist.FormatPercent(sc.PartialFactor), sc.MaxMitigation)
	if as.Provisional {
		fmt.Fprintln(w, "ATTENZIONE: risultato provvisorio. I rischi marcati * dipendono da misure non ancora verificate, contate come assenti.")
	}

	fmt.Fprintln(w, "\nCONFORMITÀ (sì + ½ parziale) / (sì + no + parziale)")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "GRUPPO\tSÌ\tNO\tPARZIALE\tN/A\tNON VERIFICATO\tCONFORMITÀ")
	rows := append(append(append([]checklist.Compliance{}, as.Summary.ByCategory...), as.Summary.ByLevel...), as.Summary.Total)
	for i, c := range rows {
		label := c.Label
		if i >= len(as.Summary.ByCategory) && i < len(rows)-1 {
			label = "Livello " + strings.ToLower(label)
		}
		n := c.Counts
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%s\n", label, n.Yes, n.No, n.Partial, n.NotApplicable, n.Unanswered, compliance(n))
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	fmt.Fprintln(w, "\nRISCHI PER FASCIA (numero di coppie ambito × minaccia)")
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FASCIA\tINERENTE\tRESIDUO")
	for _, b := range as.Summary.ByBand {
		fmt.Fprintf(tw, "%s (fino a %s)\t%d\t%d\n", b.Band.Label, checklist.FormatRisk(b.Band.Max), b.Inherent, b.Residual)
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	for _, scope := range au.Scopes() {
		fmt.Fprintf(w, "\n%s\n", strings.ToUpper(scope.Label()))
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "MINACCIA\tNOME\tP\tI\tINERENTE\tMITIGAZIONE\tRESIDUO")
		for _, r := range as.RisksAt(scope) {
			p := fmt.Sprintf("%d", r.Probability)
			if r.Overridden {
				p += "†"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s %s\t%s\t%s %s%s\n",
				r.Threat.ID, r.Threat.Name, p, r.Impact,
				checklist.FormatRisk(r.Inherent), r.InherentBand.Label,
				checklist.FormatPercent(r.Mitigation),
				checklist.FormatRisk(r.Residual), r.Band.Label, marker(r))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(snap.Overrides) > 0 {
		fmt.Fprintln(w, "† probabilità e impatto modificati per questo audit (vedere i rischi principali per la motivazione).")
	}

	fmt.Fprintln(w, "\nRISCHI PRINCIPALI")
	for i, r := range as.Top {
		printTopRisk(w, i+1, &r)
	}

	fmt.Fprintln(w, "\nAZIONI CORRETTIVE")
	if len(as.Actions) == 0 {
		fmt.Fprintln(w, "Nessuna misura con esito no o parziale.")
		return nil
	}
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PRIORITÀ\tMISURA\tESITO\tRIDUZIONE\tRESPONSABILE\tSCADENZA\tSTATO\tRILEVATA IN")
	for _, act := range as.Actions {
		priority := "—"
		if act.Priority.ID != "" {
			priority = act.Priority.Label + " " + checklist.FormatRisk(act.PriorityValue)
		}
		fmt.Fprintf(tw, "%s\t%s %s\t%s\t%s\t%s\t%s\t%s\t%s\n",
			priority, act.Item.ID, act.Item.Title(), act.Outcome.Label(),
			checklist.FormatRisk(act.Gain()), dash(act.Plan.Owner), dash(act.Plan.Due), act.Plan.Status.Label(), findings(act.Findings))
	}
	return tw.Flush()
}

// printTopRisk explains one of the highest risks measure by measure.
func printTopRisk(w io.Writer, n int, r *checklist.ThreatRisk) {
	fmt.Fprintf(w, "%d. %s — %s %s: residuo %s (%s)%s\n", n, r.Scope.Label(), r.Threat.ID, r.Threat.Name,
		checklist.FormatRisk(r.Residual), r.Band.Label, provisionalNote(r))
	capped := ""
	if r.Capped {
		capped = fmt.Sprintf(", ridotta al massimo consentito da %s", checklist.FormatPercent(r.Uncapped))
	}
	fmt.Fprintf(w, "   inerente %d × %d = %s (%s); mitigazione %s%s\n", r.Probability, r.Impact,
		checklist.FormatRisk(r.Inherent), r.InherentBand.Label, checklist.FormatPercent(r.Mitigation), capped)
	if r.Overridden {
		fmt.Fprintf(w, "   probabilità e impatto modificati per questo audit: %s\n", r.OverrideReason)
	}
	for _, m := range r.Measures {
		fmt.Fprintf(w, "   - %s %s (%s): %s\n", m.Item.ID, m.Item.Title(), m.At.Label(), m.Reason)
	}
	if len(r.Measures) == 0 {
		fmt.Fprintln(w, "   nessuna misura del catalogo riduce questa minaccia in questo ambito")
	}
}

func marker(r checklist.ThreatRisk) string {
	if r.Provisional {
		return " *"
	}
	return ""
}

func provisionalNote(r *checklist.ThreatRisk) string {
	if !r.Provisional {
		return ""
	}
	ids := make([]string, len(r.Missing))
	for i, it := range r.Missing {
		ids[i] = it.ID
	}
	return " — provvisorio, da verificare: " + strings.Join(ids, ", ")
}

func compliance(c checklist.AnswerCounts) string {
	pct, ok := c.Percent()
	if !ok {
		return "—"
	}
	return checklist.FormatPercent(pct / 100)
}

func findings(fs []checklist.Finding) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = f.At.Label()
		if len(fs) > 1 {
			parts[i] += " (" + strings.ToLower(f.Outcome.Label()) + ")"
		}
	}
	return strings.Join(parts, ", ")
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
